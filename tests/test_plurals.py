"""Every count in a sentence goes through ngettext, so that each language can say "1 packet" and
"5 packets" (and Arabic's six forms, Russian's three) properly: no "(s)", and no count placeholder
in a ``_()`` string."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{(\w+)(?:[:!][^}]*)?\}")

#: placeholder names that hold how many of something
COUNT_NAMES = frozenset(
    {
        "count", "n", "total", "done", "ready", "changes", "attachments", "new", "updated", "unchanged",
        "conflicting", "held", "pending", "deleted", "seconds", "minutes", "hours", "days", "records",
        "rows", "live", "members", "problems", "visits", "packets", "files", "partners", "errors",
        "before", "more", "remaining", "items", "people", "incidents",
    }
)  # fmt: skip

#: numbers that are not counts in a sentence: a label and its figure, a number in a heading or a
#: shortcut, a unit symbol, a phrase each of whose counts is already an ngettext phrase
NOT_COUNTS = frozenset(
    {
        "Conflicts ({count})",  # a tab title and its figure
        "{type}: {count}",  # a record type and its figure, in a list
        "Done in {seconds:.1f} s: {summary}",  # "s" is the unit symbol
        "{changes}, {attachments}",  # each an ngettext phrase
        "{code}: last in {last_in}, last out {last_out}; {not_sent}; {awaiting}; {held}",  # ngettext phrases
        "Edited by {who}: {changes}",  # the edited values, not a number
    }
)


def _messages() -> list[tuple[str, int, str]]:
    """(file, line, message) for every translatable string, both forms of an ngettext pair."""
    found = []
    for folder in ("fieldkit", "ui"):
        for file, line, msgid, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            texts = msgid if isinstance(msgid, tuple) else (msgid,)
            found.extend((f"{folder}/{file}", line, text) for text in texts if text)
    return found


def _plural_ids() -> set[str]:
    """Messages that are the singular or plural of an ngettext call."""
    ids: set[str] = set()
    for folder in ("fieldkit", "ui"):
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"ngettext": (1, 2)}
        ):
            if isinstance(msgid, tuple):
                ids.update(m for m in msgid if m)
    return ids


def test_no_message_says_s_in_brackets() -> None:
    offenders = [f"{file}:{line}: {text!r}" for file, line, text in _messages() if "(s)" in text]
    assert not offenders, "use ngettext instead of (s): " + "; ".join(offenders)


def test_every_count_in_a_sentence_goes_through_ngettext() -> None:
    plurals = _plural_ids()
    offenders = []
    for file, line, text in _messages():
        if text in plurals or text in NOT_COUNTS:
            continue
        counts = [name for name in PLACEHOLDER.findall(text) if name in COUNT_NAMES]
        if counts:
            offenders.append(f"{file}:{line}: {text!r} ({', '.join(counts)})")
    assert not offenders, "counts outside ngettext: " + "; ".join(offenders)


def test_the_scan_sees_a_count_outside_ngettext(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        '_("{count} packets imported")\nngettext("{count} file", "{count} files", 2)\n', "utf-8"
    )
    found = [
        (msgid, PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[0]))
        for _f, _l, msgid, _c, _x in extract_from_dir(
            tmp_path, method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    ]
    assert ("{count} packets imported", ["count"]) in found
    assert any(isinstance(m, tuple) for m, _names in found), "ngettext pairs are told apart"

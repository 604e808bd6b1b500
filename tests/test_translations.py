"""The message catalog: every string extracted, placeholders intact, no f-strings in ``_()``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from fieldkit.i18n import LANGUAGES, _, set_language

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)(?:[:!][^}]*)?\}")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _sources() -> list[Path]:
    return [p for folder in ("fieldkit", "ui") for p in sorted((ROOT / folder).rglob("*.py"))]


def test_translatable_strings_are_whole_literals() -> None:
    """``_(f"...")`` or ``_("..." % x)`` cannot be translated: the catalog never sees the text."""
    offenders = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if not call or node.func.id not in KEYWORDS:
                continue
            texts = node.args[: 2 if node.func.id in ("ngettext", "pgettext") else 1]
            if not texts or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "non-literal translatable strings: " + ", ".join(offenders)


def test_template_is_up_to_date() -> None:
    extracted = {
        msgid if isinstance(msgid, str) else msgid[0]
        for folder in ("fieldkit", "ui")
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }
    with (ROOT / "translations" / "fieldkit.pot").open("rb") as fh:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    missing = sorted(extracted - template)
    assert not missing, f"run scripts/update-translations.sh; not in the template: {missing[:5]}"


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {"en"}))
def test_catalog_placeholders_match(lang: str) -> None:
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "fieldkit.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    bad = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:  # fuzzy guesses are not used
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        # A plural's forms may name the count the English singular leaves out ("This packet" /
        # "These {count} packets"): Russian says "21 пакет" with its singular form, for one.
        forms = [set(PLACEHOLDER.findall(text)) for text in ids]
        allowed, required = set().union(*forms), set.intersection(*forms)
        for text in strings:
            if text and not required <= set(PLACEHOLDER.findall(text)) <= allowed:
                bad.append(ids[0])
    assert not bad, f"{lang}: placeholders differ in {bad[:5]}"


def test_switching_language_translates_and_back() -> None:
    try:
        set_language("fr")
        translated = _("Give the visit a title")
        set_language("en")
        assert _("Give the visit a title") == "Give the visit a title"
        assert translated  # a French string, or the English one where not yet translated
    finally:
        set_language("en")


def test_one_english_word_two_translations_by_context() -> None:
    from fieldkit.i18n import pgettext

    try:
        set_language("es")
        assert _("None") == "Ninguno"  # no institution type (masculine)
        assert pgettext("no parent office", "None") == "Ninguna"  # no parent office (feminine)
        set_language("fr")
        assert _("Location") == "Lieu"  # where a visit took place
        assert pgettext("where the store file is", "Location") == "Emplacement"
    finally:
        set_language("en")
    assert pgettext("where the store file is", "Location") == "Location"

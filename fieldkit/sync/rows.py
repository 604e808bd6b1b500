"""A packet's payload, read line by line, checked, and handed on in batches.

Bad rows are collected rather than raised at the first one, so that a refusal
names every problem. A row may use a vocabulary code that a later row of the same
packet adds, so unknown codes are settled once the whole payload has been read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from fieldkit.i18n import _, ngettext
from fieldkit.sync.changes import Change, RowError, check_values, parse_change, unknown_code_message
from fieldkit.sync.errors import PacketRefused

#: bad rows named one by one; a packet of a million bad rows is counted, not described a million times
MAX_PROBLEMS = 1_000


class RowsRefused(PacketRefused):
    """Rows of the payload do not fit the schema or the vocabularies; ``problems`` names the first
    ``MAX_PROBLEMS`` of them and ``count`` says how many there were."""

    def __init__(self, problems: list[str], count: int | None = None) -> None:
        count = len(problems) if count is None else count
        shown = "; ".join(problems[:5])
        more = count - min(len(problems), 5)
        message = ngettext(
            "{count} row does not fit the schema or the vocabularies: {rows}",
            "{count} rows do not fit the schema or the vocabularies: {rows}",
            count,
        ).format(count=count, rows=shown)
        if more > 0:
            message += " " + ngettext("(and {count} more)", "(and {count} more)", more).format(count=more)
        super().__init__(message)
        self.problems = problems
        self.count = count


class PayloadRows:
    """The changes of one payload, in batches; ``problems`` fills up as bad rows are read."""

    def __init__(
        self, payload: Iterable[bytes], manifest: dict[str, Any], codes: dict[str, set[str]]
    ) -> None:
        self._payload = payload
        self._ranges: dict[str, list[int]] = manifest["ranges"]
        #: the codes each vocabulary holds, with the terms this packet adds as they are read
        self._codes = codes
        self._unknown: list[tuple[Change, str, str, str]] = []
        self.problems: list[str] = []
        #: every bad row, also those past ``MAX_PROBLEMS`` that are not described
        self.problem_count = 0

    def batches(self, size: int) -> Iterator[list[Change]]:
        batch: list[Change] = []
        for number, line in enumerate(_lines(self._payload), 1):
            if not line.strip():
                continue
            change = self._read(number, line)
            if change is None:
                continue
            batch.append(change)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _read(self, number: int, line: bytes) -> Change | None:
        try:
            change = parse_change(orjson.loads(line))
        except (ValueError, RowError) as exc:
            self._problem(_("row {number}: {reason}").format(number=number, reason=exc))
            return None
        span = self._ranges.get(change.origin)
        if not span or not span[0] <= change.seq <= span[1]:
            reason = _("change {origin}:{seq} lies outside the ranges the manifest declares").format(
                origin=change.origin, seq=change.seq
            )
            self._problem(_("row {number}: {reason}").format(number=number, reason=reason))
            return None
        try:
            unknown = check_values(change, self._codes)
        except RowError as exc:
            self._problem(_row_problem(change, str(exc)))
            return None
        self._unknown.extend((change, *u) for u in unknown)
        if change.record_type == "vocabulary_term" and change.op == "create":
            vocabulary, code = change.data.get("vocabulary"), change.data.get("code")
            if isinstance(vocabulary, str) and isinstance(code, str):
                self._codes.setdefault(vocabulary, set()).add(code)
        return change

    def _problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def finish(self) -> None:
        """Refuse the payload if any row was bad, or used a code that no row added."""
        for change, name, vocabulary, code in self._unknown:
            if code not in self._codes.get(vocabulary, ()):
                self._problem(_row_problem(change, unknown_code_message(name, vocabulary, code)))
        if self.problem_count:
            raise RowsRefused(self.problems, self.problem_count)


def _lines(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a text handed over in pieces that may end mid-line."""
    tail = b""
    for piece in pieces:
        lines = (tail + piece).split(b"\n")
        tail = lines.pop()
        yield from lines
    if tail:
        yield tail


def _row_problem(change: Change, reason: str) -> str:
    return _("{type} {id}: {reason}").format(type=change.record_type, id=change.record_id[:8], reason=reason)

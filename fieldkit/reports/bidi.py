"""The Unicode bidirectional algorithm, per paragraph and per line.

Levels come from python-bidi's implementation of the full algorithm (the unicode-bidi
crate: explicit embeddings and isolates, weak and neutral types, bracket pairs); the rules
that belong to a line (L1: trailing white space at the paragraph's level; L2: reversing)
are applied here, after lines are broken on the logical text.

The text layer: PDF readers rebuild reading order from the positions of glyphs. Poppler
(pdftotext, Evince, Okular) also reorders the text of an ``/ActualText`` span as if it were
in visual order, with a simple rule of its own (``reorderText``): in a right-to-left page,
runs of right-to-left letters are reversed and runs of left-to-right letters and digits
kept. :func:`reader_order` writes a line's logical text so that this rule gives it back.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bidi import get_display

_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")
#: bidi classes that can raise a level in a left-to-right paragraph
_NOT_PLAIN_LTR = frozenset({"R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


@lru_cache(maxsize=2048)
def paragraph_levels(text: str, rtl: bool) -> tuple[int, ...]:
    """The embedding level of each character of ``text`` (a paragraph: no line breaks),
    the paragraph's own level being 1 when ``rtl``."""
    if not text:
        return ()
    if not rtl and not any(unicodedata.bidirectional(ch) in _NOT_PLAIN_LTR for ch in text):
        return (0,) * len(text)  # nothing right to left and no explicit embedding: all level 0
    info = str(get_display(text, base_dir="R" if rtl else "L", debug=True))
    section = info.split("levels:", 1)[1].split("paragraphs:", 1)[0]
    by_byte = [int(m) for m in _LEVEL.findall(section)]
    levels: list[int] = []
    offset = 0
    for char in text:
        levels.append(by_byte[offset] if offset < len(by_byte) else (1 if rtl else 0))
        offset += len(char.encode("utf-8"))
    if offset != len(by_byte):  # an implementation that reports levels differently
        raise RuntimeError("python-bidi reported levels the engine cannot read")
    return tuple(levels)


def line_levels(text: str, levels: tuple[int, ...] | list[int], start: int, end: int, rtl: bool) -> list[int]:
    """The levels of ``text[start:end]`` with rule L1: trailing white space and format
    characters take the paragraph's level."""
    base = 1 if rtl else 0
    out = list(levels[start:end])
    i = len(out) - 1
    while i >= 0 and (text[start + i].isspace() or unicodedata.category(text[start + i]) == "Cf"):
        out[i] = base
        i -= 1
    for k in range(len(out)):
        ch = text[start + k]
        if ch in "\t" or unicodedata.bidirectional(ch) in ("S", "B"):
            out[k] = base
    return out


def visual_order(levels: list[int]) -> list[int]:
    """Rule L2: the logical indices of a line's characters from left to right."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    lowest_odd = min(level for level in levels if level % 2) if any(lv % 2 for lv in levels) else highest + 1
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        n = len(order)
        while i < n:
            if levels[order[i]] >= level:
                j = i
                while j < n and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


def _strong_rtl(ch: str) -> bool:
    """Right-to-left letters as poppler classes them (bidi classes R and AL)."""
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _ltr_or_number(ch: str) -> bool:
    """Left-to-right letters, and what poppler takes for part of a number: digits and the
    separators and signs around them (bidi classes EN, AN, CS, ES, ET; measured)."""
    return unicodedata.bidirectional(ch) in ("L", "EN", "AN", "CS", "ES", "ET") or ch.isdigit()


def reader_order(logical: str, rtl_page: bool) -> str:
    """The string which, read by poppler's visual-to-logical rule on a page whose main
    direction is right to left (``rtl_page``) or left to right, comes back as ``logical``.

    A right-to-left page is read from its right end: a section of characters that are not
    left-to-right letters or digits, reversed, then a section of characters that are not
    right-to-left letters, as it stands, and so on. A left-to-right page is read from the
    left with the roles swapped. Only white space or punctuation between a left-to-right
    run and a right-to-left one can move (it has no place of its own in that rule); letters,
    digits and their order come back exact.
    """
    sections: list[tuple[bool, str]] = []  # (reversed?, text) in the order they are read back
    i, n = 0, len(logical)
    first_reversed = rtl_page
    reversed_turn = first_reversed
    while i < n:
        j = i
        if reversed_turn:
            while j < n and not _ltr_or_number(logical[j]):
                j += 1
        else:
            while j < n and not _strong_rtl(logical[j]):
                j += 1
        if j > i:
            sections.append((reversed_turn, logical[i:j]))
        i = j
        reversed_turn = not reversed_turn
    pieces = [text[::-1] if rev else text for rev, text in sections]
    if rtl_page:  # read from the right: the first section read is the rightmost
        pieces.reverse()
    return "".join(pieces)

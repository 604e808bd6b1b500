"""How much of a text comes back when a PDF is read: the measure behind the engine's tests.

Both texts are normalised as a person comparing them would: NFKC (presentation forms
become letters), bidi control marks and all white space removed. A word is "found whole"
when its normalised form occurs in the normalised extraction; "in order" is the longest
common subsequence of the characters, over the length of the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub("", _MARKS.sub("", unicodedata.normalize("NFKC", text)))


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (O(len a x len b))."""
    if len(a) > len(b):
        a, b = b, a
    previous = [0] * (len(a) + 1)
    for ch in b:
        current = [0]
        for i, other in enumerate(a):
            current.append(previous[i] + 1 if other == ch else max(previous[i + 1], current[i]))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class CopyPaste:
    words: int
    words_found: int
    missing: tuple[str, ...]
    characters: int
    in_order: int

    @property
    def ratio(self) -> float:
        return self.in_order / self.characters if self.characters else 1.0


def copy_paste(original: str, extracted: str) -> CopyPaste:
    """Compare the logical ``original`` with the text a reader extracted (``extracted``
    may hold more, such as page headers: only ``original``'s characters are counted)."""
    got = normalise(extracted)
    words = [w for w in (normalise(w) for w in original.split()) if w]
    missing = tuple(w for w in words if w not in got)
    want = normalise(original)
    return CopyPaste(
        words=len(words),
        words_found=len(words) - len(missing),
        missing=missing,
        characters=len(want),
        in_order=lcs_length(want, got),
    )

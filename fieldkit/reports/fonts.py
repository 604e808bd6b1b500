"""The fonts a report prints with, and which of them draws each character.

Fonts are registered with reportlab once per process under fixed names. A report language
has a chain of fonts (its own script's first); each character is drawn with the first font
of the chain whose character map has it, so an Arabic paragraph with a Latin name, or a
Chinese one with a number, needs no markup.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fieldkit.paths import resources_dir

#: (name, file, script family) of every bundled face
_FACES: dict[str, str] = {
    "FK-Latin": "NotoSans-Regular.ttf",
    "FK-Latin-Bold": "NotoSans-Bold.ttf",
    "FK-Arabic": "IBMPlexSansArabic-Regular.ttf",
    "FK-Arabic-Bold": "IBMPlexSansArabic-Bold.ttf",
    "FK-CJK": "DroidSansFallback-GB2312.ttf",
}
#: faces whose text is shaped with HarfBuzz even in left-to-right runs (joining scripts)
_COMPLEX = {"FK-Arabic", "FK-Arabic-Bold"}
_lock = threading.Lock()
_PRIVATE_START = 0xE000


@dataclass
class Face:
    """One registered font: its reportlab object, HarfBuzz font and metrics."""

    name: str
    ttf: TTFont
    hb_font: hb.Font
    upem: int
    cmap: frozenset[int]
    ascent: float  # per unit of font size
    descent: float  # negative
    complex_script: bool
    _private: dict[int, int] = field(default_factory=dict)

    def has(self, char: str) -> bool:
        return ord(char) in self.cmap

    def code_for_glyph(self, gid: int, advance_1000: float) -> int:
        """A code point the embedded subset draws ``gid`` for: the character the font maps to
        it, or a private-use one given to a glyph no character maps to (a ligature, a
        contextual form). What it reads as does not matter: shaped text carries its own
        logical text (``/ActualText``)."""
        face = self.ttf.face
        chars = face.glyphToChar.get(gid)
        if chars:
            return int(chars[0])
        with _lock:
            code = self._private.get(gid)
            if code is None:
                code = _PRIVATE_START + len(self._private)
                while code in face.charToGlyph:
                    code += 1
                face.charToGlyph[code] = gid
                face.glyphToChar.setdefault(gid, []).append(code)
                face.charWidths[code] = advance_1000
                self._private[gid] = code
        return code

    def width_1000(self, code: int) -> float:
        """The advance the embedded font gives ``code``, in thousandths of the font size."""
        return float(self.ttf.face.charWidths.get(code, self.ttf.face.defaultWidth))


@cache
def face(name: str) -> Face:
    """The bundled face ``name`` (``FK-Latin``, ``FK-Arabic-Bold`` ...), registered on first use."""
    path = Path(resources_dir()) / "fonts" / _FACES[name]
    with _lock:
        ttf = TTFont(name, str(path))
        pdfmetrics.registerFont(ttf)
    data = path.read_bytes()
    hb_face = hb.Face(hb.Blob(data))
    hb_font = hb.Font(hb_face)
    upem = hb_face.upem
    cmap = frozenset(ttf.face.charToGlyph)
    return Face(
        name=name,
        ttf=ttf,
        hb_font=hb_font,
        upem=upem,
        cmap=cmap,
        ascent=ttf.face.ascent / 1000,
        descent=ttf.face.descent / 1000,
        complex_script=name in _COMPLEX,
    )


@cache
def chain(lang: str, bold: bool = False) -> tuple[Face, ...]:
    """The fonts for text in ``lang``, its own script's first."""
    suffix = "-Bold" if bold else ""
    latin, arabic, cjk = f"FK-Latin{suffix}", f"FK-Arabic{suffix}", "FK-CJK"
    base = lang.split("_")[0].split("-")[0].lower()
    if base in {"ar", "fa", "ur", "ps", "ku"}:
        order = (arabic, latin, cjk)
    elif base in {"zh", "ja"}:
        order = (cjk, latin, arabic)
    else:
        order = (latin, arabic, cjk)
    return tuple(face(n) for n in order)


def _sticky(char: str) -> bool:
    """Characters that take the font of the character before them when it has them:
    combining marks, joiners, spaces and punctuation, so runs stay whole."""
    cat = unicodedata.category(char)
    return cat[0] in "MZPS" or cat == "Cf"


def assign_fonts(text: str, fonts: tuple[Face, ...]) -> list[int]:
    """For each character of ``text``, the index in ``fonts`` of the font that draws it."""
    out: list[int] = []
    prev = 0
    for char in text:
        if out and _sticky(char) and fonts[prev].has(char):
            out.append(prev)
            continue
        if unicodedata.category(char) in ("Mn", "Cf") and out:
            # a mark stays with its letter, and a joiner or bidi control with its neighbour, even
            # where the font has no glyph for it: HarfBuzz and the layout handle them
            out.append(prev)
            continue
        chosen = 0
        for i, candidate in enumerate(fonts):
            if candidate.has(char):
                chosen = i
                break
        out.append(chosen)
        prev = chosen
    return out

"""Lines of text in any script: broken on the logical text, then ordered and shaped.

A paragraph is laid out in four steps:

1. each character gets a font (the first of the language's chain that has it) and a bidi
   level (the full Unicode algorithm over the paragraph);
2. the logical text is cut where a line may break: after spaces, and between Chinese or
   Japanese characters except before closing punctuation or after opening punctuation;
   the pieces fill lines greedily, measured as they will be drawn;
3. each line gets rules L1 and L2 of the bidi algorithm: its characters in visual order,
   cut into runs of one level and one font;
4. each run becomes glyphs: right-to-left runs and runs in a joining script (Arabic) are
   shaped by HarfBuzz; left-to-right Latin, Cyrillic and Chinese are drawn character by
   character with the font's own advances and no ligatures, so their text layer is exact.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import uharfbuzz as hb

from fieldkit.reports.bidi import line_levels, paragraph_levels, visual_order
from fieldkit.reports.fonts import Face, assign_fonts, chain

#: may not begin a line (Chinese and Japanese line-breaking rules, and Latin punctuation)
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉〗〙〛’”…‥・ー々〻゛゜ヽヾゝゞ,.;:?!)]}%·、．")
#: may not end a line
NO_LINE_END = frozenset("（《「『【〔〈〖〘〚‘“([{")
RTL_LANGS = frozenset({"ar", "fa", "ur", "he", "ps", "ku", "yi"})


def is_rtl_language(lang: str) -> bool:
    return lang.split("_")[0].split("-")[0].lower() in RTL_LANGS


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x3000 <= cp <= 0x30FF
        or 0x20000 <= cp <= 0x3FFFF
    )


@dataclass(frozen=True)
class TextStyle:
    """How a piece of text is set: its language picks fonts and direction."""

    lang: str = "en"
    size: float = 10.0
    bold: bool = False
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    leading: float = 1.45  # line height, per unit of size
    align: str = "start"  # start | end | center
    rtl: bool | None = None  # paragraph direction; None: the language's

    @property
    def is_rtl(self) -> bool:
        return is_rtl_language(self.lang) if self.rtl is None else self.rtl

    @property
    def line_height(self) -> float:
        return self.size * self.leading

    def fonts(self) -> tuple[Face, ...]:
        return chain(self.lang, self.bold)


@dataclass
class GlyphRun:
    """Glyphs of one font, in visual order, with positions from the run's left edge (points)."""

    face: Face
    size: float
    codes: list[int]
    xs: list[float]
    ys: list[float]
    width: float
    text: str = ""  # the logical characters the run draws
    rtl: bool = False
    simple: bool = False  # unshaped: each glyph at the font's own advance after the one before


@dataclass
class Line:
    """One laid-out line: its logical text, and glyph runs from left to right."""

    text: str
    runs: list[GlyphRun] = field(default_factory=list)
    width: float = 0.0
    needs_actual_text: bool = False  # shaped or reordered: the glyphs do not read as the text


@lru_cache(maxsize=65536)
def _shape(face_name: str, text: str, rtl: bool) -> tuple[tuple[int, float, float, float], ...]:
    """HarfBuzz glyphs for ``text``: (glyph id, advance, x offset, y offset) in font units."""
    from fieldkit.reports.fonts import face as get_face

    f = get_face(face_name)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(f.hb_font, buf, {"liga": False, "dlig": False} if not f.complex_script else {})
    return tuple(
        (info.codepoint, float(pos.x_advance), float(pos.x_offset), float(pos.y_offset))
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
    )


def _drawn(ch: str) -> bool:
    return unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\u200c\u200d"


@lru_cache(maxsize=131072)
def _simple_width(face_name: str, text: str) -> float:
    """Width of ``text`` drawn unshaped, in thousandths of the font size."""
    from fieldkit.reports.fonts import face as get_face

    f = get_face(face_name)
    widths = f.ttf.face.charWidths
    default = f.ttf.face.defaultWidth
    return float(sum(widths.get(ord(ch), default) for ch in text if _drawn(ch)))


def _needs_shaping(f: Face, text: str, rtl: bool) -> bool:
    return rtl or f.complex_script


def _run_width(f: Face, text: str, rtl: bool, size: float) -> float:
    if _needs_shaping(f, text, rtl):
        return sum(g[1] for g in _shape(f.name, text, rtl)) * size / f.upem
    return _simple_width(f.name, text) * size / 1000


def _glyph_run(f: Face, text: str, rtl: bool, size: float) -> GlyphRun:
    codes: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    pen = 0.0
    if _needs_shaping(f, text, rtl):
        scale = size / f.upem
        for gid, adv, xoff, yoff in _shape(f.name, text, rtl):
            codes.append(f.code_for_glyph(gid, adv * 1000 / f.upem))
            xs.append(pen + xoff * scale)
            ys.append(yoff * scale)
            pen += adv * scale
    else:
        widths = f.ttf.face.charWidths
        default = f.ttf.face.defaultWidth
        for ch in text:
            if not _drawn(ch):
                continue
            code = ord(ch) if f.has(ch) else 0
            codes.append(code if ch != "\u00a0" else 32)
            xs.append(pen)
            ys.append(0.0)
            pen += widths.get(ord(ch), default) * size / 1000
    simple = not _needs_shaping(f, text, rtl)
    return GlyphRun(
        face=f, size=size, codes=codes, xs=xs, ys=ys, width=pen, text=text, rtl=rtl, simple=simple
    )


class _Paragraph:
    """One paragraph (no hard line breaks) with its fonts and levels worked out once."""

    def __init__(self, text: str, style: TextStyle) -> None:
        self.text = text
        self.style = style
        self.fonts = style.fonts()
        self.font_of = assign_fonts(text, self.fonts)
        self.levels = paragraph_levels(text, style.is_rtl) if text else ()

    def width(self, start: int, end: int) -> float:
        """Width of ``text[start:end]`` measured by font runs, as it will be drawn."""
        total = 0.0
        i = start
        while i < end:
            j = i + 1
            fi, odd = self.font_of[i], self.levels[i] % 2
            while j < end and self.font_of[j] == fi and self.levels[j] % 2 == odd:
                j += 1
            total += _run_width(self.fonts[fi], self.text[i:j], bool(odd), self.style.size)
            i = j
        return total

    def breaks(self) -> list[int]:
        """Positions where a line may begin."""
        text = self.text
        out = []
        for i in range(1, len(text)):
            before, here = text[i - 1], text[i]
            if unicodedata.category(here).startswith("M") or here in "\u200c\u200d":
                continue
            after_space = before.isspace() and not here.isspace()
            if after_space or before == "\u200b" or self._cjk_break(before, here):
                out.append(i)
        return out

    @staticmethod
    def _cjk_break(before: str, here: str) -> bool:
        """Between Chinese or Japanese characters, unless punctuation forbids it."""
        if not (_is_cjk(before) or _is_cjk(here)) or here.isspace() or before.isspace():
            return False
        return here not in NO_LINE_START and before not in NO_LINE_END

    def line_ranges(self, width: float) -> list[tuple[int, int]]:
        text = self.text
        if not text:
            return [(0, 0)]
        cuts = [0, *self.breaks(), len(text)]
        ranges: list[tuple[int, int]] = []
        line_start = 0
        k = 1
        while k < len(cuts):
            end = cuts[k]
            if self._fits(line_start, end, width):
                k += 1
                continue
            prev = cuts[k - 1]
            if prev > line_start:  # the piece before this one ends the line
                ranges.append((line_start, prev))
                line_start = prev
                continue
            # one piece wider than the line: cut it between characters
            cut = self._longest_fit(line_start, end, width)
            ranges.append((line_start, cut))
            line_start = cut
            if cut >= end:
                k += 1
        if line_start < len(text) or not ranges:
            ranges.append((line_start, len(text)))
        return ranges

    def _fits(self, start: int, end: int, width: float) -> bool:
        stop = end
        while stop > start and self.text[stop - 1].isspace():
            stop -= 1
        return self.width(start, stop) <= width + 0.01

    def _longest_fit(self, start: int, end: int, width: float) -> int:
        cut = start + 1
        for i in range(start + 1, end + 1):
            if i < end and unicodedata.category(self.text[i]).startswith("M"):
                continue
            if not self._fits(start, i, width):
                break
            cut = i
        while cut < end and unicodedata.category(self.text[cut]).startswith("M"):
            cut += 1
        return cut

    def line(self, start: int, end: int) -> Line:
        text = self.text
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        rtl = self.style.is_rtl
        levels = line_levels(text, self.levels, start, stop, rtl)
        order = visual_order(levels)
        runs: list[GlyphRun] = []
        reordered = any(lv % 2 for lv in levels)
        shaped = False
        i = 0
        while i < len(order):
            first = order[i]
            level, fi = levels[first], self.font_of[start + first]
            step = -1 if level % 2 else 1
            j = i + 1
            while (
                j < len(order)
                and order[j] == order[j - 1] + step
                and levels[order[j]] == level
                and self.font_of[start + order[j]] == fi
            ):
                j += 1
            lo, hi = min(order[i], order[j - 1]), max(order[i], order[j - 1])
            f = self.fonts[fi]
            piece = text[start + lo : start + hi + 1]
            shaped = shaped or _needs_shaping(f, piece, bool(level % 2))
            runs.append(_glyph_run(f, piece, bool(level % 2), self.style.size))
            i = j
        return Line(
            text=text[start:stop],
            runs=runs,
            width=sum(r.width for r in runs),
            needs_actual_text=reordered or shaped,
        )


def layout(text: str, style: TextStyle, width: float) -> list[Line]:
    """``text`` set in lines no wider than ``width`` points (a longer word is cut)."""
    return list(_layout(text, style, round(width, 3)))


@lru_cache(maxsize=8192)
def _layout(text: str, style: TextStyle, width: float) -> tuple[Line, ...]:
    """Laid-out lines are only read once made, so the same cell text shares them."""
    lines: list[Line] = []
    for part in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        para = _Paragraph(part, style)
        for start, end in para.line_ranges(max(width, style.size)):
            lines.append(para.line(start, end))
    return tuple(lines)


def natural_width(text: str, style: TextStyle) -> float:
    """The width ``text`` takes on one line (its longest line when it has several)."""
    widths = [_Paragraph(part, style).width(0, len(part)) for part in text.split("\n")]
    return max(widths, default=0.0)

"""Charts drawn with reportlab.graphics, labelled through the report's own text layout.

reportlab's chart labels are strings drawn character by character, which would print
Arabic unjoined and backwards; so the bars, axes and grid are reportlab.graphics shapes and
every label is set by :mod:`fieldkit.reports.textdraw`, like the rest of the page. In a
right-to-left report horizontal bars grow from the right with their labels on the right;
time runs left to right in every language, as in printed Arabic statistics.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Line, Rect
from reportlab.lib import colors
from reportlab.platypus import Flowable

from fieldkit.reports.model import Chart
from fieldkit.reports.textdraw import draw_text
from fieldkit.reports.textlayout import TextStyle, natural_width
from fieldkit.reports.values import format_month, format_value

PALETTE = (colors.HexColor("#2B6CB0"), colors.HexColor("#A0AEC0"), colors.HexColor("#DD6B20"))
GRID = colors.HexColor("#E2E8F0")


def _drawing(width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    drawing.initialFontName = "FK-Latin"  # else renderPDF names Helvetica, which the page never uses
    return drawing


def nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) for about ``ticks`` grid lines up to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1.0, factor * power)
    return 10 * power


class ChartFlowable(Flowable):
    """A :class:`Chart` as a flowable the width of the frame."""

    def __init__(self, chart: Chart, lang: str, rtl: bool) -> None:
        super().__init__()
        self.chart = chart
        self.lang = lang
        self.rtl = rtl
        self.label_style = TextStyle(lang=lang, size=8, rtl=rtl, color=(0.2, 0.2, 0.2))
        self.value_style = TextStyle(lang=lang, size=7, rtl=rtl, color=(0.3, 0.3, 0.3))
        self.width = 0.0
        self.height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        n = max(1, len(self.chart.labels))
        if self.chart.kind == "bars":
            per = 11.0 * max(1, len(self.chart.series)) + 6
            self.height = n * per + 24 + self._legend_height()
        else:
            self.height = 170.0 + self._legend_height()
        return self.width, self.height

    def _legend_height(self) -> float:
        return 14.0 if len(self.chart.series) > 1 else 0.0

    def _top(self) -> float:
        return max((max(s.values, default=0.0) for s in self.chart.series), default=0.0)

    def draw(self) -> None:
        if self.chart.kind == "bars":
            self._draw_bars()
        else:
            self._draw_timeline()
        self._draw_legend()

    def _draw_legend(self) -> None:
        if len(self.chart.series) < 2:
            return
        canv = self.canv
        x = self.width - 10 if self.rtl else 0.0
        for i, series in enumerate(self.chart.series):
            width = natural_width(series.name, self.label_style)
            box_x = x - 8 if self.rtl else x
            drawing = _drawing(8, 8)
            drawing.add(Rect(0, 0, 8, 8, fillColor=PALETTE[i % len(PALETTE)], strokeColor=None))
            renderPDF.draw(drawing, canv, box_x, self.height - 10)
            text_left = box_x - 4 - width if self.rtl else box_x + 12
            draw_text(canv, series.name, text_left, self.height - 9, width + 1, self.label_style)
            x = text_left - 14 if self.rtl else text_left + width + 14

    def _draw_bars(self) -> None:
        chart, canv = self.chart, self.canv
        series = chart.series
        labels = [format_value(v, "text", self.lang) for v in chart.labels]
        label_width = min(
            self.width * 0.38, max((natural_width(t, self.label_style) for t in labels), default=0) + 6
        )
        value_room = 40.0
        plot_width = self.width - label_width - value_room
        top = self._top() or 1.0
        band = 11.0 * len(series) + 6
        y_top = self.height - self._legend_height() - 4
        drawing = _drawing(self.width, self.height)
        bar_start = self.width - label_width if self.rtl else label_width
        for i, label in enumerate(labels):
            band_top = y_top - i * band
            for k, s in enumerate(series):
                value = s.values[i] if i < len(s.values) else 0.0
                length = plot_width * value / top
                y = band_top - 3 - (k + 1) * 11 + 1
                x = bar_start - length if self.rtl else bar_start
                drawing.add(Rect(x, y, length, 9, fillColor=PALETTE[k % len(PALETTE)], strokeColor=None))
            label_left = self.width - label_width + 4 if self.rtl else 0.0
            draw_text(
                canv,
                label,
                label_left,
                band_top - band / 2 - 3,
                label_width - 6,
                self.label_style,
                align="start",
            )
        drawing.add(Line(bar_start, y_top, bar_start, y_top - band * len(labels), strokeColor=colors.grey))
        renderPDF.draw(drawing, canv, 0, 0)
        for i in range(len(labels)):
            band_top = y_top - i * band
            for k, s in enumerate(series):
                value = s.values[i] if i < len(s.values) else 0.0
                length = plot_width * value / top
                text = format_value(value, "number", self.lang)
                y = band_top - 3 - (k + 1) * 11 + 3
                if self.rtl:
                    draw_text(
                        canv,
                        text,
                        bar_start - length - value_room - 2,
                        y,
                        value_room,
                        self.value_style,
                        align="start",
                    )
                else:
                    draw_text(
                        canv, text, bar_start + length + 2, y, value_room, self.value_style, align="start"
                    )

    def _draw_timeline(self) -> None:
        chart, canv = self.chart, self.canv
        series = chart.series
        n = max(1, len(chart.labels))
        top_value = self._top()
        step = nice_step(top_value)
        top = step * max(1, math.ceil(top_value / step))
        axis_room = 36.0
        bottom = 26.0
        plot_h = self.height - self._legend_height() - bottom - 10
        left = 0.0 if self.rtl else axis_room
        plot_w = self.width - axis_room
        drawing = _drawing(self.width, self.height)
        ticks = round(top / step)
        for t in range(ticks + 1):
            y = bottom + plot_h * t / ticks
            drawing.add(
                Line(left, y, left + plot_w, y, strokeColor=GRID if t else colors.grey, strokeWidth=0.5)
            )
        slot = plot_w / n
        bar_w = max(1.0, (slot * 0.7) / max(1, len(series)))
        for i in range(n):
            for k, s in enumerate(series):
                value = s.values[i] if i < len(s.values) else 0.0
                h = plot_h * value / top if top else 0
                x = left + i * slot + slot * 0.15 + k * bar_w
                drawing.add(Rect(x, bottom, bar_w, h, fillColor=PALETTE[k % len(PALETTE)], strokeColor=None))
        renderPDF.draw(drawing, canv, 0, 0)
        for t in range(ticks + 1):
            y = bottom + plot_h * t / ticks
            text = format_value(step * t, "number", self.lang)
            axis_left = self.width - axis_room + 3 if self.rtl else 0.0
            draw_text(
                canv,
                text,
                axis_left,
                y - 2.5,
                axis_room - 6,
                self.value_style,
                align="end" if not self.rtl else "start",
            )
        texts = [
            format_month(label, self.lang, short=True)
            if isinstance(label, dt.date)
            else format_value(label, "text", self.lang)
            for label in chart.labels
        ]
        widest = max((natural_width(t, self.value_style) for t in texts), default=0.0)
        every = max(1, math.ceil((widest + 8) / slot))
        for i, text in enumerate(texts):
            if i % every:
                continue
            x = left + i * slot
            width = slot * every
            draw_text(
                canv, text, x - width / 2 + slot / 2, bottom - 10, width, self.value_style, align="center"
            )

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        return []

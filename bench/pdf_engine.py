"""The print engine: a 100-page report's time, size and pages per second, and how much of
an Arabic paragraph comes back when it is copied out of the PDF.

- the specimen situation summary (fieldkit.reports.specimen) with enough visits for 100
  pages, in English, Arabic and Chinese: time to print, file size, pages per second
  (median of three runs, each laying out all its text again; fonts are loaded before);
- issue 13's Arabic paragraph (a Latin name, numbers, punctuation, harakat) in a 295 pt
  column, read back with pdftotext: words found whole, characters in order after NFKC with
  bidi marks and white space removed (longest common subsequence).

Run: .venv/bin/python bench/pdf_engine.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.platypus import SimpleDocTemplate  # noqa: E402

from fieldkit.reports import bidi, render, textlayout  # noqa: E402
from fieldkit.reports.specimen import ARABIC_PARAGRAPH, specimen  # noqa: E402
from fieldkit.reports.textcheck import copy_paste  # noqa: E402
from fieldkit.reports.textdraw import TextBlock  # noqa: E402
from fieldkit.reports.textlayout import TextStyle, layout  # noqa: E402

TARGET_PAGES = 100


def forget_layouts() -> None:
    """Empty the engine's caches of laid-out text, so each run lays out every line again
    (as a fresh process would; only the fonts stay loaded)."""
    textlayout._layout.cache_clear()
    textlayout._shape.cache_clear()
    textlayout._simple_width.cache_clear()
    bidi.paragraph_levels.cache_clear()


def rows_for(lang: str, pages: int) -> int:
    """How many table rows make the specimen ``pages`` long (found by doubling, then bisecting)."""
    with tempfile.TemporaryDirectory() as tmp:

        def count(rows: int) -> int:
            return render(specimen(lang, rows=rows), Path(tmp) / "probe.pdf")

        low, high = 0, 1000
        while count(high) < pages:
            low, high = high, high * 2
        while high - low > 10:
            mid = (low + high) // 2
            if count(mid) >= pages:
                high = mid
            else:
                low = mid
        return high


def hundred_pages(lang: str) -> None:
    rows = rows_for(lang, TARGET_PAGES)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{lang}.pdf"
        for _ in range(3):
            forget_layouts()
            start = time.perf_counter()
            pages = render(specimen(lang, rows=rows, contents=True), path)
            times.append(time.perf_counter() - start)
        size = path.stat().st_size
    best = statistics.median(times)
    print(
        f"{lang}: {pages} pages ({rows} table rows, contents, charts): "
        f"{best:.2f} s median of 3 ({min(times):.2f}-{max(times):.2f}), {size / 1e6:.2f} MB, "
        f"{pages / best:.0f} pages/s"
    )


def arabic_copy_paste() -> None:
    style = TextStyle(lang="ar", size=12)
    width = 295.0
    lines = layout(ARABIC_PARAGRAPH, style, width)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ar.pdf"
        margin = (A4[0] - width) / 2
        SimpleDocTemplate(str(path), pagesize=A4, leftMargin=margin, rightMargin=margin).build(
            [TextBlock(ARABIC_PARAGRAPH, style)]
        )
        read = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
        text = read.stdout
    score = copy_paste(ARABIC_PARAGRAPH, text)
    print(
        f"Arabic paragraph ({len(lines)} lines in a {width:.0f} pt column): "
        f"{score.words_found}/{score.words} words found whole, "
        f"{score.in_order}/{score.characters} characters in order ({100 * score.ratio:.1f}%)"
    )
    if score.missing:
        print("  missing:", " ".join(score.missing))


def main() -> None:
    arabic_copy_paste()
    for lang in ("en", "ar", "zh"):
        hundred_pages(lang)


if __name__ == "__main__":
    main()

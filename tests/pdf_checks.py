"""Reading PDFs back the way a person's viewer does: poppler's pdftotext and pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def inked_fraction(path: Path, page: int, dpi: int = 40, body_only: bool = True) -> float:
    """Share of a page's pixels that are not white, rendered by pdftoppm (grey, PGM); with
    ``body_only``, of an A4 page between its header and its footer (26 mm from the top,
    22 mm from the bottom), so that a page with nothing but its furniture counts as blank."""
    crop: list[str] = []
    if body_only:
        per_mm = dpi / 25.4
        top, height = round(26 * per_mm), round((297 - 26 - 22) * per_mm)
        crop = ["-x", "0", "-y", str(top), "-W", str(round(210 * per_mm)), "-H", str(height)]
    raw = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", *crop, "-f", str(page), "-l", str(page), str(path)],
        check=True,
        capture_output=True,
    ).stdout
    # binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel
    parts = raw.split(b"\n", 3)
    width, height = (int(v) for v in parts[1].split())
    pixels = parts[3][: width * height]
    return sum(1 for value in pixels if value < 200) / max(1, len(pixels))

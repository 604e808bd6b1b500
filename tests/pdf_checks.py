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


def inked_fraction(path: Path, page: int, dpi: int = 40) -> float:
    """Share of a page's pixels that are not white, rendered by pdftoppm (grey, PGM)."""
    raw = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(page), "-l", str(page), str(path)],
        check=True,
        capture_output=True,
    ).stdout
    # binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel
    parts = raw.split(b"\n", 3)
    width, height = (int(v) for v in parts[1].split())
    pixels = parts[3][: width * height]
    return sum(1 for value in pixels if value < 200) / max(1, len(pixels))

"""Pages of the print engine's specimen reports as PNG, for docs/screenshots/reports/.

    PYTHONPATH=. .venv/bin/python scripts/report-engine-screenshots.py

Renders fieldkit.reports.specimen in Arabic, Chinese and English and turns chosen pages into
pictures with poppler's pdftoppm (``apt-get install poppler-utils``):
engine-{lang}-{page}.png.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots" / "reports"
sys.path.insert(0, str(ROOT))

from fieldkit.reports import render  # noqa: E402
from fieldkit.reports.specimen import specimen  # noqa: E402

#: (language, page, name): the contents page, the summary with its wrapping paragraph and
#: charts, and a page of the long table with its repeated headings
PAGES = (
    ("ar", 1, "contents"),
    ("ar", 2, "summary"),
    ("ar", 4, "table"),
    ("zh", 2, "summary"),
    ("zh", 4, "table"),
    ("en", 2, "summary"),
    ("en", 4, "table"),
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for lang in sorted({lang for lang, _, _ in PAGES}):
            pdf = Path(tmp) / f"{lang}.pdf"
            render(specimen(lang, rows=120, contents=True), pdf)
            for page_lang, page, name in PAGES:
                if page_lang != lang:
                    continue
                target = OUT / f"engine-{lang}-{name}"
                subprocess.run(
                    [
                        "pdftoppm",
                        "-r",
                        "90",
                        "-png",
                        "-singlefile",
                        "-f",
                        str(page),
                        "-l",
                        str(page),
                        str(pdf),
                        str(target),
                    ],
                    check=True,
                )
                print(f"{target}.png")


if __name__ == "__main__":
    main()

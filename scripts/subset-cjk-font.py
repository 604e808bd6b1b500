"""Make resources/fonts/DroidSansFallback-GB2312.ttf from Debian's fonts-droid-fallback.

The full font (4 MB, 28,601 characters) is cut down to what simplified Chinese text uses:
every character of GB2312 (6,763 hanzi plus its symbols), CJK and full-width punctuation.
reportlab embeds only the glyphs a PDF uses, so this sets what can be printed, not the
size of a report. Run from the repository root with fontTools installed:

    .venv/bin/python scripts/subset-cjk-font.py [/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
TARGET = Path("resources/fonts/DroidSansFallback-GB2312.ttf")


def gb2312_characters() -> set[int]:
    found: set[int] = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([first, second]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    wanted = gb2312_characters()
    wanted |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    wanted |= set(range(0xFF00, 0xFFF0))  # full-width forms
    wanted |= set(range(0x2010, 0x2070))  # general punctuation
    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted & set(font.getBestCmap()))
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(TARGET)
    print(f"{TARGET}: {len(font.getBestCmap())} characters, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

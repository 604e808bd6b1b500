"""An installed wheel carries resources and translations and finds them without the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_data_and_finds_it(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("fieldkit-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "site")
    assert "fieldkit/_data/resources/vocabularies/violation_type.json" in names
    assert "fieldkit/_data/translations/ar/LC_MESSAGES/fieldkit.po" in names
    assert any(n.startswith("fieldkit/migrations/versions/0001") for n in names)
    assert "ui/launcher.py" in names
    for font in ("NotoSans-Regular.ttf", "IBMPlexSansArabic-Bold.ttf", "DroidSansFallback-GB2312.ttf"):
        assert f"fieldkit/_data/resources/fonts/{font}" in names  # printed reports embed them
    assert "fieldkit/_data/resources/fonts/IBMPlexSansArabic-OFL.txt" in names
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from fieldkit.paths import resources_dir, translations_dir;"
        "print(resources_dir()); print(translations_dir())"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "site")], cwd=tmp_path, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    for line in found.stdout.splitlines():
        assert line.startswith(str(tmp_path / "site" / "fieldkit" / "_data")), line

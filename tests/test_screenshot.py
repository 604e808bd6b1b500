"""A real window under Xvfb: the main window on a demo store at 1366x768, grabbed from the screen.

The picture must not be blank, and the sidebar must be on the reading side: the left, or the
right in Arabic, both where the widgets are and in the picture.
The pictures in docs/screenshots/ are made by scripts/screenshots.py, every page and dialog in
three languages at two screen sizes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

pytestmark = pytest.mark.xvfb

ROOT = Path(__file__).resolve().parent.parent
SCREEN = (1366, 768)
CHILD_TIMEOUT_S = 300

CHILD = r"""
import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

out, db, lang = sys.argv[1], sys.argv[2], sys.argv[3]
app = QApplication([sys.argv[0]])
app.setApplicationName("FieldKit")

from fieldkit.opening import open_context
from fieldkit.demo import generate
from fieldkit.services.office import init_office
from ui.app import apply_language, build_main_window
from ui.main_window import MONITORING

apply_language(app, lang)
ctx = open_context(db, create=True)
init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
generate(ctx, "small", seed=1)

window = build_main_window(ctx)
window.setGeometry(0, 0, 1366, 768)
window.show_page(MONITORING)
window.show()


def grab():
    screen = app.primaryScreen()
    ok = screen.grabWindow(0).save(out, "PNG")
    # where the widgets really are, to check the picture against
    places = {}
    for name, widget in (("sidebar", window.sidebar), ("table", window.monitoring.table)):
        corner = widget.mapToGlobal(widget.rect().topLeft())
        places[name] = [corner.x(), corner.y(), widget.width(), widget.height()]
    item = window.sidebar.visualItemRect(window.sidebar.currentItem())
    corner = window.sidebar.viewport().mapToGlobal(item.topLeft())
    places["current_page"] = [corner.x(), corner.y(), item.width(), item.height()]
    places["highlight"] = window.sidebar.palette().color(QPalette.ColorRole.Highlight).getRgb()[:3]
    with open(out + ".json", "w", encoding="utf-8") as fh:
        json.dump(places, fh)
    window.close()
    ctx.close()
    app.exit(0 if ok else 4)


def loaded():
    if window.monitoring.visits.model.rowCount() == 0:
        app.exit(5)  # nothing to show: the picture would prove nothing
        return
    table = window.monitoring.table
    table.setCurrentIndex(table.model().index(0, 0))  # selectRow(0) misses the row in right-to-left layouts
    QTimer.singleShot(800, grab)  # let the selection and the status bar paint


window.monitoring.visits.loaded.connect(loaded)
QTimer.singleShot(120_000, lambda: app.exit(3))
sys.exit(app.exec())
"""


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number between :90 and :199")


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb); it is needed for a real-window screenshot")
    number = _free_display()
    width, height = SCREEN
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                err = server.stderr.read().decode(errors="replace") if server.stderr else ""
                pytest.fail(f"Xvfb :{number} did not start: {err[-2000:]}")
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _check_not_blank(png: Path) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert not image.isNull(), f"{png} is not a readable PNG"
    assert (image.width(), image.height()) == SCREEN
    colours: dict[int, int] = {}
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            rgb = image.pixel(x, y)
            colours[rgb] = colours.get(rgb, 0) + 1
    samples = sum(colours.values())
    assert len(colours) >= 64, f"only {len(colours)} distinct colours: the window did not paint"
    assert max(colours.values()) / samples < 0.9, "one colour covers nearly the whole screen"


def _colours(image: QImage, rect: list[int]) -> Counter[int]:
    x, y, width, height = rect
    return Counter(image.pixel(i, j) for j in range(y, y + height, 2) for i in range(x, x + width, 2))


def _check_layout(png: Path, places: dict[str, list[int]], right_to_left: bool) -> None:
    """The sidebar on the reading side, the list beside it, and the picture showing it there."""
    from PySide6.QtGui import QColor, QImage

    sidebar, table, current = places["sidebar"], places["table"], places["current_page"]
    width = SCREEN[0]
    if right_to_left:
        assert sidebar[0] > width / 2 and table[0] + table[2] <= sidebar[0], places
    else:
        assert sidebar[0] + sidebar[2] < width / 2 and sidebar[0] + sidebar[2] <= table[0], places
    # the current page's row is painted in the selection colour where the sidebar is, and that
    # colour is not what lies at the mirrored place across the screen
    image = QImage(str(png))
    here = _colours(image, current)
    highlight, count = here.most_common(1)[0]
    assert count / sum(here.values()) > 0.5, "the current page's row is not one colour in the picture"
    painted = QColor(highlight).getRgb()[:3]
    expected = places["highlight"]
    assert max(abs(a - b) for a, b in zip(painted, expected, strict=True)) < 24, (
        f"the current page's row is {painted}, not the selection colour {expected}"
    )
    mirrored = [width - current[0] - current[2], *current[1:]]
    there = _colours(image, mirrored)
    assert there[highlight] / sum(there.values()) < 0.2, "the sidebar is painted on the other side"


@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "main-window.png"), ("ar", "main-window-ar.png"), ("zh", "main-window-zh.png")],
)
def test_main_window_screenshot(xvfb_display: str, tmp_path: Path, lang: str, name: str) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    out = tmp_path / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(
        QT_QPA_PLATFORM="xcb",
        DISPLAY=xvfb_display,
        FIELDKIT_HOME=str(tmp_path / "home"),
        FIELDKIT_USER="screenshot",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    env.pop("FIELDKIT_DB", None)
    done = subprocess.run(
        [sys.executable, str(script), str(out), str(tmp_path / "demo.db"), lang],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
    )
    assert done.returncode == 0, f"window process failed ({done.returncode}):\n{done.stderr[-4000:]}"
    _check_not_blank(out)
    places = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
    _check_layout(out, places, right_to_left=lang == "ar")

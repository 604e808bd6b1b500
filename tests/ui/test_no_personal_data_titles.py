"""Window titles reach task bars, window lists and screen sharing: no record text in any of them."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit, OpenWindow

from fieldkit.services.monitoring_types import PersonData

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")
NAME = "Zawadi Kipchumba"


def test_an_editor_on_a_named_visit_keeps_record_text_out_of_every_title(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    visit = make_visit(title=f"Visit to {NAME} at Kamiti", people=(PersonData(code="V-01", full_name=NAME),))
    window = open_window()
    dialog = window.editing.open_visit(visit.id)
    qtbot.waitUntil(lambda: dialog.editor.visit_id == visit.id and dialog.editor.isEnabled(), timeout=WAIT_MS)
    assert dialog.editor.general.title.text() == f"Visit to {NAME} at Kamiti"  # it is in the form
    dialog.editor.general.title.setText(f"{NAME}, second visit")  # typing changes the title too
    titles = [w.windowTitle() for w in QApplication.topLevelWidgets()]
    assert dialog.windowTitle() in titles and "Monitoring visit" in dialog.windowTitle()
    for title in titles:
        assert "Kipchumba" not in title and "Kamiti" not in title and "Zawadi" not in title, title
    dialog.editor.shutdown()
    dialog._may_close = True
    dialog.close()

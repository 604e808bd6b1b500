"""The Sync page shows a packet imported before as done, not as refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS
from sync_offices import add_visits, offices

from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet
from ui.pages.sync_page import SyncPage
from ui.workspace import load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", None)


def _texts(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


def _page(qtbot: QtBot, page: SyncPage) -> SyncPage:
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.refresh()
    return page


def test_the_preview_marks_a_packet_imported_before_and_offers_nothing_to_import(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0]
        import_packet(o["ROEA"], packet)
        page = _page(qtbot, SyncPage(load_workspace(o["ROEA"])))
        with qtbot.waitSignal(page.preview_ready, timeout=WAIT_MS) as blocker:
            page.import_paths([packet])
        [item] = blocker.args[0]
        assert item.summary.status == "already-imported" and not item.importable
        dialog = page.preview_dialog
        assert dialog is not None and not dialog.import_button.isEnabled()
        assert dialog.model.index(0, 2).data() == "Already imported"
        # information, not a failure: not the refusal red, and no "Reason:" for a refusal
        colour = dialog.model.index(0, 2).data(Qt.ItemDataRole.DecorationRole)
        assert colour is not None and colour.name() != "#b00020"
        assert "Reason:" not in dialog.details.toPlainText()
        assert "This packet was imported before: there is nothing to do." in _texts(dialog)
        dialog.reject()


def test_a_packet_imported_meanwhile_ends_in_an_information_box(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0]
        page = _page(qtbot, SyncPage(load_workspace(o["ROEA"])))
        import_packet(o["ROEA"], packet)  # by another window, after the preview
        with qtbot.waitSignal(page.imported, timeout=WAIT_MS):
            page.run_import([packet])
        box = page.last_box
        assert box is not None and box.icon() == QMessageBox.Icon.Information
        assert box.text() == "The packet was imported before; nothing to do."
        assert "1.fieldkit: nothing to do: This packet was already imported" in box.informativeText()


def test_a_folder_with_old_and_new_packets_counts_each_as_it_is(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        old = export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0]
        import_packet(o["ROEA"], old)
        add_visits(o["KE-NBO"], 1, prefix="Later")
        new = export_packet(o["KE-NBO"], "ROEA", tmp_path / "2.fieldkit").paths[0]
        page = _page(qtbot, SyncPage(load_workspace(o["ROEA"])))
        with qtbot.waitSignal(page.imported, timeout=WAIT_MS):
            page.run_import([old, new])
        box = page.last_box
        assert box is not None and box.icon() == QMessageBox.Icon.Information
        assert box.text() == "1 of 2 packets imported. 1 was imported before."

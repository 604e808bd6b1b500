"""The Sync page over real office stores: export, the preview, import, refusals, mass deletions."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS
from sqlalchemy import Engine, event
from sync_offices import add_visits, offices

from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.monitoring import delete_visit
from fieldkit.services.office import init_office, local_office
from fieldkit.services.visit_list import list_visits
from fieldkit.sync import packet as fmt
from fieldkit.sync.export import ExportResult, export_packet
from fieldkit.sync.importer import import_packet
from fieldkit.sync.outbox import OutgoingChanges
from ui.pages.sync_dialogs import ExportOptions, OwnCardDialog, PreviewItem
from ui.pages.sync_page import SyncPage
from ui.workspace import load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", None)


def _page(qtbot: QtBot, ctx: Context) -> SyncPage:
    page = SyncPage(load_workspace(ctx))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.refresh()
    return page


def _cells(page: SyncPage, row: int) -> list[str]:
    model = page.partner_model
    return [model.index(row, c).data() for c in range(model.columnCount())]


def _visits(ctx: Context) -> int:
    return list_visits(ctx).total


@contextmanager
def statements_on(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` runs inside the block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _preview(qtbot: QtBot, page: SyncPage, paths: list[Path]) -> list[PreviewItem]:
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT_MS) as blocker:
        page.import_paths(paths)
    items: list[PreviewItem] = blocker.args[0]
    return items


def test_export_through_the_dialog_writes_the_packet(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        page = _page(qtbot, o["KE-NBO"])
        assert _cells(page, 0)[:5] == ["ROEA", "Office ROEA", "Regional office", "Never", "Never"]
        assert page.export_button.isEnabled()
        out = tmp_path / "stick"
        out.mkdir()
        dialog = page.open_export_dialog()
        assert dialog.chosen_partner() == "ROEA"
        dialog.folder.setText(str(out))
        dialog.share.setChecked(True)
        assert dialog.share_warning.isVisibleTo(dialog)
        dialog.share.setChecked(False)
        with qtbot.waitSignal(page.exported, timeout=WAIT_MS) as blocker:
            dialog.export_button.click()
        result = blocker.args[0]
        assert [p.parent for p in result.paths] == [out] and result.paths[0].exists()
        assert result.paths[0].name.startswith("KE-NBO-to-ROEA-")
        assert result.changes > 0
        assert page.last_box is not None and str(result.paths[0]) in page.last_box.informativeText()
        qtbot.waitUntil(lambda: page.log_model.rowCount() == 1, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: _cells(page, 0)[4] != "Never", timeout=WAIT_MS)
        assert page.log_model.index(0, 3).data() == "Exported"


def test_changes_to_send_move_to_awaiting_receipt_after_an_export(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        page = _page(qtbot, o["KE-NBO"])
        headers = [page.partner_model.headerData(c, Qt.Orientation.Horizontal) for c in (5, 6)]
        assert headers == ["Not yet sent", "Awaiting receipt"]
        assert _cells(page, 0)[5:7] == ["10", "0"]
        results: list[ExportResult] = []
        page.exported.connect(results.append)
        with qtbot.waitSignal(page.data_changed, timeout=WAIT_MS) as changed:
            page.export_to("ROEA", tmp_path, ExportOptions())
        assert changed.args[0].packets and results[0].changes == 10
        qtbot.waitUntil(lambda: _cells(page, 0)[5:7] == ["0", "10"], timeout=WAIT_MS)
        assert page.log_model.index(0, 4).data().startswith("10 changes")


def test_partners_show_before_their_changes_are_counted(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting the changes to send is the slow part on a large store: the table does not wait."""
    from ui.pages import sync_page

    release = threading.Event()
    counted = sync_page.outgoing_changes

    def held(ctx: Context) -> dict[str, OutgoingChanges]:
        assert release.wait(WAIT_MS / 1000), "the test never released the count"
        return counted(ctx)

    monkeypatch.setattr(sync_page, "outgoing_changes", held)
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        page = SyncPage(load_workspace(o["KE-NBO"]))
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
            page.refresh()
            qtbot.waitUntil(lambda: page.partner_model.rowCount() == 1, timeout=WAIT_MS)
            assert _cells(page, 0)[0] == "ROEA" and _cells(page, 0)[5:7] == ["…", "…"]
            release.set()
        assert _cells(page, 0)[5:7] == ["10", "0"]


def test_export_in_parts_and_to_a_missing_folder(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        page = _page(qtbot, o["KE-NBO"])
        with qtbot.waitSignal(page.exported, timeout=WAIT_MS) as blocker:
            page.export_to("ROEA", tmp_path, ExportOptions(full=True, attachments=False, part_mb=1))
        assert all(p.exists() for p in blocker.args[0].paths)
        missing = tmp_path / "no-such-folder"
        page.export_to("ROEA", missing, ExportOptions())
        # the default failure handler explains; no file is written under the folder's name
        qtbot.waitUntil(lambda: any("does not exist" in b.text() for b in page.findChildren(QMessageBox)),
                        timeout=WAIT_MS)  # fmt: skip
        assert not missing.exists()


def test_import_previews_then_imports_and_updates_the_partners(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 3)
        packets = tmp_path / "inbox"
        packets.mkdir()
        export_packet(o["KE-NBO"], "ROEA", packets)
        page = _page(qtbot, o["ROEA"])
        assert _cells(page, 0)[:4] == ["KE-NBO", "Office KE-NBO", "Country office", "Never"]

        with statements_on(o["ROEA"].store.write_engine) as written:
            items = _preview(qtbot, page, [packets])  # a folder: its packets
        assert written == [], "a preview is not an import rolled back"
        assert [i.summary.status for i in items] == ["preview"]
        dialog = page.preview_dialog
        assert dialog is not None and dialog.import_button.isEnabled()
        row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
        assert row[1:3] == ["KE-NBO", "Ready to import"]
        # three visits, each with an incident, a follow-up, a person and an involvement
        assert int(row[3]) == items[0].summary.new == 15
        assert "15 changes" in dialog.details.toPlainText()
        assert "Changes by record type: " in dialog.details.toPlainText()
        assert _visits(o["ROEA"]) == 0, "a preview changes nothing"

        with qtbot.waitSignal(page.data_changed, timeout=WAIT_MS):
            dialog.import_button.click()
        assert _visits(o["ROEA"]) == 3
        qtbot.waitUntil(lambda: _cells(page, 0)[3] != "Never", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: page.log_model.rowCount() == 1, timeout=WAIT_MS)
        assert page.log_model.index(0, 1).data() == "In"
        assert page.log_model.index(0, 3).data() == "Imported"
        assert page.last_box is not None and page.last_box.text() == "1 of 1 packet imported."
        assert "15 changes made new records" in page.last_box.informativeText()
        assert page.log_model.index(0, 4).data() == "15 changes made new records"


def test_a_tampered_packet_is_refused_in_the_preview_and_changes_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        good = export_packet(o["KE-NBO"], "ROEA", tmp_path / "good.fieldkit").paths[0]
        with zipfile.ZipFile(good) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        manifest = json.loads(members[fmt.MANIFEST])
        manifest["recipients"] = ["ROEA", "HQ"]  # changed after signing
        members[fmt.MANIFEST] = json.dumps(manifest).encode()
        bad = tmp_path / "bad.fieldkit"
        with zipfile.ZipFile(bad, "w") as zf:
            for name, data in members.items():
                zf.writestr(fmt.entry(name), data)
        page = _page(qtbot, o["ROEA"])

        items = _preview(qtbot, page, [bad])
        assert [i.summary.status for i in items] == ["refused"]
        dialog = page.preview_dialog
        assert dialog is not None
        assert not dialog.import_button.isEnabled()
        assert dialog.model.index(0, 2).data() == "Refused"
        assert dialog.model.index(0, 3).data() is None  # no counts for a refused packet
        assert "signature" in dialog.details.toPlainText().lower()
        dialog.reject()
        assert _visits(o["ROEA"]) == 0
        # the refusal log beside the store is read back into the page's log
        with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
            page.refresh()
        assert page.log_model.index(0, 3).data() == "Refused"
        assert "signature" in page.log_model.index(0, 4).data().lower()
        assert _cells(page, 0)[3] == "Never"


def test_mass_deletion_needs_import_anyway(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        ids = add_visits(o["KE-NBO"], 20)
        first = export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0]
        import_packet(o["ROEA"], first)
        for visit_id in ids[:5]:
            delete_visit(o["KE-NBO"], visit_id)
        second = export_packet(o["KE-NBO"], "ROEA", tmp_path / "2.fieldkit").paths[0]
        page = _page(qtbot, o["ROEA"])

        items = _preview(qtbot, page, [second])
        # the deletions are in the rows, which only the import reads: it refuses, then asks
        assert items[0].summary.status == "preview"
        dialog = page.preview_dialog
        assert dialog is not None and dialog.import_button.isEnabled()
        dialog.import_button.click()

        def asked() -> bool:
            return page.last_box is not None and "large share" in page.last_box.text()

        qtbot.waitUntil(asked, timeout=WAIT_MS)
        assert _visits(o["ROEA"]) == 20
        box = page.last_box
        assert box is not None
        anyway = next(b for b in box.buttons() if b.text() == "Import anyway")
        with qtbot.waitSignal(page.data_changed, timeout=WAIT_MS):
            anyway.click()
        assert _visits(o["ROEA"]) == 15
        qtbot.waitUntil(lambda: _cells(page, 0)[3] != "Never", timeout=WAIT_MS)


def test_dropping_a_packet_on_the_page_previews_it(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "p.fieldkit").paths[0]
        page = _page(qtbot, o["ROEA"])
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(packet))])
        args = (QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier)  # fmt: skip
        enter = QDragEnterEvent(QPoint(10, 10), *args[1:])
        page.dragEnterEvent(enter)
        assert enter.isAccepted()
        with qtbot.waitSignal(page.preview_ready, timeout=WAIT_MS) as blocker:
            page.dropEvent(QDropEvent(*args))
        assert [i.path for i in blocker.args[0]] == [packet]


def test_an_empty_folder_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        page = _page(qtbot, o["ROEA"])
        empty = tmp_path / "empty"
        empty.mkdir()
        page.import_paths([empty])
        qtbot.waitUntil(lambda: page.last_box is not None, timeout=WAIT_MS)
        assert page.last_box is not None and "No packet files" in page.last_box.text()
        assert page.preview_dialog is None


def test_cards_are_saved_and_a_partner_is_trusted_after_confirming(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, ("UG-KLA", "country-office", "ROEA")) as _o:
        new = open_context(tmp_path / "TZ-DAR.db", create=True)  # an office that knows nobody yet
        try:
            init_office(new, "TZ-DAR", "Dar es Salaam office", "country-office", "ROEA")
            page = _page(qtbot, new)
            assert page.partner_model.rowCount() == 0 and not page.export_button.isEnabled()
            page.save_card(tmp_path / "own.card.json")
            qtbot.waitUntil(lambda: page.findChild(OwnCardDialog) is not None, timeout=WAIT_MS)
            own = page.findChild(OwnCardDialog)
            assert own is not None and (tmp_path / "own.card.json").exists()
            assert "-".join(own.fingerprint.groups) == local_office(new).fingerprint  # type: ignore[union-attr]
            own.reject()

            page.open_card(tmp_path / "UG-KLA.card.json")
            qtbot.waitUntil(lambda: page.trust_dialog is not None, timeout=WAIT_MS)
            trust = page.trust_dialog
            assert trust is not None and not trust.rekey_warning.isVisibleTo(trust)
            assert "-".join(trust.fingerprint.groups) == trust.card.fingerprint
            assert not trust.trust_button.isEnabled()
            trust.confirm.setChecked(True)
            with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
                trust.trust_button.click()
            assert _cells(page, 0)[0] == "UG-KLA" and page.export_button.isEnabled()

            keys = tmp_path / "keys"
            page.back_up_keys_to(keys, "a recovery passphrase")
            qtbot.waitUntil(lambda: page.last_box is not None, timeout=WAIT_MS)
            assert "new.age-identity.age" not in {p.name for p in keys.iterdir()}
            assert len(list(keys.glob("*.age-identity.age"))) == 1
        finally:
            new.close()

"""The editor's one-line fields take no more text than the store's declarations allow."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS
from sync_offices import offices, visit

from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.services.monitoring import save_visit
from fieldkit.services.records import update_record
from fieldkit.store.registry import MODEL_BY_TYPE
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet
from ui.editor.followups import FollowUpsPage
from ui.editor.general import GeneralPage
from ui.editor.people import PeoplePage
from ui.pages.conflicts_page import ConflictsPage
from ui.workspace import load_workspace

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

#: (page, widget attribute) -> the column it edits
EDITS = {
    ("general", "title"): ("monitoring_visit", "title"),
    ("general", "location"): ("monitoring_visit", "location_text"),
    ("general", "team"): ("monitoring_visit", "team"),
    ("people", "code"): ("person", "code"),
    ("people", "full_name"): ("person_identity", "full_name"),
    ("people", "other_names"): ("person_identity", "other_names"),
    ("people", "contact"): ("person_identity", "contact"),
    ("people", "address"): ("person_identity", "address"),
    ("follow_ups", "responsible"): ("follow_up", "responsible"),
}


def test_every_one_line_field_stops_at_its_declared_length(qtbot: QtBot, ctx: Context) -> None:
    vocab = vocabularies(ctx)
    today = lambda: dt.date(2026, 3, 2)  # noqa: E731
    pages = {
        "general": GeneralPage(vocab, [], today),
        "people": PeoplePage(vocab, today),
        "follow_ups": FollowUpsPage(vocab, today),
    }
    for page in pages.values():
        qtbot.addWidget(page)
    for (page, attribute), (record_type, column) in EDITS.items():
        edit = getattr(pages[page], attribute)
        assert isinstance(edit, QLineEdit)
        declared = MODEL_BY_TYPE[record_type].__table__.c[column].type.length
        assert declared is not None and edit.maxLength() == declared, (page, attribute)
        edit.setText("x" * (declared + 5))
        assert len(edit.text()) == declared


def test_a_new_value_for_a_conflict_stops_at_its_declared_length(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        visit_id = save_visit(o["KE-NBO"], visit()).value.id
        assert visit_id is not None
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0])
        update_record(o["KE-NBO"], "monitoring_visit", visit_id, {"title": "Field title"})
        update_record(o["ROEA"], "monitoring_visit", visit_id, {"title": "Regional title"})
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "2.fieldkit").paths[0])
        page = ConflictsPage(load_workspace(o["ROEA"]))
        qtbot.addWidget(page)
        with qtbot.waitSignals([page.loaded, page.detail_loaded], timeout=WAIT_MS):
            page.refresh()
        assert page.detail is not None
        [choice] = page.detail.fields
        assert choice.name == "title" and choice.edit.maxLength() == 400

"""Pages for modules that arrive in a later version: what they will do, so nobody thinks it is broken."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from fieldkit.i18n import _
from ui.widgets import note, page_frame


class ComingLaterPage(QWidget):
    def __init__(self, title: str, summary: str, features: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_frame(self, title, scroll=True)
        badge = QLabel(_("Coming in a later version"), self)
        badge.setObjectName("ComingLaterBadge")
        badge.setStyleSheet(
            "QLabel#ComingLaterBadge { background: #fff4ce; color: #5c4400; border: 1px solid #e0c96b;"
            " border-radius: 4px; padding: 4px 8px; }"
        )
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeading)
        layout.addWidget(note(summary, self))
        layout.addWidget(note(_("What this page will let you do:"), self))
        for feature in features:
            # A bullet as text keeps the list readable in right-to-left languages too.
            layout.addWidget(note(_("• {feature}").format(feature=feature), self))
        layout.addWidget(
            note(
                _(
                    "Until then, the command line can already export records "
                    "('{command}'), and the Monitoring page works in full."
                ).format(command="fieldkit export-data"),
                self,
            )
        )
        layout.addStretch(1)


def projects_page(parent: QWidget | None = None) -> ComingLaterPage:
    return ComingLaterPage(
        _("Projects"),
        _("Technical-cooperation projects with partners and governments: their goals, budgets and progress."),
        [
            _("Record projects with their partners, funding, dates and the implementation gaps they address"),
            _("Link follow-up actions from monitoring visits to the project that carries them out"),
            _("Track outputs and indicators over the life of a project"),
        ],
        parent,
    )


def recommendations_page(parent: QWidget | None = None) -> ComingLaterPage:
    return ComingLaterPage(
        _("Recommendations"),
        _("Recommendations from treaty bodies, special procedures and the UPR, with their status."),
        [
            _("Import and search recommendations by mechanism, theme and affected group"),
            _("Record what the government and partners did about each one, with evidence"),
            _("See which recommendations have had no action for a long time"),
        ],
        parent,
    )


def training_page(parent: QWidget | None = None) -> ComingLaterPage:
    return ComingLaterPage(
        _("Training"),
        _("Training events and their participants: who was trained, on what, and what came of it."),
        [
            _("Plan events and keep rosters of participants by organisation and audience"),
            _("Record evaluations and counts by sex and audience for reporting"),
            _("Find everyone trained on a topic in a region"),
        ],
        parent,
    )


def sync_page(parent: QWidget | None = None) -> ComingLaterPage:
    return ComingLaterPage(
        _("Sync"),
        _(
            "Exchange records with partner offices through signed, encrypted packet files "
            "carried on a USB stick or sent by email."
        ),
        [
            _("Write a packet of your changes for a partner office, and read the packets they send"),
            _("See when the last packet came in from and went out to each partner"),
            _("Resolve the rare edit made to the same record in two offices at once"),
        ],
        parent,
    )

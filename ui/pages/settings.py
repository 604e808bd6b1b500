"""Settings: interface language, this office's identity (read-only) and where the store is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from fieldkit.i18n import LANGUAGES, _, current_language, isolate, pgettext
from ui import prefs
from ui.bidi import beside_label
from ui.pages.store_protection_box import StoreProtectionBox
from ui.widgets import note, page_frame
from ui.wipe_dialog import emergency_box
from ui.workspace import Workspace


def _value(text: str, parent: QWidget, *, monospace: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setAlignment(beside_label())
    if monospace:
        label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return label


class SettingsPage(QWidget):
    language_chosen = Signal(str)
    #: minutes without input before the window locks (0: never), saved already
    idle_minutes_chosen = Signal(int)
    lock_now_requested = Signal()
    change_password_requested = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_frame(self, _("Settings"), scroll=True)

        language_box = QGroupBox(_("Interface language"), self)
        language_form = QFormLayout(language_box)
        language_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.language = QComboBox(language_box)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.currentIndexChanged.connect(self._language_changed)
        language_form.addRow(_("Language"), self.language)
        self.language_note = note("", language_box)
        language_form.addRow(self.language_note)
        self.show_language(current_language())
        layout.addWidget(language_box)

        office_box = QGroupBox(_("This office"), self)
        office_form = QFormLayout(office_box)
        office = workspace.office
        if office is None:
            office_form.addRow(note(_("This store has no office yet."), office_box))
        else:
            office_type = workspace.vocab.label("office_type", office.office_type)
            office_form.addRow(_("Code"), _value(office.code, office_box))
            office_form.addRow(_("Name"), _value(office.name, office_box))
            office_form.addRow(_("Type"), _value(office_type, office_box))
            parent_code = office.parent_code or pgettext("no parent office", "None")
            office_form.addRow(_("Parent office"), _value(parent_code, office_box))
            office_form.addRow(_("Key fingerprint"), _value(office.fingerprint, office_box, monospace=True))
            office_form.addRow(
                note(
                    _("Partner offices check this fingerprint before they trust packets from this office."),
                    office_box,
                )
            )
        layout.addWidget(office_box)

        store_box = QGroupBox(_("Store"), self)
        store_form = QFormLayout(store_box)
        kind = _("SQLite file") if workspace.store.path is not None else _("Database server")
        store_form.addRow(_("Kind"), _value(kind, store_box))
        where = pgettext("where the store file is", "Location")
        store_form.addRow(where, _value(workspace.store.display, store_box))
        store_form.addRow(
            note(
                _("To use another store, start FieldKit with {option} or set {variable}.").format(
                    option="--db PATH", variable="FIELDKIT_DB"
                ),
                store_box,
            )
        )
        layout.addWidget(store_box)
        self.protection = StoreProtectionBox(workspace, self)
        layout.addWidget(self.protection)
        layout.addWidget(self._locking_box())
        layout.addWidget(emergency_box(workspace, self))
        layout.addStretch(1)

    def _locking_box(self) -> QGroupBox:
        box = QGroupBox(_("Locking"), self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.idle_minutes = QSpinBox(box)
        self.idle_minutes.setRange(0, prefs.MAX_IDLE_MINUTES)
        self.idle_minutes.setSpecialValueText(_("Never"))
        self.idle_minutes.setSuffix(_(" min"))
        self.idle_minutes.setValue(prefs.idle_minutes())
        self.idle_minutes.valueChanged.connect(self._idle_minutes_changed)
        label = QLabel(_("Lock after &idle time"), box)
        label.setBuddy(self.idle_minutes)
        form.addRow(label, self.idle_minutes)
        self.lock_now = QPushButton(_("Lock &now"), box)
        self.lock_now.clicked.connect(self.lock_now_requested)
        button_row = QHBoxLayout()
        button_row.addWidget(self.lock_now)
        self.change_password = QPushButton(_("&Change my password…"), box)
        self.change_password.clicked.connect(self.change_password_requested)
        self.change_password.hide()  # shown on a store with accounts
        button_row.addWidget(self.change_password)
        button_row.addStretch(1)
        form.addRow(button_row)
        self.lock_note = note(self._lock_note_text(), box)
        form.addRow(self.lock_note)
        return box

    def show_lockable(self, lockable: bool, why_not: str, *, accounts: bool = False) -> None:
        """Whether this store can be locked; ``why_not`` is shown when it cannot."""
        self.change_password.setVisible(accounts)
        self.lock_now.setEnabled(lockable)
        self.lock_now.setToolTip("" if lockable else why_not)
        # the idle time stays settable: it is a preference for every store
        self.lock_note.setText(self._lock_note_text() if lockable else why_not)

    @staticmethod
    def _lock_note_text() -> str:
        return _("The window locks after this many minutes without keyboard or mouse input (0: never).")

    def _idle_minutes_changed(self, minutes: int) -> None:
        prefs.save_idle_minutes(minutes)
        self.idle_minutes_chosen.emit(minutes)

    def show_language(self, code: str, reason: str = "") -> None:
        """Show ``code`` as the language in use, without choosing it again; ``reason`` says why
        a choice did not apply."""
        blocked = self.language.blockSignals(True)
        self.language.setCurrentIndex(max(self.language.findData(code), 0))
        self.language.blockSignals(blocked)
        text = reason
        if not text and prefs.command_line_language() == code:
            otherwise = LANGUAGES[prefs.choose_language(None)]
            text = _(
                "Chosen with {option} when FieldKit was started; without it, FieldKit starts in {language}."
            ).format(option=isolate(f"--lang {code}"), language=otherwise)
        self.language_note.setText(text)
        self.language_note.setVisible(bool(text))

    def _language_changed(self, index: int) -> None:
        code = self.language.itemData(index)
        if isinstance(code, str):
            prefs.save_language(code)
            prefs.set_command_line_language(None)  # the user's own choice from now on
            self.language_note.hide()
            self.language_chosen.emit(code)

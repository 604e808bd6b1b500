"""First-run setup: a new office or one restored from its keys, whether the store is encrypted,
who this office is, its first administrator (optional), which language to use, and optional demo
data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from fieldkit.context import Context
from fieldkit.domain.accounts import sign_in
from fieldkit.errors import describe_error
from fieldkit.i18n import LANGUAGES, _, current_language, ngettext
from fieldkit.progress import Progress
from fieldkit.services.keys import RestoredKeys
from fieldkit.services.office import OfficeInfo, init_office, local_office, validate_office_fields
from fieldkit.services.store_protection import encrypt_open_store
from fieldkit.services.users import MIN_PASSWORD_LENGTH, add_user
from ui import prefs
from ui.first_run_pages import ProtectionPage, RestorePage, StartPage
from ui.key_restore import run_restore
from ui.ops import Op, show_failure
from ui.widgets import error_label, note, show_error
from ui.workspace import Workspace, load_workspace

DEMO_SCALE = "small"


@dataclass(frozen=True)
class OfficeFields:
    code: str
    name: str
    office_type: str
    parent_code: str | None


def _upper_as_typed(edit: QLineEdit) -> None:
    """Office codes are capitals; convert while typing so the user sees what will be stored."""

    def convert(text: str) -> None:
        if text != text.upper():
            position = edit.cursorPosition()
            edit.setText(text.upper())
            edit.setCursorPosition(position)

    edit.textEdited.connect(convert)


class OfficePage(QWizardPage):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = workspace.ctx
        self._checked: OfficeFields | None = None  # the values the store last found valid
        self._checking = False
        self.setTitle(_("Set up this office"))
        self.setSubTitle(
            _("FieldKit keeps this office's records in this store. The office code identifies every record "
              "it creates and every packet it sends to partner offices; it cannot be changed later.")
        )  # fmt: skip
        self.code = QLineEdit(self)
        self.code.setPlaceholderText(_("for example KE-NBO"))
        self.code.setMaxLength(32)
        _upper_as_typed(self.code)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(_("for example Kenya country office"))
        self.office_type = QComboBox(self)
        for term in workspace.vocab.terms("office_type"):
            self.office_type.addItem(term.label(), term.code)
        self.office_type.setCurrentIndex(
            max(self.office_type.findData("country-office"), 0)
        )  # the usual case
        self.parent_code = QLineEdit(self)
        self.parent_code.setPlaceholderText(_("optional, for example ROEA"))
        self.parent_code.setMaxLength(32)
        _upper_as_typed(self.parent_code)
        self.errors = {key: error_label(self) for key in ("code", "name", "office_type", "parent_code")}
        self.general_error = error_label(self)

        form = QFormLayout(self)
        for key, text, widget in (
            ("code", _("Office &code"), self.code),
            ("name", _("Office &name"), self.name),
            ("office_type", _("Office &type"), self.office_type),
            ("parent_code", _("&Parent office code"), self.parent_code),
        ):
            cell = QWidget(self)
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(self.errors[key])
            label = QLabel(text, self)
            label.setBuddy(widget)  # not the cell: QLabel ignores a buddy that takes no focus
            form.addRow(label, cell)
        form.addRow(self.general_error)
        self.registerField("code*", self.code)
        self.registerField("name*", self.name)
        for key, edit in (("code", self.code), ("name", self.name), ("parent_code", self.parent_code)):
            edit.textEdited.connect(lambda _text, k=key: show_error(self.errors[k], None))

    def values(self) -> OfficeFields:
        office_type = self.office_type.currentData()
        return OfficeFields(
            code=self.code.text().strip().upper(),
            name=self.name.text().strip(),
            office_type=office_type if isinstance(office_type, str) else "",
            parent_code=self.parent_code.text().strip().upper() or None,
        )

    def validatePage(self) -> bool:
        """Ask the store (off the GUI thread); the page moves on when the answer comes back clean."""
        values = self.values()
        if values == self._checked:
            return True
        if not self._checking:
            self._checking = True
            ctx = self._ctx

            def fn(progress: Progress) -> dict[str, str]:
                return validate_office_fields(
                    ctx, values.code, values.name, values.office_type, values.parent_code
                )

            Op(self, fn).on_success(lambda errors: self._checked_values(values, errors)).on_failure(
                self._check_failed
            ).run()
        return False

    def _checked_values(self, values: OfficeFields, errors: dict[str, str]) -> None:
        self._checking = False
        for key, label in self.errors.items():
            show_error(label, errors.get(key))
        if errors:
            return
        self._checked = values
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            wizard.next()

    def _check_failed(self, exc: BaseException) -> None:
        self._checking = False
        show_error(self.general_error, describe_error(exc))

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            show_error(label, errors.get(key))
        self._checked = None


@dataclass(frozen=True)
class AdministratorFields:
    username: str
    display_name: str
    password: str


class AdministratorPage(QWizardPage):
    """The first administrator account; left empty, the store has no accounts (yet)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("First administrator"))
        self.setSubTitle(
            _("With an account, FieldKit asks who signs in, and each user sees and does only what their "
              "role allows. Leave these empty for a computer one person uses; you can add accounts later.")
        )  # fmt: skip
        form = QFormLayout(self)
        self.username = QLineEdit(self)
        self.display_name = QLineEdit(self)
        self.password = QLineEdit(self)
        self.repeat = QLineEdit(self)
        for line in (self.password, self.repeat):
            line.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password = QCheckBox(_("S&how the password"), self)
        self.show_password.toggled.connect(self._show_password)
        self.error = error_label(self)
        form.addRow(_("&User name"), self.username)
        form.addRow(_("&Display name"), self.display_name)
        form.addRow(_("Pass&word"), self.password)
        form.addRow(_("&Repeat the password"), self.repeat)
        form.addRow(self.show_password)
        form.addRow(self.error)
        self.hint = note("", self)
        form.addRow(self.hint)
        self.password.textChanged.connect(self._hint)
        self._hint("")

    def _show_password(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for line in (self.password, self.repeat):
            line.setEchoMode(mode)

    def _hint(self, text: str) -> None:
        count = len(text)
        self.hint.setText(
            ngettext(
                "{count} character; at least {minimum}. A few unrelated words are easy to remember.",
                "{count} characters; at least {minimum}. A few unrelated words are easy to remember.",
                count,
            ).format(count=count, minimum=MIN_PASSWORD_LENGTH)
        )

    def values(self) -> AdministratorFields | None:
        name = self.username.text().strip()
        if not name:
            return None
        return AdministratorFields(name, self.display_name.text().strip() or name, self.password.text())

    def validatePage(self) -> bool:
        values = self.values()
        if values is None:
            if self.password.text() or self.display_name.text().strip():
                show_error(self.error, _("Type a user name, or leave every field empty for no accounts."))
                return False
            show_error(self.error, None)
            return True
        problem = None
        if len(values.password) < MIN_PASSWORD_LENGTH:
            problem = _("A password needs at least {count} characters.").format(count=MIN_PASSWORD_LENGTH)
        elif values.password != self.repeat.text():
            problem = _("The two passwords differ.")
        show_error(self.error, problem)
        if problem is not None:
            self.repeat.clear()
            self.password.setFocus()
        return problem is None


def _with_administrator(ctx: Context, admin: AdministratorFields | None) -> Context:
    """``ctx`` once the first account exists, signed in as it (store work: in the setup Op)."""
    if admin is None:
        return ctx
    add_user(ctx, admin.username, display_name=admin.display_name, roles=["administrator"],
             password=admin.password)  # fmt: skip
    principal = sign_in(ctx.store, admin.username, lambda: admin.password, ctx.now())
    return replace(ctx, user=admin.username, acting_as=principal)


class LanguagePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Interface language"))
        self.setSubTitle(_("The language of FieldKit's windows. Records can be written in any language."))
        self.language = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(current_language()), 0))
        form = QFormLayout(self)
        form.addRow(_("&Language"), self.language)
        form.addRow(note(_("You can change it later under Settings."), self))

    def chosen(self) -> str:
        code = self.language.currentData()
        return code if isinstance(code, str) else "en"


class DemoPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Demo data"))
        self.setSubTitle(_("Try FieldKit out on fictional records before you enter real ones."))
        self.fill = QCheckBox(_("&Fill this store with demo data"), self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fill)
        layout.addWidget(
            note(
                _("Adds a few hundred made-up monitoring visits, places and follow-ups. Every demo record is "
                  "fictional. Leave this unticked for a store that will hold real records."),
                self,
            )
        )  # fmt: skip
        self.status = QLabel(self)
        layout.addWidget(self.status)
        layout.addStretch(1)


class FirstRunWizard(QWizard):
    """On Finish, creates the office (and demo data) through Op, then emits ``completed``."""

    completed = Signal(object)  # the reloaded Workspace, now with its office

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._running = False
        self.office_info: OfficeInfo | None = None
        self.setWindowTitle(_("FieldKit: first-run setup"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.restored: RestoredKeys | None = None
        self._encrypted = False
        #: a plain store in a file may be encrypted before the office's keys are written into it
        self.offers_protection = workspace.store.path is not None and workspace.ctx.store.key is None
        self.start_page = StartPage(self)
        self.protection_page = ProtectionPage(self)
        self.office_page = OfficePage(workspace, self)
        self.restore_page = RestorePage(workspace.ctx, self)
        self.admin_page = AdministratorPage(self)
        self.language_page = LanguagePage(self)
        self.demo_page = DemoPage(self)
        for page_id, page in enumerate(self._pages()):
            self.setPage(page_id, page)
        self.setStartId(0)
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Start using FieldKit"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("Next"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("Back"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.resize(640, 460)

    def _pages(self) -> tuple[QWizardPage, ...]:
        return (self.start_page, self.protection_page, self.office_page, self.restore_page,
                self.admin_page, self.language_page, self.demo_page)  # fmt: skip

    def restoring(self) -> bool:
        return self.start_page.restoring()

    def sequence(self) -> list[QWizardPage]:
        """The pages this setup goes through, as chosen on the first page."""
        pages: list[QWizardPage] = [self.start_page]
        if self.offers_protection:
            pages.append(self.protection_page)
        pages.append(self.restore_page if self.restoring() else self.office_page)
        pages += [self.admin_page, self.language_page]
        if not self.restoring():
            pages.append(self.demo_page)
        return pages

    def nextId(self) -> int:
        pages = self.sequence()
        current = self.currentPage()
        if current not in pages or current is pages[-1]:
            return -1
        return self._pages().index(pages[pages.index(current) + 1])

    def chosen_language(self) -> str:
        return self.language_page.chosen()

    def accept(self) -> None:
        if self._running:
            return
        self._set_running(True)
        if self.office_info is not None:  # an earlier try created the office; only the reload failed
            self._reload()
            return
        passphrase = self.protection_page.passphrase() if self.offers_protection else None
        if passphrase is None or self._encrypted:
            self._set_up_office()
            return
        ctx = self._ws.ctx

        def encrypt(progress: Progress) -> list[Path]:
            # before the office's secret keys are written: they never reach a plain file
            return encrypt_open_store(ctx, passphrase)

        op = Op(self, encrypt).with_progress(_("Encrypting the store…"), cancellable=False)
        op.on_success(self._store_encrypted).on_failure(self._encryption_failed).run()

    def _store_encrypted(self, _removed: list[Path]) -> None:
        self._encrypted = True
        self._set_up_office()

    def _encryption_failed(self, exc: BaseException) -> None:
        self._set_running(False)
        while self.currentPage() is not self.protection_page and self.currentId() > 0:
            self.back()
        show_error(self.protection_page.fields.error, describe_error(exc))

    def _set_up_office(self) -> None:
        ctx, admin = self._ws.ctx, self.admin_page.values()
        request = self.restore_page.checked if self.restoring() else None
        values = self.office_page.values()

        def fn(progress: Progress) -> tuple[OfficeInfo, Context, RestoredKeys | None]:
            # the window is built after this from a workspace loaded afresh: no change to announce
            restored = None
            if request is not None:
                restored = run_restore(ctx, request)
                info = local_office(ctx)
                assert info is not None, "a restored office without its row"
            else:
                info = init_office(
                    ctx, values.code, values.name, values.office_type, values.parent_code
                ).value
            return info, _with_administrator(ctx, admin), restored

        op = Op(self, fn).with_progress(_("Setting up the office…"), cancellable=False)
        op.on_success(self._office_created).on_failure(self._setup_failed).run()

    def _set_running(self, running: bool) -> None:
        self._running = running
        for button in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton,
                       QWizard.WizardButton.CancelButton):  # fmt: skip
            self.button(button).setEnabled(not running)

    def _office_created(self, created: tuple[OfficeInfo, Context, RestoredKeys | None]) -> None:
        info, ctx, self.restored = created
        self.office_info = info
        self._ws = replace(self._ws, ctx=ctx)  # signed in as the first administrator, if there is one
        prefs.save_language(self.chosen_language())
        if self.restoring() or not self.demo_page.fill.isChecked():
            self._reload()
            return
        ctx = self._ws.ctx

        def fn(progress: Progress) -> object:
            from fieldkit.demo import generate

            return generate(ctx, DEMO_SCALE, progress=progress)

        self.demo_page.status.setText(_("Filling the store with demo data…"))
        op = Op(self, fn).with_progress(_("Filling the store with demo data…"))
        op.on_success(lambda _result: self._reload()).on_cancel(self._reload).on_failure(
            self._demo_failed
        ).run()

    def _demo_failed(self, exc: BaseException) -> None:
        show_failure(self, exc)  # the office exists: carry on with an empty store
        self._reload()

    def _setup_failed(self, exc: BaseException) -> None:
        self._set_running(False)
        fields = getattr(exc, "fields", None)
        if self.restoring() and self.office_info is None:
            self.restore_page.checked = None
            while self.currentPage() is not self.restore_page and self.currentId() > 0:
                self.back()
            self.restore_page.source.show_failure(exc)
        elif isinstance(fields, dict) and fields:
            self.office_page.show_errors(fields)
            while self.currentPage() is not self.office_page and self.currentId() > 0:
                self.back()
        else:
            show_failure(self, exc)

    def _reload(self) -> None:
        ctx = self._ws.ctx
        Op(self, lambda p: load_workspace(ctx)).on_success(self._done).on_failure(self._setup_failed).run()

    def _done(self, workspace: Workspace) -> None:
        self._ws = workspace
        self._running = False
        super().accept()
        self.completed.emit(workspace)

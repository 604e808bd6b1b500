"""The first-run assistant's pages for a new computer: how to begin (a new office, or one restored
from its key backup or shares), and whether the store is encrypted with a passphrase."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QRadioButton, QVBoxLayout, QWidget, QWizardPage

from fieldkit.context import Context
from fieldkit.crypto.keybackup import KeyBundle
from fieldkit.i18n import _
from fieldkit.progress import Progress
from ui.key_restore import RestoreRequest, RestoreSourceForm, check_restore, restored_text
from ui.ops import Op
from ui.store_protection import NewPassphraseFields, cannot_be_recovered
from ui.widgets import error_label, note, show_error, tab_stop_follows_check


class StartPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Welcome to FieldKit"))
        self.setSubTitle(_("This store has no office yet. How do you want to begin?"))
        self.new_office = QRadioButton(_("Set up a &new office"), self)
        self.restore = QRadioButton(_("&Restore an office from a key backup or shares"), self)
        self.new_office.setChecked(True)
        tab_stop_follows_check(self.new_office, self.restore)
        layout = QVBoxLayout(self)
        layout.addWidget(self.new_office)
        layout.addWidget(note(_("For an office that starts using FieldKit now."), self))
        layout.addWidget(self.restore)
        layout.addWidget(
            note(
                _("For an office that used FieldKit on another computer, lost or replaced: its keys come "
                  "back from the backup or the shares made there, and its records from a partner office."),
                self,
            )
        )  # fmt: skip
        layout.addStretch(1)

    def restoring(self) -> bool:
        return self.restore.isChecked()


class ProtectionPage(QWizardPage):
    """A new store is encrypted unless the user chooses, warned, to keep it plain."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Protect the store"))
        self.setSubTitle(
            _("The store will hold the office's records and its secret keys. Encrypted, it can be read "
              "only with its passphrase, even by someone who copies the file or takes the computer.")
        )  # fmt: skip
        self.encrypt = QRadioButton(_("&Encrypt the store with a passphrase (recommended)"), self)
        self.plain = QRadioButton(_("Keep the store &unencrypted"), self)
        self.encrypt.setChecked(True)
        tab_stop_follows_check(self.encrypt, self.plain)
        form = QFormLayout(self)
        form.addRow(self.encrypt)
        self.fields = NewPassphraseFields(form, self)
        self.recovery = note(cannot_be_recovered(), self)
        self.recovery.setObjectName("CannotBeRecovered")
        form.addRow(self.recovery)
        form.addRow(self.plain)
        self.plain_warning = note(
            _("Unencrypted, anyone who copies the store file or takes this computer can read every record "
              "and the office's secret keys. Choose this only if this computer's disk is encrypted and no "
              "one else uses it; you can encrypt the store later under Settings."),
            self,
        )  # fmt: skip
        self.plain_warning.setObjectName("PlainWarning")
        form.addRow(self.plain_warning)
        self.encrypt.toggled.connect(self._chosen)
        self._chosen(True)

    def _chosen(self, _checked: bool) -> None:
        encrypting = self.encrypt.isChecked()
        self.fields.set_enabled(encrypting)
        self.recovery.setEnabled(encrypting)
        show_error(self.fields.error, None)

    def passphrase(self) -> str | None:
        """The passphrase to encrypt with (None: a plain store); valid once the page is."""
        return self.fields.passphrase.text() if self.encrypt.isChecked() else None

    def validatePage(self) -> bool:
        return not self.encrypt.isChecked() or self.fields.checked() is not None


class RestorePage(QWizardPage):
    """Where the keys come from; Next reads them (off the GUI thread) and shows whose they are."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._checking = False
        self.checked: RestoreRequest | None = None
        self.bundle: KeyBundle | None = None
        self.setTitle(_("Restore the office"))
        self.setSubTitle(
            _("Choose the key backup folder written on the old computer and type its recovery passphrase, "
              "or give enough of the shares.")
        )  # fmt: skip
        layout = QVBoxLayout(self)
        self.source = RestoreSourceForm(self)
        layout.addWidget(self.source)
        self.found = QLabel(self)
        self.found.setWordWrap(True)
        self.found.setObjectName("RestoreFound")
        self.found.hide()
        layout.addWidget(self.found)
        self.general_error = error_label(self)
        layout.addWidget(self.general_error)
        layout.addStretch(1)

    def validatePage(self) -> bool:
        request = self.source.request()
        if request is None:
            self.found.hide()
            return False
        if request == self.checked:
            return True
        if not self._checking:
            self._checking = True
            ctx = self._ctx

            def fn(_progress: Progress) -> KeyBundle:
                return check_restore(ctx, request)

            Op(self, fn).with_progress(_("Reading the keys…"), cancellable=False).on_success(
                lambda bundle: self._read(request, bundle)
            ).on_failure(self._failed).run()
        return False

    def _read(self, request: RestoreRequest, bundle: KeyBundle) -> None:
        """Show whose keys they are; Next again goes on with them."""
        self._checking = False
        self.checked, self.bundle = request, bundle
        self.found.setText(
            "\n".join(
                [
                    _("These are the keys of:"),
                    restored_text(bundle.office_code, bundle.office_name or "?", bundle.fingerprint),
                    _("Compare the fingerprint with the one partner offices have for this office, then "
                      "press Next."),
                ]
            )
        )  # fmt: skip
        self.found.show()

    def _failed(self, exc: BaseException) -> None:
        self._checking = False
        self.checked = self.bundle = None
        self.found.hide()
        self.source.show_failure(exc)

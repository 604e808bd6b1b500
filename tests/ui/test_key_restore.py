"""Restoring the office keys in the window: from a key backup or from shares, in the Sync page's
dialog and in the first-run assistant; and the assistant's encrypted new store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2  # noqa: F401 (autouse: cheap argon2 parameters)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS
from unlock_support import CHEAP_KDF

from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context, opened
from fieldkit.services.keys import backup_keys, split_keys
from fieldkit.services.office import init_office, local_office
from fieldkit.store import cipher
from fieldkit.store.cipher import PassphraseError
from ui import app as app_module
from ui import ops
from ui.first_run import FirstRunWizard
from ui.key_restore import RestoreKeysDialog
from ui.workspace import load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

RECOVERY = "a recovery passphrase of several words"
STORE_PASSPHRASE = "purple staple orbit lantern"
CHEAP_MINISIGN = (524288, 16777216)


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cipher, "kdf_params", CHEAP_KDF)


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[Context]:
    """The new laptop's store: no office yet."""
    context = open_context(tmp_path / "laptop" / "store.db", create=True)
    yield context
    context.close()


def _fingerprint(ctx: Context) -> str:
    office = local_office(ctx)
    assert office is not None
    return office.fingerprint


def _dialog(qtbot: QtBot, ctx: Context) -> RestoreKeysDialog:
    dialog = RestoreKeysDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _share_files(ctx: Context, folder: Path, threshold: int = 3, count: int = 5) -> list[Path]:
    split_keys(ctx, folder, threshold, count)
    return sorted(folder.glob("*-share-*.txt"))


def _settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)


def test_restore_from_a_backup_folder_after_a_wrong_passphrase(
    qtbot: QtBot, ctx: Context, laptop: Context, tmp_path: Path
) -> None:
    folder = tmp_path / "key-backup"
    backup_keys(ctx, folder, RECOVERY, minisign_cost=CHEAP_MINISIGN)
    dialog = _dialog(qtbot, laptop)
    dialog.source.folder.setText(str(folder))
    dialog.source.passphrase.setText("not the recovery passphrase")
    dialog.accept()
    qtbot.waitUntil(dialog.source.backup_error.isVisible, timeout=WAIT_MS)
    assert dialog.source.backup_error.text() == "Wrong recovery passphrase for this key backup"
    assert not dialog.source.shares_error.isVisible() and dialog.isVisible()
    assert local_office(laptop) is None  # nothing changed

    dialog.source.passphrase.setText(RECOVERY)
    with qtbot.waitSignal(dialog.restored, timeout=WAIT_MS) as done:
        dialog.accept()
    restored = done.args[0]
    assert restored.created_office and restored.office_code == "KE-NBO"
    assert restored.fingerprint == _fingerprint(ctx) == _fingerprint(laptop)
    text = dialog.result_box.text()
    assert "Office restored." in text and restored.fingerprint in text and "full packet" in text
    assert not dialog.isVisible()
    _settle(qtbot)


def test_restore_from_three_of_five_shares_after_too_few(
    qtbot: QtBot, ctx: Context, laptop: Context, tmp_path: Path
) -> None:
    shares = _share_files(ctx, tmp_path / "shares")
    assert len(shares) == 5
    dialog = _dialog(qtbot, laptop)
    dialog.source.add_share_files(shares[:2])
    assert dialog.source.from_shares.isChecked()
    dialog.accept()
    qtbot.waitUntil(dialog.source.shares_error.isVisible, timeout=WAIT_MS)
    assert "3" in dialog.source.shares_error.text() and "\n" not in dialog.source.shares_error.text()
    assert local_office(laptop) is None

    dialog.source.add_share_files([shares[4]])
    with qtbot.waitSignal(dialog.restored, timeout=WAIT_MS) as done:
        dialog.accept()
    assert done.args[0].fingerprint == _fingerprint(ctx) == _fingerprint(laptop)
    _settle(qtbot)


def test_another_offices_shares_are_refused_and_change_nothing(
    qtbot: QtBot, ctx: Context, tmp_path: Path
) -> None:
    with opened(tmp_path / "other.db", create=True) as other:
        init_office(other, "TZ-DAR", "Tanzania office", "country-office", None)
        foreign = _share_files(other, tmp_path / "foreign", 2, 3)
    own = _share_files(ctx, tmp_path / "own", 2, 3)
    before = _fingerprint(ctx)

    dialog = _dialog(qtbot, ctx)  # typed from paper: one of ours, one of theirs
    dialog.source.share_text.setPlainText(own[0].read_text("utf-8") + "\n" + foreign[1].read_text("utf-8"))
    dialog.accept()
    qtbot.waitUntil(dialog.source.shares_error.isVisible, timeout=WAIT_MS)
    assert "holds the keys of another office" in dialog.source.shares_error.text()

    dialog.source.share_text.setPlainText("\n".join(p.read_text("utf-8") for p in foreign[:2]))
    dialog.accept()
    qtbot.waitUntil(lambda: "Nothing was changed" in dialog.source.shares_error.text(), timeout=WAIT_MS)
    assert "TZ-DAR" in dialog.source.shares_error.text()
    assert _fingerprint(ctx) == before and dialog.isVisible()
    dialog.reject()
    _settle(qtbot)


def _wizard(qtbot: QtBot, ctx: Context) -> FirstRunWizard:
    wizard = FirstRunWizard(load_workspace(ctx))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def _next(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def _encrypting(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    page = wizard.protection_page
    assert wizard.currentPage() is page and page.encrypt.isChecked()
    assert "Nobody can recover it" in page.recovery.text()
    qtbot.keyClicks(page.fields.passphrase, "short")
    assert "short enough to be guessed" in page.fields.hint.text()
    page.fields.passphrase.clear()
    qtbot.keyClicks(page.fields.passphrase, STORE_PASSPHRASE)
    qtbot.keyClicks(page.fields.repeat, STORE_PASSPHRASE + "x")
    _next(qtbot, wizard)
    assert wizard.currentPage() is page and page.fields.error.text() == "The two passphrases differ."
    qtbot.keyClicks(page.fields.repeat, STORE_PASSPHRASE)
    _next(qtbot, wizard)


def test_the_assistant_creates_an_encrypted_store_by_default(
    qtbot: QtBot, bare_ctx: Context, store_path: Path
) -> None:
    wizard = _wizard(qtbot, bare_ctx)
    _next(qtbot, wizard)  # a new office
    _encrypting(qtbot, wizard)
    assert wizard.currentPage() is wizard.office_page
    qtbot.keyClicks(wizard.office_page.code, "KE-NBO")
    qtbot.keyClicks(wizard.office_page.name, "Kenya country office")
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin_page, timeout=WAIT_MS)
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS) as done:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    workspace = done.args[0]
    assert workspace.office is not None and workspace.office.code == "KE-NBO"
    assert cipher.is_encrypted(store_path) and bare_ctx.store.key is not None
    _settle(qtbot)
    bare_ctx.close()
    with pytest.raises(PassphraseError):
        open_context(store_path)
    with opened(store_path, credentials=Credentials(passphrase=lambda: STORE_PASSPHRASE)) as again:
        assert again.office_code == "KE-NBO"


def test_the_assistant_restores_an_office_from_typed_shares_into_an_encrypted_store(
    qtbot: QtBot, ctx: Context, laptop: Context, tmp_path: Path
) -> None:
    shares = _share_files(ctx, tmp_path / "shares")
    wizard = _wizard(qtbot, laptop)
    wizard.start_page.restore.setChecked(True)
    _next(qtbot, wizard)
    _encrypting(qtbot, wizard)
    page = wizard.restore_page
    assert wizard.currentPage() is page
    page.source.share_text.setPlainText("\n".join(p.read_text("utf-8") for p in shares[1:3]))
    _next(qtbot, wizard)  # two of five: refused under the shares
    qtbot.waitUntil(page.source.shares_error.isVisible, timeout=WAIT_MS)
    assert wizard.currentPage() is page
    page.source.share_text.setPlainText("\n".join(p.read_text("utf-8") for p in shares[1:4]))
    _next(qtbot, wizard)  # read: whose keys they are, for the user to compare
    qtbot.waitUntil(page.found.isVisible, timeout=WAIT_MS)
    assert _fingerprint(ctx) in page.found.text() and "KE-NBO" in page.found.text()
    assert wizard.currentPage() is page
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.admin_page
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.language_page
    assert wizard.nextId() == -1  # no demo data for a restored office
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS) as done:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert done.args[0].office.code == "KE-NBO"
    assert wizard.restored is not None and wizard.restored.fingerprint == _fingerprint(ctx)
    assert laptop.store.key is not None and _fingerprint(laptop) == _fingerprint(ctx)
    _settle(qtbot)


def test_startup_says_to_import_a_full_packet_after_a_restore(
    qtbot: QtBot, qapp: QApplication, ctx: Context, tmp_path: Path
) -> None:
    shares = _share_files(ctx, tmp_path / "shares")
    assert isinstance(qapp, QApplication)
    startup = app_module.Startup(qapp, str(tmp_path / "new.db"))
    try:
        startup.start()
        qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible(), timeout=WAIT_MS)
        wizard = startup.wizard
        assert wizard is not None
        wizard.start_page.restore.setChecked(True)
        _next(qtbot, wizard)
        wizard.protection_page.plain.setChecked(True)
        assert "can read every record" in wizard.protection_page.plain_warning.text()
        _next(qtbot, wizard)
        wizard.restore_page.source.add_share_files(shares[:3])
        _next(qtbot, wizard)
        qtbot.waitUntil(wizard.restore_page.found.isVisible, timeout=WAIT_MS)
        _next(qtbot, wizard)
        _next(qtbot, wizard)
        wizard.button(QWizard.WizardButton.FinishButton).click()
        qtbot.waitUntil(lambda: startup.restored_box is not None, timeout=WAIT_MS)
        assert startup.restored_box is not None and "full packet" in startup.restored_box.text()
        assert startup.window is not None and startup.window.workspace.office is not None
        qtbot.waitUntil(lambda: not startup.window.monitoring.visits.busy, timeout=WAIT_MS)  # type: ignore[union-attr]
    finally:
        if startup.window is not None:
            startup.window.close()
            startup.window.deleteLater()
        startup.close_store()
        startup.deleteLater()

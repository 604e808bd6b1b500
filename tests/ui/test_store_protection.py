"""Settings › Store protection: encrypting the open store, changing its passphrase, backing it up;
real SQLCipher stores with cheap key-derivation costs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2  # noqa: F401 (autouse: cheap argon2 parameters)
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit
from unlock_support import CHEAP_KDF, RIGHT_PASSPHRASE, WRONG_MESSAGE, mark_encrypted

from fieldkit.access import Permission, Policy, Principal
from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context, opened
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import list_visits
from fieldkit.store import cipher, files
from fieldkit.store.cipher import PassphraseError
from ui import ops
from ui.app import build_main_window
from ui.lock import controller_of
from ui.main_window import MainWindow
from ui.pages.store_protection_box import StoreProtectionBox
from ui.store_protection import ChangePassphraseDialog, EncryptStoreDialog
from ui.workspace import load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

NEW_PASSPHRASE = "purple staple orbit lantern"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cipher, "kdf_params", CHEAP_KDF)


def _titles(ctx: Context) -> list[str]:
    return sorted(row.title for row in list_visits(ctx, VisitFilter(), limit=50).rows)


def _window(qtbot: QtBot, ctx: Context) -> MainWindow:
    window = build_main_window(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.monitoring.visits.busy, timeout=WAIT_MS)
    return window


def _box(qtbot: QtBot, window: MainWindow) -> StoreProtectionBox:
    box = window.settings_page.protection
    qtbot.waitUntil(lambda: box.info is not None, timeout=WAIT_MS)
    return box


@pytest.fixture
def encrypted_ctx(
    ctx: Context, make_visit: MakeVisit, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    make_visit(title="Visit to Kamiti prison")
    now = ctx.now
    ctx.close()
    mark_encrypted(monkeypatch, store_path)
    again = open_context(store_path, credentials=Credentials(passphrase=lambda: RIGHT_PASSPHRASE))
    again.now = now
    yield again
    again.close()


def test_encrypting_the_open_store_keeps_every_visit_and_asks_for_the_passphrase_next_time(
    qtbot: QtBot, ctx: Context, make_visit: MakeVisit, store_path: Path
) -> None:
    make_visit(title="Visit to Kamiti prison")
    make_visit(title="Visit to Shimo la Tewa")
    before = _titles(ctx)
    backup = store_path.with_name(store_path.name + ".before-upgrade.bak")
    backup.write_bytes(store_path.read_bytes())  # a plain copy FieldKit made beside the store
    window = _window(qtbot, ctx)
    box = _box(qtbot, window)
    assert box.status.text() == "Not encrypted"
    assert box.encrypt_button is not None and box.encrypt_button.isVisibleTo(box)
    assert box.change_button is not None and not box.change_button.isVisibleTo(box)

    box.encrypt()
    dialog = box.dialog
    assert isinstance(dialog, EncryptStoreDialog)
    assert "Nobody can recover it" in dialog.findChild(type(dialog.fields.hint), "CannotBeRecovered").text()
    dialog.fields.passphrase.setText(NEW_PASSPHRASE)
    dialog.fields.repeat.setText("another one")
    dialog.accept()
    assert dialog.fields.error.text() == "The two passphrases differ." and dialog.isVisible()
    assert not cipher.is_encrypted(store_path)
    dialog.fields.repeat.setText(NEW_PASSPHRASE)
    with qtbot.waitSignal(box.changed, timeout=WAIT_MS):
        dialog.accept()
    qtbot.waitUntil(lambda: box.info is not None and box.info.encrypted, timeout=WAIT_MS)
    assert cipher.is_encrypted(store_path) and not backup.exists()
    assert store_path in dialog.removed and backup in dialog.removed
    assert str(backup) in dialog.result_box.informativeText()
    assert box.status.text().startswith("Encrypted with SQLCipher")
    assert box.costs.text() == "Argon2id: 0 MiB, 1 passes, 1 lanes"
    assert box.change_button.isVisibleTo(box) and not box.encrypt_button.isVisibleTo(box)
    # the window goes on with the store, opened again with its key; the window can lock now
    assert ctx.store.key is not None and _titles(ctx) == before
    lock = controller_of(window)
    assert lock is not None
    qtbot.waitUntil(lambda: lock.method == "passphrase", timeout=WAIT_MS)
    window.close()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    ctx.close()

    with pytest.raises(PassphraseError):
        open_context(store_path)
    with opened(store_path, credentials=Credentials(passphrase=lambda: NEW_PASSPHRASE)) as again:
        assert _titles(again) == before


def test_a_wrong_current_passphrase_is_refused_on_one_line_and_changes_nothing(
    qtbot: QtBot, encrypted_ctx: Context, store_path: Path
) -> None:
    header = files.header_path(store_path).read_bytes()
    window = _window(qtbot, encrypted_ctx)
    box = _box(qtbot, window)
    box.change_passphrase()
    dialog = box.dialog
    assert isinstance(dialog, ChangePassphraseDialog)
    dialog.old.setText("not the passphrase")
    dialog.fields.passphrase.setText(NEW_PASSPHRASE)
    dialog.fields.repeat.setText(NEW_PASSPHRASE)
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.old_error.isVisible(), timeout=WAIT_MS)
    assert dialog.old_error.text() == WRONG_MESSAGE and "\n" not in dialog.old_error.text()
    assert not dialog.fields.error.isVisible() and dialog.isVisible()
    assert files.header_path(store_path).read_bytes() == header
    assert _titles(encrypted_ctx) == ["Visit to Kamiti prison"]  # the window's store is still open
    dialog.reject()
    window.close()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    encrypted_ctx.close()
    with opened(store_path, credentials=Credentials(passphrase=lambda: RIGHT_PASSPHRASE)) as again:
        assert _titles(again) == ["Visit to Kamiti prison"]


def test_changing_the_passphrase_reopens_the_store_under_the_new_one(
    qtbot: QtBot, encrypted_ctx: Context, store_path: Path
) -> None:
    window = _window(qtbot, encrypted_ctx)
    box = _box(qtbot, window)
    box.change_passphrase()
    dialog = box.dialog
    assert isinstance(dialog, ChangePassphraseDialog)
    dialog.old.setText(RIGHT_PASSPHRASE)
    dialog.fields.passphrase.setText(NEW_PASSPHRASE)
    dialog.fields.repeat.setText(NEW_PASSPHRASE)
    with qtbot.waitSignal(box.changed, timeout=WAIT_MS):
        dialog.accept()
    assert "Backups made before keep the old passphrase" in dialog.result_box.text()
    assert _titles(encrypted_ctx) == ["Visit to Kamiti prison"]
    window.close()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    encrypted_ctx.close()
    with pytest.raises(PassphraseError):
        open_context(store_path, credentials=Credentials(passphrase=lambda: RIGHT_PASSPHRASE))
    with opened(store_path, credentials=Credentials(passphrase=lambda: NEW_PASSPHRASE)) as again:
        assert _titles(again) == ["Visit to Kamiti prison"]


def test_a_backup_now_is_encrypted_as_the_store_is(
    qtbot: QtBot, encrypted_ctx: Context, tmp_path: Path
) -> None:
    window = _window(qtbot, encrypted_ctx)
    box = _box(qtbot, window)
    target = tmp_path / "copies" / "store-copy.db"
    target.parent.mkdir()
    box.back_up_to(target)
    qtbot.waitUntil(lambda: getattr(box, "result_box", None) is not None, timeout=WAIT_MS)
    assert box.result_box.windowTitle() == "Backup written"
    assert cipher.is_encrypted(target) and files.header_path(target).exists()
    box.back_up_to(target)  # never over an earlier one
    qtbot.waitUntil(lambda: box.result_box.windowTitle() == "No backup written", timeout=WAIT_MS)
    assert "exists already" in box.result_box.text()
    window.close()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    with opened(target, credentials=Credentials(passphrase=lambda: RIGHT_PASSPHRASE)) as copy:
        assert _titles(copy) == ["Visit to Kamiti prison"]


def test_roles_without_the_office_permission_see_the_actions_disabled(
    qtbot: QtBot, ctx: Context, policy: Callable[[Policy], Policy]
) -> None:
    refused = {Permission.MANAGE_OFFICE, Permission.EXPORT_KEYS}

    def office_refused(_principal: Principal, permission: Permission) -> bool:
        return permission not in refused

    policy(office_refused)
    window = _window(qtbot, ctx)
    box = _box(qtbot, window)
    assert box.encrypt_button is not None and box.backup_button is not None
    assert not box.encrypt_button.isEnabled() and not box.backup_button.isEnabled()
    assert "manage the office and its keys" in box.encrypt_button.toolTip()
    assert not window.sync.packets.restore_keys_button.isEnabled()
    assert not window.sync.packets.keys_button.isEnabled()
    window.close()


def test_a_server_store_says_what_protects_it_and_how_its_keys_are_sealed(qtbot: QtBot, ctx: Context) -> None:
    workspace = load_workspace(ctx)
    server = dataclasses.replace(workspace, store=dataclasses.replace(workspace.store, path=None))
    box = StoreProtectionBox(server)
    qtbot.addWidget(box)
    assert box.encrypt_button is None and box.change_button is None and box.backup_button is None
    texts = " ".join(label.text() for label in box.findChildren(type(box.status)))
    assert "PostgreSQL" in texts and "fieldkit store encrypt" in texts
    assert "sealed under a passphrase" in texts

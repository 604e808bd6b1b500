"""Account and key events read as sentences in the audit trail, in the user's language, with
role and clearance names rather than codes, and never a password."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2  # noqa: F401  (cheap password hashes)

from fieldkit.context import Context
from fieldkit.domain.accounts import SignInFailed
from fieldkit.opening import Credentials, open_context
from fieldkit.services.audit import AuditFilter, action_label, audit_page, describe, verify_audit
from fieldkit.services.store_protection import (
    back_up_open_store,
    change_open_store_passphrase,
    encrypt_open_store,
)
from fieldkit.services.users import add_user, set_password, unlock_account, update_user
from fieldkit.store import audit as chain
from fieldkit.store import cipher

LEVELS = {"confidential": "Confidential", "internal": "Internal"}


def _words(ctx: Context) -> list[tuple[str, str, str]]:
    rows = audit_page(ctx, AuditFilter(), 0, 50).rows
    return [
        (r.action, action_label(r.action), describe(r, LEVELS.get))
        for r in reversed(rows)
        if r.action
        in (
            chain.ACTION_USER_ADD,
            chain.ACTION_USER_CHANGE,
            chain.ACTION_PASSWORD,
            chain.ACTION_USER_UNLOCK,
            chain.ACTION_LOGIN_FAILED,
        )
    ]


def test_account_events_are_worded_with_role_and_level_names(ctx: Context, store_path: Path) -> None:
    add_user(ctx, "amina", display_name="Amina", roles=["administrator"], password="first password 1")
    add_user(
        ctx,
        "omar",
        display_name="Omar",
        roles=["field-officer", "trainer"],
        clearance="internal",
        password="second password 2",
    )
    update_user(ctx, "omar", clearance="confidential", active=False)
    set_password(ctx, "omar", "third password 3")
    unlock_account(ctx, "omar")
    with pytest.raises(SignInFailed):
        open_context(store_path, user="amina", credentials=Credentials(None, lambda: "not it at all"))

    words = _words(ctx)
    assert words[1:] == [
        ("user-add", "Account added", "omar: Field officer, Trainer; cleared for Internal"),
        ("user-change", "Account changed", "omar: cleared for Confidential; deactivated"),
        ("password", "Password set", "omar"),
        ("unlock-user", "Account unlocked", "omar"),
        ("login-failed", "Sign-in failed", "Wrong password"),
    ]
    assert words[0][0] == "user-add" and words[0][2].startswith("amina: Administrator; cleared for ")
    assert not any("password 3" in text for _code, _label, text in words)


def test_encrypting_changing_the_passphrase_and_backing_up_are_audited(
    ctx: Context, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cheap = cipher.KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
    monkeypatch.setattr(cipher, "kdf_params", cheap)
    encrypt_open_store(ctx, "first passphrase here", params=cheap)
    change_open_store_passphrase(ctx, "first passphrase here", "second passphrase here", params=cheap)
    back_up_open_store(ctx, store_path.with_name("copy.bak"))
    rows = [r for r in reversed(audit_page(ctx, AuditFilter(), 0, 20).rows)]
    events = [
        (action_label(r.action), describe(r)) for r in rows if r.action in ("encrypt", "passphrase", "backup")
    ]
    assert events == [("Store encrypted", ""), ("Passphrase changed", ""), ("Backup made", "copy.bak")]
    assert verify_audit(ctx).ok

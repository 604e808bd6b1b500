"""The audit trail for people: list it with filters, verify its hash chain, and note the events
that services outside the record writer make (exports, reports, key backups).

Rows are written by ``fieldkit.store.audit`` only; this module reads them and words verdicts.
A listed row shows which fields a change replaced, never the values it replaced: those are
record contents, and the list is shown to people who may view the trail, not every record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from fieldkit.access import Permission, requires, role_label
from fieldkit.context import Context
from fieldkit.formatting import format_number, format_when
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.report_choices import REPORT_KINDS
from fieldkit.store import audit as chain
from fieldkit.store.registry import field_label
from fieldkit.store.system import AuditLog

#: every action code the trail holds, in the order filters offer them
ACTIONS = (*chain.RECORD_ACTIONS, *chain.EVENT_ACTIONS)


def action_label(action: str) -> str:
    """An action code as people read it; a code this version does not know is shown as is."""
    labels = {
        "create": _("Created"),
        "update": _("Changed"),
        "delete": _("Deleted"),
        "restore": _("Restored"),
        chain.ACTION_MERGE: _("Merged"),
        chain.ACTION_EXPORT: _("Exported"),
        chain.ACTION_IMPORT: _("Imported"),
        chain.ACTION_REPORT: _("Report made"),
        chain.ACTION_KEY_EXPORT: _("Keys exported"),
        chain.ACTION_LOGIN: _("Signed in"),
        chain.ACTION_LOGIN_FAILED: _("Sign-in failed"),
        chain.ACTION_UNLOCK: _("Unlocked"),
        chain.ACTION_UNLOCK_FAILED: _("Unlock failed"),
        chain.ACTION_USER_ADD: _("Account added"),
        chain.ACTION_USER_CHANGE: _("Account changed"),
        chain.ACTION_PASSWORD: _("Password set"),
        chain.ACTION_USER_UNLOCK: _("Account unlocked"),
        chain.ACTION_KEY_RESTORE: _("Keys restored"),
        chain.ACTION_STORE_ENCRYPT: _("Store encrypted"),
        chain.ACTION_PASSPHRASE: _("Passphrase changed"),
        chain.ACTION_BACKUP: _("Backup made"),
    }
    return labels.get(action, action)


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None
    action: str | None = None
    #: days on the computer's calendar, both included
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    #: the fields a change replaced (their old values stay in the store)
    fields: tuple[str, ...]
    #: an event's counts, file names and codes; a merge's ids
    detail: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="seconds") + "Z",
            "user": self.actor,
            "action": self.action,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "fields": list(self.fields),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AuditPage:
    rows: Sequence[AuditRow]
    #: rows that pass the filter
    total: int
    offset: int


@dataclass(frozen=True)
class AuditVerdict:
    ok: bool
    #: chained rows checked, and older rows written before the chain existed
    checked: int
    predating: int
    #: the first break: "edited", "missing", "unhashed" or "head" ("" when whole)
    problem: str = ""
    row_id: int | None = None
    at: dt.datetime | None = None
    #: rows missing at the break, where that can be told
    missing: int = 0
    #: one line in the current language
    message: str = ""
    #: the chain's head as the store records it (entries, last hash): noted elsewhere, it lets a
    #: later check tell a rewritten chain from one that grew
    head_count: int | None = None
    head_id: int | None = None
    head_hash: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "predating": self.predating,
            "problem": self.problem or None,
            "row_id": self.row_id,
            "at": self.at.isoformat(timespec="seconds") + "Z" if self.at is not None else None,
            "missing": self.missing,
            "message": self.message,
            "head": {"count": self.head_count, "id": self.head_id, "hash": self.head_hash}
            if self.head_hash
            else None,
        }


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of a calendar day on this computer, as a stored (naive UTC) time."""
    return dt.datetime.combine(day, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)


def _conditions(flt: AuditFilter) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if flt.user:
        out.append(AuditLog.actor == flt.user)
    if flt.action:
        out.append(AuditLog.action == flt.action)
    if flt.since is not None:
        out.append(AuditLog.at >= _day_start(flt.since))
    if flt.until is not None:
        out.append(AuditLog.at < _day_start(flt.until + dt.timedelta(days=1)))
    return out


def _count(ctx: Context, conditions: list[ColumnElement[bool]]) -> int:
    with ctx.store.read() as session:
        return int(
            session.execute(select(func.count()).select_from(AuditLog).where(*conditions)).scalar_one()
        )


@requires(Permission.VIEW_AUDIT)
def audit_count(ctx: Context, flt: AuditFilter) -> int:
    """How many rows pass ``flt``."""
    return _count(ctx, _conditions(flt))


@requires(Permission.VIEW_AUDIT)
def audit_page(
    ctx: Context, flt: AuditFilter, offset: int = 0, limit: int = 200, *, total: int | None = None
) -> AuditPage:
    """Rows ``offset`` to ``offset + limit`` of those that pass ``flt``, newest first, and how many
    pass (counted unless ``total`` says it)."""
    conditions = _conditions(flt)
    query: Select[Any] = (
        select(
            AuditLog.id,
            AuditLog.at,
            AuditLog.actor,
            AuditLog.action,
            AuditLog.record_type,
            AuditLog.record_id,
            AuditLog.old,
            AuditLog.detail,
        )
        .where(*conditions)
        .order_by(AuditLog.id.desc())
        .offset(max(0, offset))
        .limit(max(0, limit))
    )
    with ctx.store.read() as session:
        rows = [
            AuditRow(
                id=r.id,
                at=r.at,
                actor=r.actor,
                action=r.action,
                record_type=r.record_type,
                record_id=r.record_id,
                fields=tuple(sorted(r.old)) if isinstance(r.old, dict) else (),
                detail=r.detail,
            )
            for r in session.execute(query)
        ]
    return AuditPage(rows, total if total is not None else _count(ctx, conditions), max(0, offset))


@requires(Permission.VIEW_AUDIT)
def audit_users(ctx: Context) -> list[str]:
    """Everyone the trail names, for a filter."""
    with ctx.store.read() as session:
        return list(session.execute(select(AuditLog.actor).distinct().order_by(AuditLog.actor)).scalars())


@requires(Permission.VIEW_AUDIT)
def verify_audit(ctx: Context, progress: Progress | None = None) -> AuditVerdict:
    """Check the whole chain: every row against its hash and the row before it, the last row
    against the chain's head. The first break found is named."""
    progress = progress or Progress()
    with ctx.store.read() as session:
        total = session.execute(select(func.count()).select_from(AuditLog)).scalar_one()
        progress.set_total(int(total), _("Verifying the audit trail"))
        report = chain.verify_chain(session, step=progress.step)
    return verdict_of(report)


def verdict_of(report: chain.ChainReport) -> AuditVerdict:
    """A chain report worded for people."""
    checked, predating = report.checked, report.predating
    head_count = report.head.count if report.head is not None else None
    head_hash = report.head.hash if report.head is not None else None
    head_id = report.head.last_id if report.head is not None else None
    if report.broken is None:
        message = ngettext(
            "The audit trail is intact: {count} entry checked.",
            "The audit trail is intact: {count} entries checked.",
            checked,
        ).format(count=format_number(checked))
        if predating:
            message += " " + ngettext(
                "{count} older entry predates the chain and cannot be checked.",
                "{count} older entries predate the chain and cannot be checked.",
                predating,
            ).format(count=format_number(predating))
        return AuditVerdict(
            True,
            checked,
            predating,
            message=message,
            head_count=head_count,
            head_id=head_id,
            head_hash=head_hash,
        )
    broken = report.broken
    return AuditVerdict(
        False,
        checked,
        predating,
        problem=broken.kind,
        row_id=broken.row_id,
        at=broken.at,
        missing=broken.missing,
        message=_break_message(broken),
        head_count=head_count,
        head_id=head_id,
        head_hash=head_hash,
    )


def _break_message(broken: chain.ChainBreak) -> str:
    when = format_when(broken.at) if broken.at is not None else ""
    row = broken.row_id if broken.row_id is not None else 0
    if broken.kind == chain.BREAK_EDITED:
        return _(
            "The audit trail is broken at entry {id} ({time}): its content was changed after it was written."
        ).format(id=row, time=when)
    if broken.kind == chain.BREAK_UNHASHED:
        return _(
            "The audit trail is broken at entry {id} ({time}): its hash was removed after it was written."
        ).format(id=row, time=when)
    if broken.kind == chain.BREAK_MISSING:
        if broken.missing:
            return ngettext(
                "The audit trail is broken before entry {id} ({time}): {count} entry is missing.",
                "The audit trail is broken before entry {id} ({time}): {count} entries are missing.",
                broken.missing,
            ).format(id=row, time=when, count=format_number(broken.missing))
        return _(
            "The audit trail is broken before entry {id} ({time}): the entry before it was removed "
            "or replaced."
        ).format(id=row, time=when)
    if broken.reset_at is not None:
        return _(
            "The audit trail is broken at its end: its head was removed and written again on {time}."
        ).format(time=broken.reset_at.replace("T", " "))
    if broken.row_id is None and broken.missing > 0:
        return ngettext(
            "The audit trail is broken: its {count} entry is missing.",
            "The audit trail is broken: all {count} of its entries are missing.",
            broken.missing,
        ).format(count=format_number(broken.missing))
    if broken.missing > 0:
        return ngettext(
            "The audit trail is broken at its end: {count} entry after entry {id} ({time}) is missing.",
            "The audit trail is broken at its end: {count} entries after entry {id} ({time}) are missing.",
            broken.missing,
        ).format(count=format_number(broken.missing), id=row, time=when)
    return _(
        "The audit trail is broken at its end: the last entry, {id} ({time}), is not the one "
        "its head records."
    ).format(id=row, time=when)


def describe(row: AuditRow, level_label: Callable[[str], str] = str) -> str:
    """One line on what a row's change or event was: the fields changed, an import's outcome and
    counts, an export's files, an account's roles. Never values: the trail holds counts and names
    only. ``level_label`` names a confidentiality level (the vocabulary's label in the window)."""
    detail = row.detail or {}
    account = _describe_account(row.action, detail, level_label)
    if account is not None:
        return account
    if row.action == chain.ACTION_MERGE:
        return _("Merged {merged} into {kept}").format(
            merged=detail.get("merged", ""), kept=detail.get("kept", "")
        )
    if row.action in ("delete", "restore"):
        return ""  # the action says it all; its one field is the tombstone
    if row.fields:
        names = ", ".join(field_label(row.record_type, name) for name in row.fields)
        return _("Fields: {fields}").format(fields=names)
    if row.action == chain.ACTION_IMPORT:
        return _describe_import(detail)
    if row.action == chain.ACTION_EXPORT and detail.get("kind") == "packet":
        return ngettext(
            "Packet {file} to {office}: {count} change",
            "Packet {file} to {office}: {count} changes",
            int(detail.get("changes", 0)),
        ).format(file=detail.get("file", ""), office=detail.get("to", ""), count=detail.get("changes", 0))
    if row.action == chain.ACTION_REPORT and detail.get("kind") in REPORT_KINDS:
        return _describe_report(detail)
    if row.action == chain.ACTION_EXPORT:
        records = sum(int(n) for n in (detail.get("by_type") or {}).values())
        return ngettext(
            "{format} export of {count} record", "{format} export of {count} records", records
        ).format(format=str(detail.get("format", "")).upper(), count=format_number(records))
    parts = [f"{key}: {value}" for key, value in sorted(detail.items()) if not isinstance(value, dict | list)]
    parts += [
        f"{key}: {', '.join(map(str, value))}"
        for key, value in sorted(detail.items())
        if isinstance(value, list)
    ]
    return "; ".join(parts)


def _describe_account(action: str, detail: dict[str, Any], level_label: Callable[[str], str]) -> str | None:
    """An account event or a key event worded; None for the other actions."""
    name = str(detail.get("username", ""))
    roles = ", ".join(role_label(str(code)) for code in detail.get("roles") or ())
    if action == chain.ACTION_USER_ADD:
        return _("{user}: {roles}; cleared for {level}").format(
            user=name, roles=roles, level=level_label(str(detail.get("clearance", "")))
        )
    if action == chain.ACTION_USER_CHANGE:
        changes = []
        if "display_name" in detail:
            changes.append(_("name changed"))
        if "roles" in detail:
            changes.append(_("roles: {roles}").format(roles=roles))
        if "clearance" in detail:
            changes.append(_("cleared for {level}").format(level=level_label(str(detail["clearance"]))))
        if "active" in detail:
            changes.append(_("active") if detail["active"] else _("deactivated"))
        return _("{user}: {what}").format(user=name, what="; ".join(changes))
    if action in (chain.ACTION_PASSWORD, chain.ACTION_USER_UNLOCK):
        return name
    if action == chain.ACTION_KEY_EXPORT and detail.get("form") == "shares":
        count = int(detail.get("count") or 0)
        return ngettext("{threshold} of {count} share", "{threshold} of {count} shares", count).format(
            threshold=detail.get("threshold", ""), count=count
        )
    if action == chain.ACTION_KEY_EXPORT:
        return _("Under a recovery passphrase")
    if action in (chain.ACTION_LOGIN_FAILED, chain.ACTION_UNLOCK_FAILED):
        if detail.get("unknown"):
            return _("Unknown user name")
        if detail.get("refused"):
            return _("Account locked or inactive")
        return _("Wrong password") if not detail.get("locked") else _("Wrong password; account locked")
    if action == chain.ACTION_BACKUP:
        return str(detail.get("file", ""))
    if action in (
        chain.ACTION_LOGIN,
        chain.ACTION_UNLOCK,
        chain.ACTION_KEY_RESTORE,
        chain.ACTION_STORE_ENCRYPT,
        chain.ACTION_PASSPHRASE,
    ):
        return ""
    return None


def _describe_report(detail: dict[str, Any]) -> str:
    name = REPORT_KINDS[detail["kind"]].name()
    pages = int(detail.get("pages") or 0)
    counted = ngettext("{report}, {count} page", "{report}, {count} pages", pages).format(
        report=name, count=format_number(pages)
    )
    if detail.get("output") == "preview":
        return _("{report}: shown").format(report=counted)
    if detail.get("output") == "print":
        return _("{report}: printed").format(report=counted)
    if detail.get("file"):
        return _("{report}: saved as {file}").format(report=counted if pages else name, file=detail["file"])
    return counted


def _describe_import(detail: dict[str, Any]) -> str:
    name, sender = detail.get("file", ""), detail.get("sender", "")
    if detail.get("status") == "refused":
        return _("Packet {file} from {office} refused ({reason})").format(
            file=name, office=sender, reason=detail.get("refusal", "")
        )
    applied = sum(int(detail.get(k, 0)) for k in ("new", "updated", "conflicting"))
    return ngettext(
        "Packet {file} from {office}: {count} change applied",
        "Packet {file} from {office}: {count} changes applied",
        applied,
    ).format(file=name, office=sender, count=format_number(applied))


# -- events other services note ----------------------------------------------------------------


def _note(
    ctx: Context, action: str, detail: dict[str, Any], record_type: str = "", record_id: str = ""
) -> bool:
    return chain.append_event_apart(
        ctx.store,
        at=ctx.now(),
        actor=ctx.user,
        action=action,
        detail=detail,
        record_type=record_type,
        record_id=record_id,
    )


@requires(Permission.EXPORT_DATA)
def audit_data_export(
    ctx: Context,
    fmt: str,
    files: Sequence[Path],
    counts: dict[str, dict[str, int]],
    *,
    include_restricted: bool = False,
) -> bool:
    """Note a data export: the format, the file names, whether restricted fields went out and how
    many records of each type (``stats``: live and deleted), never their contents. Returns whether
    the store could take it (a read-only store, which may still be exported, cannot)."""
    detail = {
        "kind": "data",
        "format": fmt,
        "files": sorted(p.name for p in files),
        "include_restricted": include_restricted,
        "by_type": {kind: sum(c.values()) for kind, c in sorted(counts.items()) if sum(c.values())},
    }
    return _note(ctx, chain.ACTION_EXPORT, detail)


@requires(Permission.VIEW_RECORDS)
def audit_report(
    ctx: Context,
    kind: str,
    file_name: str,
    *,
    counts: dict[str, int] | None = None,
    record_type: str = "",
    record_id: str = "",
) -> bool:
    """Note a report made (a PDF of a visit, a summary): its kind, file name and counts, and the
    record it is about when there is one."""
    detail: dict[str, Any] = {"kind": kind, "file": file_name}
    if counts:
        detail["counts"] = dict(sorted(counts.items()))
    return _note(ctx, chain.ACTION_REPORT, detail, record_type, record_id)


@requires(Permission.MANAGE_OFFICE)
def audit_key_export(ctx: Context, files: Sequence[Path], *, office: str = "") -> bool:
    """Note that the office's secret keys were written out (a backup): which office and file names."""
    detail = {"office": office or ctx.office, "files": sorted(p.name for p in files)}
    return _note(ctx, chain.ACTION_KEY_EXPORT, detail)

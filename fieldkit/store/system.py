"""Tables that describe this installation and its history, not shared records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.base import ID, Base


class Office(Base):
    """An office this installation knows: itself, or a trusted partner."""

    __tablename__ = "office"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    office_type: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    age_recipient: Mapped[str] = mapped_column(String(120))
    minisign_public_key: Mapped[str] = mapped_column(String(120))
    fingerprint: Mapped[str] = mapped_column(String(64))
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)
    trusted_at: Mapped[dt.datetime | None]


class OfficeSecret(Base):
    """The local office's secret keys: inside the encrypted file of a store kept in a file; sealed
    under a passphrase on a database server (``store.office_keys``), plain until then."""

    __tablename__ = "office_secret"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    keys: Mapped[dict[str, Any]] = mapped_column(JSON)


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class OriginSequence(Base):
    """Highest change sequence number held per origin office.

    For the local office it is the counter new changes draw from; for others it
    is how far this store has received their changes without a gap.
    """

    __tablename__ = "origin_sequence"

    origin_office: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class ChangeLog(Base):
    """One change to one record: the spine of sync.

    ``(origin_office, seq)`` is gap-free and grows monotonically per origin.
    ``data`` holds the new values of the fields that changed (all of them on
    create); it is what a sync packet carries.
    """

    __tablename__ = "change_log"
    #: an export to an office that receives some types only reads those (migration 0007)
    __table_args__ = (
        Index("ix_change_log_origin_type_seq", "origin_office", "record_type", "seq", "record_id"),
    )

    origin_office: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(ID, index=True)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime]
    by: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the changes to this record the author had seen ("ORIGIN:seq"): the record's history is a graph,
    #: and two changes neither of which saw the other are concurrent
    parents: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: conflicts this change resolves (a person chose the values)
    resolves: Mapped[list[str]] = mapped_column(JSON, default=list)


class Conflict(Base):
    """Two concurrent changes that set one field differently, or an edit concurrent with a deletion.

    The winner is applied everywhere (the later of ``(version, origin, seq)``); the losing
    value is kept here until a person resolves the conflict. Every office derives the same
    conflicts from the same changes, so they converge like the records do.
    """

    __tablename__ = "conflict"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(ID, index=True)
    field: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # "field" or "edit-delete"
    winner_change: Mapped[str] = mapped_column(String(60))
    winner_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    winner_by: Mapped[str] = mapped_column(String(120))
    winner_at: Mapped[dt.datetime]
    loser_change: Mapped[str] = mapped_column(String(60))
    loser_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    loser_by: Mapped[str] = mapped_column(String(120))
    loser_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    resolved_by_change: Mapped[str | None] = mapped_column(String(60))


class AuditLog(Base):
    """Who did what here, when: each record change with the values it replaced, and events
    such as imports, exports and sign-ins (``detail``; their record columns are empty).

    New values are in the change log entry it points to. Each row's ``hash`` covers its own
    content and ``prev_hash``, the hash of the row before it, so that editing or deleting
    history breaks the chain.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(12))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(ID, index=True)
    origin_office: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class UserAccount(Base):
    """Someone who may sign in to this store; local to the installation, never synced."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    #: a ``sensitivity_level`` code: the most confidential records this user may see
    clearance: Mapped[str] = mapped_column(String(32))
    #: argon2id, in the PHC string format (parameters and salt included)
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]


class AttachmentBlob(Base):
    """Attachment bytes, stored once per content hash."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Draft(Base):
    """Unsaved form contents, written every few seconds so a crash loses nothing typed.

    Local to this installation (never synced) and inside the store, so drafts
    get the same protection as the records they will become.
    """

    __tablename__ = "draft"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(400))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime]
    user: Mapped[str] = mapped_column(String(120))


class SyncPacket(Base):
    """Every packet written or imported, for the Sync page and for refusing replays."""

    __tablename__ = "sync_packet"

    packet_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(4), primary_key=True)  # "in" or "out"
    sender: Mapped[str] = mapped_column(String(32), index=True)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    at: Mapped[dt.datetime]
    by: Mapped[str] = mapped_column(String(120))
    file_name: Mapped[str] = mapped_column(String(400))
    #: per origin, the sequence range the packet covers: {"KE-NBO": [1, 120]}
    ranges: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: what was done: counts of new, updated, unchanged, held...
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class PeerAck(Base):
    """How far a partner office holds each origin's changes, as its last packet told us."""

    __tablename__ = "peer_ack"

    peer: Mapped[str] = mapped_column(String(32), primary_key=True)
    origin_office: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class HeldChange(Base):
    """Changes that arrived ahead of a gap; applied once the missing packet arrives."""

    __tablename__ = "held_change"

    origin_office: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    packet_id: Mapped[str] = mapped_column(String(36))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)


class HeldRange(Base):
    """A sequence range a packet covered but that could not be applied yet (a gap before it)."""

    __tablename__ = "held_range"

    origin_office: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    packet_id: Mapped[str] = mapped_column(String(36))

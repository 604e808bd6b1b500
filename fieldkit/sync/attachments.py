"""A packet's attachments on import: checked, then stored, a piece at a time.

An attachment may run to hundreds of MB and a packet may hold many. Each is decrypted
twice as it is read from the packet, never held whole: once before the transaction
starts, to compare its SHA-256 with its name and learn its size, and once inside it,
written into the store piece by piece and hashed again on the way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from fieldkit.crypto import agebox
from fieldkit.i18n import _
from fieldkit.store.bulk import has_blob, insert_blob
from fieldkit.sync import packet as fmt
from fieldkit.sync.errors import PacketRefused


def _named_digest(name: str) -> str:
    """The SHA-256 an attachment member's name promises."""
    match = fmt.ATTACHMENT.match(name)
    assert match is not None
    return match.group(1)


def _mismatch(name: str) -> PacketRefused:
    return PacketRefused(_("Attachment {name} does not match its hash").format(name=name))


class PacketAttachments:
    """The attachments of one opened packet, for the identity that decrypts them.

    Decryption errors are raised as ``agebox`` raises them: the import turns them into a refusal.
    """

    def __init__(self, opened: fmt.OpenedPacket, identity: str) -> None:
        self._opened = opened
        self._identity = identity
        #: member name -> size of its plain bytes, once checked
        self._sizes: dict[str, int] = {}

    @contextmanager
    def _plain(self, name: str) -> Iterator[Iterator[bytes]]:
        with self._opened.open(name) as member, agebox.decrypted_pieces(member, self._identity) as pieces:
            yield pieces

    def check(self) -> None:
        """Refuse the packet unless every attachment decrypts to the bytes its name promises."""
        for name in self._opened.attachment_names():
            digest = hashlib.sha256()
            size = 0
            with self._plain(name) as pieces:
                for piece in pieces:
                    digest.update(piece)
                    size += len(piece)
            if digest.hexdigest() != _named_digest(name):
                raise _mismatch(name)
            self._sizes[name] = size

    def store(self, session: Session) -> int:
        """Store the checked attachments the store lacks; return how many. The bytes are hashed
        again as they go in (the file may have changed since ``check``): the caller's transaction
        must roll back when this raises."""
        stored = 0
        for name, size in self._sizes.items():
            digest = _named_digest(name)
            if has_blob(session, digest):
                continue
            with self._plain(name) as pieces:
                written = insert_blob(session, digest, size, pieces)
            if written != (digest, size):
                raise _mismatch(name)
            stored += 1
        return stored

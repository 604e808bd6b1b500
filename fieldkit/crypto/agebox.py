"""Thin, typed helpers around pyrage (age encryption, X25519 recipients only).

Sync packages travel on USB sticks and e-mail, so they are encrypted to the receiving
offices' age keys. Using the age format means a package can be opened with the stock
``age -d -i key.txt`` tool if FieldKit itself is unavailable. pyrage errors are mapped
to ``KeyFormatError``/``DecryptionError`` with messages meant for users and never
containing key material.

The ``*_file`` variants stream (pyrage's ``encrypt_file``/``decrypt_file`` copy in
chunks), so large attachments never sit in memory. Output goes to a temporary file
(mode 0600) next to the destination and is renamed into place only on success, so
a failed or tampered decryption never leaves partial plaintext behind.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from fieldkit.crypto import CryptoError, DecryptionError, KeyFormatError

__all__ = [
    "CryptoError",
    "DecryptionError",
    "KeyFormatError",
    "decrypt",
    "decrypt_file",
    "decrypt_with_passphrase",
    "decrypted_pieces",
    "encrypt",
    "encrypt_file",
    "encrypt_stream",
    "encrypt_with_passphrase",
    "generate_identity",
    "identity_file",
    "normalize_recipient",
    "recipient_from_identity",
]

StrPath = str | os.PathLike[str]

IDENTITY_PREFIX = "AGE-SECRET-KEY-1"
RECIPIENT_PREFIX = "age1"


def _identity(identity: str) -> Any:
    try:
        return x25519.Identity.from_str(identity.strip())
    except (pyrage.IdentityError, ValueError, TypeError) as exc:
        # Never echo the input: it may be (most of) a secret key.
        raise KeyFormatError(f"not a valid age identity (expected {IDENTITY_PREFIX}...)") from exc


def _recipient(recipient: str) -> Any:
    try:
        return x25519.Recipient.from_str(recipient.strip())
    except (pyrage.RecipientError, ValueError, TypeError) as exc:
        if recipient.strip().upper().startswith("AGE-SECRET-KEY-"):
            raise KeyFormatError("this is a secret age identity, not a public recipient") from None
        shown = recipient.strip()[:16]
        raise KeyFormatError(
            f"not a valid age recipient: {shown!r}... (expected {RECIPIENT_PREFIX}...)"
        ) from exc


def _identities(identity: str | Sequence[str]) -> list[Any]:
    names = [identity] if isinstance(identity, str) else list(identity)
    if not names:
        raise ValueError("at least one age identity is required")
    return [_identity(name) for name in names]


def _recipients(recipients: Sequence[str]) -> list[Any]:
    if isinstance(recipients, str):
        raise TypeError("recipients must be a list of strings, not a single string")
    if not recipients:
        raise ValueError("at least one age recipient is required")
    return [_recipient(r) for r in recipients]


def _decryption_error(exc: Exception) -> DecryptionError:
    detail = str(exc)
    if "No matching keys" in detail:
        return DecryptionError("Cannot decrypt: the data was not encrypted to this key (wrong key)")
    if "passphrase" in detail:
        return DecryptionError("Cannot decrypt: the data is passphrase-encrypted, not encrypted to a key")
    return DecryptionError(
        f"Cannot decrypt: the data is corrupted, truncated or not age-encrypted ({detail})"
    )


def generate_identity() -> tuple[str, str]:
    """Return a new ``(identity 'AGE-SECRET-KEY-1...', recipient 'age1...')`` pair."""
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def recipient_from_identity(identity: str) -> str:
    """The public recipient string belonging to a secret identity."""
    return str(_identity(identity).to_public())


def normalize_recipient(recipient: str) -> str:
    """Validate a recipient and return its canonical (lower-case) spelling."""
    return str(_recipient(recipient))


def encrypt(data: bytes, recipients: Sequence[str], *, armored: bool = False) -> bytes:
    """Encrypt ``data`` to every recipient; binary age format unless ``armored``."""
    parsed = _recipients(recipients)
    try:
        return bytes(pyrage.encrypt(data, parsed, armored=armored))
    except pyrage.EncryptError as exc:
        raise CryptoError(f"age encryption failed: {exc}") from exc


def encrypt_with_passphrase(data: bytes, passphrase: str, *, armored: bool = True) -> bytes:
    """Encrypt ``data`` to age's scrypt passphrase recipient: ``age -d FILE`` asks for the
    passphrase and opens it. Armored (printable text) by default, for a backup on paper.

    The work factor is age's own (tuned to about a second on this computer).
    """
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    try:
        return bytes(age_passphrase.encrypt(data, passphrase, armored=armored))
    except pyrage.EncryptError as exc:
        raise CryptoError(f"age encryption failed: {exc}") from exc


def decrypt_with_passphrase(data: bytes, passphrase: str) -> bytes:
    """Open what ``encrypt_with_passphrase`` (or ``age -p``) wrote; a wrong passphrase and a
    damaged file both raise ``DecryptionError``, which says which it is when age can tell."""
    try:
        return bytes(age_passphrase.decrypt(data, passphrase))
    except pyrage.DecryptError as exc:
        if str(exc) == "Decryption failed":
            raise DecryptionError("Cannot decrypt: wrong passphrase") from None
        raise DecryptionError(
            f"Cannot decrypt: the data is damaged or not passphrase-encrypted age data ({exc})"
        ) from None


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def encrypt_stream(source: Readable, sink: Writable, recipients: Sequence[str]) -> None:
    """Encrypt what ``source.read`` hands over into ``sink``, a piece at a time (binary format).

    ``source`` may make its data as it is asked for it, so the plain text is never held whole.
    """
    parsed = _recipients(recipients)
    guarded = _Guarded(source, sink)
    try:
        pyrage.encrypt_io(guarded, guarded, parsed)
    except pyrage.EncryptError as exc:
        if guarded.failure is not None:  # pyrage turns it into its own error; the caller wants it back
            raise guarded.failure from None
        raise CryptoError(f"age encryption failed: {exc}") from exc


class _Guarded:
    """Both ends of a stream encryption, keeping the first error either raised (a cancel, a full disk)."""

    def __init__(self, source: Readable, sink: Writable) -> None:
        self._source = source
        self._sink = sink
        self.failure: BaseException | None = None

    def read(self, size: int = -1, /) -> bytes:
        try:
            return self._source.read(size)
        except BaseException as exc:
            self.failure = self.failure or exc
            raise

    def write(self, data: bytes, /) -> int:
        try:
            return self._sink.write(data)
        except BaseException as exc:
            self.failure = self.failure or exc
            raise

    def flush(self) -> None:
        pass


def decrypt(data: bytes, identity: str | Sequence[str]) -> bytes:
    """Decrypt age data (binary or armored) with one identity or several (key rotation)."""
    parsed = _identities(identity)
    try:
        return bytes(pyrage.decrypt(data, parsed))
    except pyrage.DecryptError as exc:
        raise _decryption_error(exc) from None


#: plain text handed over at a time, and how many such pieces may wait: a few MiB in all
_PIECE_BYTES = 1 << 20
_PIECES_WAITING = 4


@contextmanager
def decrypted_pieces(source: IO[bytes], identity: str | Sequence[str]) -> Iterator[Iterator[bytes]]:
    """Decrypt age data from ``source`` while the caller reads the plain text, piece by piece.

    A helper thread decrypts into a short queue, so neither the ciphertext nor the plain text
    is ever held whole, and the plain text never touches the disk. Each piece has passed
    age's authentication; a failure further on (a damaged or cut stream) raises
    ``DecryptionError`` where the caller reads, so work done on earlier pieces must be
    undoable (an import rolls back its transaction). Leaving the block stops the thread.
    """
    parsed = _identities(identity)
    pieces: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_PIECES_WAITING)
    stop = threading.Event()

    def hand_over(item: tuple[str, Any]) -> None:
        while not stop.is_set():
            try:
                pieces.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped()

    class _Writer:
        def __init__(self) -> None:
            self.buffer = bytearray()

        def write(self, data: bytes) -> int:
            self.buffer += data
            if len(self.buffer) >= _PIECE_BYTES:
                hand_over(("data", bytes(self.buffer)))
                self.buffer.clear()
            return len(data)

        def flush(self) -> None:
            pass

    def decrypt() -> None:
        writer = _Writer()
        try:
            pyrage.decrypt_io(source, writer, parsed)
            if writer.buffer:
                hand_over(("data", bytes(writer.buffer)))
            hand_over(("end", None))
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the reader, who raises it
            with suppress(_Stopped):
                hand_over(("error", exc))

    def read() -> Iterator[bytes]:
        while True:
            kind, value = pieces.get()
            if kind == "data":
                yield value
            elif kind == "end":
                return
            else:
                raise _as_decryption_error(value)

    thread = threading.Thread(target=decrypt, name="age-decrypt", daemon=True)
    thread.start()
    try:
        yield read()
    finally:
        stop.set()
        thread.join()


class _Stopped(Exception):
    """The reader left: the decrypting thread ends quietly."""


def _as_decryption_error(exc: BaseException) -> BaseException:
    if isinstance(exc, pyrage.DecryptError):
        return _decryption_error(exc)
    if type(exc) is OSError:  # as in ``decrypt_file``: a failed authentication while streaming
        return _decryption_error(exc)
    return exc


def _write_via_temp(dst: StrPath, produce: Callable[[str], None]) -> None:
    """Run ``produce(tmp_path)`` and rename the result to ``dst`` only if it succeeded."""
    target = Path(dst)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        produce(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def encrypt_file(src: StrPath, dst: StrPath, recipients: Sequence[str], *, armored: bool = False) -> None:
    """Stream-encrypt the file ``src`` to ``dst`` (may be large)."""
    parsed = _recipients(recipients)
    source = os.fspath(src)
    with open(source, "rb"):  # a missing/unreadable source raises the usual OSError here
        pass

    def produce(tmp: str) -> None:
        try:
            pyrage.encrypt_file(source, tmp, parsed, armored=armored)
        except pyrage.EncryptError as exc:
            raise CryptoError(f"age encryption failed: {exc}") from exc

    _write_via_temp(dst, produce)


def decrypt_file(src: StrPath, dst: StrPath, identity: str | Sequence[str]) -> None:
    """Stream-decrypt ``src`` to ``dst``; on any failure ``dst`` is left untouched."""
    parsed = _identities(identity)
    source = os.fspath(src)
    with open(source, "rb"):  # a missing/unreadable source raises the usual OSError here
        pass

    def produce(tmp: str) -> None:
        try:
            pyrage.decrypt_file(source, tmp, parsed)
        except pyrage.DecryptError as exc:
            raise _decryption_error(exc) from None
        except OSError as exc:
            # pyrage reports payload authentication failures while streaming as a plain
            # OSError("decryption error"); real I/O errors arrive as OSError subclasses.
            if type(exc) is not OSError:
                raise
            raise _decryption_error(exc) from None

    _write_via_temp(dst, produce)


def _rfc3339(created: datetime) -> str:
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    text = created.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def identity_file(identity: str, recipient: str | None = None, created: datetime | None = None) -> str:
    """The text ``age-keygen`` writes, which ``age -d -i FILE`` accepts.

    ``recipient`` defaults to the one derived from ``identity`` and must match it;
    ``created`` defaults to now (naive datetimes are taken as UTC). The result is secret.
    """
    parsed = _identity(identity)
    derived = str(parsed.to_public())
    if recipient is not None and normalize_recipient(recipient) != derived:
        raise KeyFormatError("the age recipient does not belong to this identity")
    stamp = _rfc3339(created if created is not None else datetime.now(UTC))
    return f"# created: {stamp}\n# public key: {derived}\n{parsed}\n"

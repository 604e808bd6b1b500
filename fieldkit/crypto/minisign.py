"""minisign-compatible Ed25519 signatures, implemented without the minisign binary.

Sync packages are signed so that a receiving office can tell they really come from
the office whose key it checked over the phone. We use the minisign format
(https://jedisct1.github.io/minisign/) instead of an ad-hoc one so that anybody can
check a package with the stock ``minisign -V`` tool, independently of FieldKit.

Format notes, checked against minisign 0.11 (see ``tests/test_crypto.py``):

* A key id is 8 random bytes. minisign *prints* it as a little-endian uint64, so the
  hex in ``minisign public key 1243DE24B000D52F`` is the key id byte-reversed, with no
  leading zeros (``key_id_hex`` does the same).
* We sign in the prehashed ``ED`` mode: Ed25519 over BLAKE2b-512(data). The global
  signature covers ``signature || trusted comment`` (the comment's UTF-8 bytes).
  Verification also accepts legacy ``Ed`` signatures (Ed25519 over the raw data).
* Unencrypted secret key files use kdf algorithm ``00 00``. minisign 0.11 never checks
  the checksum of such a file and ``minisign -G -W`` writes an all-zero one; we write
  the real BLAKE2b-256 checksum (as ``minisign -C -W`` does) and accept either.
* Encrypted secret key files use kdf ``Sc``: the 104 bytes key id || secret key ||
  checksum are XORed with scrypt(passphrase, salt) as libsodium's
  ``crypto_pwhash_scryptsalsa208sha256`` derives it from the file's opslimit and memlimit
  (``scrypt_parameters``). The checksum, BLAKE2b-256 over ``Ed`` || key id || secret key,
  is what tells a wrong passphrase from a right one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fieldkit.crypto import CryptoError, DecryptionError, KeyFormatError, SignatureError

__all__ = [
    "DEFAULT_UNTRUSTED_COMMENT",
    "CryptoError",
    "KeyFormatError",
    "MinisignKeyPair",
    "SignatureError",
    "generate_keypair",
    "is_encrypted_secret_key_file",
    "key_id_hex",
    "parse_public_key",
    "parse_secret_key_file",
    "public_key_file",
    "public_key_line",
    "scrypt_parameters",
    "secret_key_file",
    "sign",
    "sign_file",
    "verify",
    "verify_file",
]

SIGALG = b"Ed"  # key algorithm, and legacy (non-prehashed) signature algorithm
SIGALG_HASHED = b"ED"  # signature over BLAKE2b-512(data)
KDF_SCRYPT = b"Sc"
KDF_NONE = b"\x00\x00"
CHKALG = b"B2"

KEY_ID_BYTES = 8
PUBLIC_KEY_BYTES = 32
SEED_BYTES = 32
SIGNATURE_BYTES = 64
CHECKSUM_BYTES = 32

UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
DEFAULT_UNTRUSTED_COMMENT = "signature from fieldkit"

# minisign reads comment lines with fgets() into 1024/8192-byte buffers; a longer
# line is split and the file no longer parses, so we refuse to write one.
MAX_UNTRUSTED_COMMENT_BYTES = 1024 - len(UNTRUSTED_PREFIX) - 2
MAX_TRUSTED_COMMENT_BYTES = 8192 - len(TRUSTED_PREFIX) - 2

_PUBKEY_STRUCT_BYTES = 2 + KEY_ID_BYTES + PUBLIC_KEY_BYTES
_SIG_STRUCT_BYTES = 2 + KEY_ID_BYTES + SIGNATURE_BYTES
_SECKEY_STRUCT_BYTES = 2 + 2 + 2 + 32 + 8 + 8 + KEY_ID_BYTES + 64 + CHECKSUM_BYTES
_CHUNK = 1 << 20
_KEYNUM_SK_BYTES = KEY_ID_BYTES + 64 + CHECKSUM_BYTES

#: libsodium's scryptsalsa208sha256 OPSLIMIT/MEMLIMIT_SENSITIVE, what ``minisign -G`` uses:
#: scrypt N=2^20, r=8, p=1, 1 GiB of memory
OPSLIMIT_SENSITIVE = 33554432
MEMLIMIT_SENSITIVE = 1073741824
#: FieldKit's default for a backup: N=2^18, r=8, p=1, 256 MiB, about a second on a laptop
OPSLIMIT_BACKUP = 8388608
MEMLIMIT_BACKUP = 268435456
#: the most memory a key file may ask for; more is a damaged or hostile file
_MAX_SCRYPT_MEMORY = 2 * MEMLIMIT_SENSITIVE


def key_id_hex(key_id: bytes) -> str:
    """Render a key id the way minisign prints it: a little-endian uint64 in upper-case hex,
    without leading zeros (its ``%" PRIX64 "`` format), so 07C3... prints as 7C3...."""
    return format(int.from_bytes(key_id, "little"), "X")


@dataclass(frozen=True)
class MinisignKeyPair:
    """An Ed25519 key pair plus its minisign key id; the seed is kept out of ``repr``."""

    key_id: bytes
    public_key: bytes
    secret_seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key_id) != KEY_ID_BYTES:
            raise KeyFormatError(f"minisign key id must be {KEY_ID_BYTES} bytes")
        if len(self.public_key) != PUBLIC_KEY_BYTES:
            raise KeyFormatError(f"minisign public key must be {PUBLIC_KEY_BYTES} bytes")
        if len(self.secret_seed) != SEED_BYTES:
            raise KeyFormatError(f"minisign secret seed must be {SEED_BYTES} bytes")
        derived = self._private_key().public_key().public_bytes_raw()
        if not hmac.compare_digest(derived, self.public_key):
            raise KeyFormatError("minisign public key does not belong to this secret key")

    @property
    def secret_key(self) -> bytes:
        """The 64-byte libsodium secret key (seed || public key) stored in key files."""
        return self.secret_seed + self.public_key

    @property
    def key_id_hex(self) -> str:
        return key_id_hex(self.key_id)

    def _private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.secret_seed)


def generate_keypair() -> MinisignKeyPair:
    """Create a fresh key pair with a random key id, as ``minisign -G`` does."""
    private = Ed25519PrivateKey.generate()
    return MinisignKeyPair(
        key_id=os.urandom(KEY_ID_BYTES),
        public_key=private.public_key().public_bytes_raw(),
        secret_seed=private.private_bytes_raw(),
    )


# --------------------------------------------------------------------------- keys


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str | bytes, what: str, error: type[CryptoError]) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise error(f"{what} is not valid base64") from exc


def _as_text(text: str | bytes, what: str, error: type[CryptoError]) -> str:
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{what} is not text") from exc
    return text


def _key_line(text: str) -> str:
    """The base64 line of a key file (after its comment line), or of a bare key line."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if lines and lines[0].startswith("untrusted comment:"):
        lines = lines[1:]
    if not lines:
        raise KeyFormatError("no key found in the given text")
    return lines[0]


def _split_public(key: MinisignKeyPair | bytes, key_id: bytes | None) -> tuple[bytes, bytes]:
    if isinstance(key, MinisignKeyPair):
        if key_id is not None and key_id != key.key_id:
            raise ValueError("key_id does not match the key pair's key id")
        return key.key_id, key.public_key
    if key_id is None:
        raise ValueError("key_id is required when passing a raw public key")
    if len(key) != PUBLIC_KEY_BYTES or len(key_id) != KEY_ID_BYTES:
        raise ValueError("expected a 32-byte public key and an 8-byte key id")
    return key_id, key


def public_key_line(key: MinisignKeyPair | bytes, key_id: bytes | None = None) -> str:
    """The base64 public key line alone: what ``minisign -P`` takes and people paste."""
    kid, pk = _split_public(key, key_id)
    return _b64(SIGALG + kid + pk)


def public_key_file(key: MinisignKeyPair | bytes, key_id: bytes | None = None) -> str:
    """The exact text ``minisign -G`` writes to a ``.pub`` file."""
    kid, _ = _split_public(key, key_id)
    return f"{UNTRUSTED_PREFIX}minisign public key {key_id_hex(kid)}\n{public_key_line(key, key_id)}\n"


def parse_public_key(text: str | bytes) -> tuple[bytes, bytes]:
    """Return ``(key_id, public_key)`` from a ``.pub`` file's text or a bare key line."""
    line = _key_line(_as_text(text, "minisign public key", KeyFormatError))
    raw = _unb64(line, "minisign public key", KeyFormatError)
    if len(raw) != _PUBKEY_STRUCT_BYTES:
        raise KeyFormatError("not a minisign public key (wrong length)")
    if raw[:2] != SIGALG:
        raise KeyFormatError("unsupported minisign public key algorithm")
    return raw[2 : 2 + KEY_ID_BYTES], raw[2 + KEY_ID_BYTES :]


def _seckey_checksum(key_id: bytes, secret_key: bytes) -> bytes:
    return hashlib.blake2b(SIGALG + key_id + secret_key, digest_size=CHECKSUM_BYTES).digest()


def scrypt_parameters(opslimit: int, memlimit: int) -> tuple[int, int, int]:
    """``(log2 N, r, p)`` for scrypt, chosen from opslimit/memlimit exactly as libsodium's
    ``crypto_pwhash_scryptsalsa208sha256`` does (its ``pickparams``), so that a key file
    written by either side is read by the other."""
    opslimit = max(opslimit, 32768)
    r = 8
    if opslimit < memlimit // 32:
        p = 1
        max_n = opslimit // (r * 4)
    else:
        max_n = memlimit // (r * 128)
    n_log2 = 1
    while n_log2 < 63 and (1 << n_log2) <= max_n // 2:
        n_log2 += 1
    if not opslimit < memlimit // 32:
        max_rp = min((opslimit // 4) // (1 << n_log2), 0x3FFFFFFF)
        p = max_rp // r
    return n_log2, r, p


def _keystream(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    n_log2, r, p = scrypt_parameters(opslimit, memlimit)
    needed = 128 * r * ((1 << n_log2) + p + 2)
    if p < 1 or n_log2 > 40 or needed > _MAX_SCRYPT_MEMORY:
        raise KeyFormatError("minisign secret key asks for key derivation parameters out of range")
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=1 << n_log2,
        r=r,
        p=p,
        maxmem=needed + (1 << 20),
        dklen=_KEYNUM_SK_BYTES,
    )


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def secret_key_file(
    kp: MinisignKeyPair,
    passphrase: str | None = None,
    *,
    opslimit: int = OPSLIMIT_BACKUP,
    memlimit: int = MEMLIMIT_BACKUP,
) -> str:
    """A minisign secret key file; ``minisign -S -s FILE`` signs with it.

    Without ``passphrase`` the key is stored in the clear (kdf ``00 00``): only for handing
    a key to the reference tool in tests. With one, it is encrypted the way ``minisign -G``
    does (kdf ``Sc``), and minisign asks for the passphrase; ``opslimit``/``memlimit`` set
    scrypt's cost (the defaults: N=2^18, r=8, p=1). The file is as secret as the key: write
    it with mode 0600.
    """
    keynum_sk = kp.key_id + kp.secret_key + _seckey_checksum(kp.key_id, kp.secret_key)
    if passphrase is None:
        header = KDF_NONE + CHKALG + bytes(32) + bytes(8) + bytes(8)  # salt and limits unused
        comment = "minisign unencrypted secret key"
    else:
        if not passphrase or "\0" in passphrase:
            raise ValueError("a minisign passphrase must be non-empty text without NUL characters")
        salt = os.urandom(32)
        header = KDF_SCRYPT + CHKALG + salt + opslimit.to_bytes(8, "little") + memlimit.to_bytes(8, "little")
        keynum_sk = _xor(keynum_sk, _keystream(passphrase, salt, opslimit, memlimit))
        comment = "minisign encrypted secret key"
    return f"{UNTRUSTED_PREFIX}{comment}\n{_b64(SIGALG + header + keynum_sk)}\n"


def is_encrypted_secret_key_file(text: str | bytes) -> bool:
    """Whether a minisign secret key file needs a passphrase (kdf ``Sc``)."""
    line = _key_line(_as_text(text, "minisign secret key", KeyFormatError))
    raw = _unb64(line, "minisign secret key", KeyFormatError)
    return len(raw) == _SECKEY_STRUCT_BYTES and raw[2:4] == KDF_SCRYPT


def parse_secret_key_file(text: str | bytes, passphrase: str | None = None) -> MinisignKeyPair:
    """Read a minisign secret key file: unencrypted (ours, ``minisign -G -W``), or encrypted
    with ``passphrase`` (ours, ``minisign -G``). A wrong passphrase raises ``DecryptionError``."""
    line = _key_line(_as_text(text, "minisign secret key", KeyFormatError))
    raw = _unb64(line, "minisign secret key", KeyFormatError)
    if len(raw) != _SECKEY_STRUCT_BYTES:
        raise KeyFormatError("not a minisign secret key (wrong length)")
    sig_alg, kdf_alg, chk_alg = raw[0:2], raw[2:4], raw[4:6]
    if sig_alg != SIGALG:
        raise KeyFormatError("unsupported minisign secret key algorithm")
    if chk_alg != CHKALG:
        raise KeyFormatError("unsupported minisign secret key checksum algorithm")
    rest = raw[54:]
    if kdf_alg == KDF_SCRYPT:
        if passphrase is None:
            raise KeyFormatError(
                "this minisign secret key is encrypted with a password; give its passphrase "
                "(or remove the password with `minisign -C -W -s FILE`)"
            )
        salt = raw[6:38]
        opslimit = int.from_bytes(raw[38:46], "little")
        memlimit = int.from_bytes(raw[46:54], "little")
        rest = _xor(rest, _keystream(passphrase, salt, opslimit, memlimit))
    elif kdf_alg != KDF_NONE:
        raise KeyFormatError("unsupported minisign secret key derivation function")
    key_id, secret_key, checksum = rest[:8], rest[8:72], rest[72:]
    zero_allowed = kdf_alg == KDF_NONE
    if not (zero_allowed and checksum == bytes(CHECKSUM_BYTES)) and not hmac.compare_digest(
        checksum, _seckey_checksum(key_id, secret_key)
    ):
        if kdf_alg == KDF_SCRYPT:
            raise DecryptionError("wrong passphrase for the minisign secret key (or the file is damaged)")
        raise KeyFormatError("minisign secret key checksum mismatch: the file is corrupted")
    try:
        return MinisignKeyPair(key_id=key_id, public_key=secret_key[32:], secret_seed=secret_key[:32])
    except KeyFormatError as exc:
        raise KeyFormatError("minisign secret key file is corrupted (inconsistent key halves)") from exc


# --------------------------------------------------------------------- signatures


def _check_comment(comment: str, what: str, max_bytes: int) -> bytes:
    if any(ch in comment for ch in "\r\n\x00"):
        raise ValueError(f"{what} comment must be a single line without NUL characters")
    encoded = comment.encode("utf-8")
    if len(encoded) > max_bytes:
        raise ValueError(f"{what} comment is longer than {max_bytes} bytes")
    return encoded


def _sign_message(message: bytes, sig_alg: bytes, kp: MinisignKeyPair, trusted: str, untrusted: str) -> str:
    trusted_bytes = _check_comment(trusted, "trusted", MAX_TRUSTED_COMMENT_BYTES)
    _check_comment(untrusted, "untrusted", MAX_UNTRUSTED_COMMENT_BYTES)
    private = kp._private_key()
    signature = private.sign(message)
    global_signature = private.sign(signature + trusted_bytes)
    return (
        f"{UNTRUSTED_PREFIX}{untrusted}\n"
        f"{_b64(sig_alg + kp.key_id + signature)}\n"
        f"{TRUSTED_PREFIX}{trusted}\n"
        f"{_b64(global_signature)}\n"
    )


def _blake2b_stream(stream: BinaryIO) -> bytes:
    h = hashlib.blake2b()
    while chunk := stream.read(_CHUNK):
        h.update(chunk)
    return h.digest()


def sign(
    data: bytes,
    kp: MinisignKeyPair,
    trusted_comment: str,
    untrusted_comment: str = DEFAULT_UNTRUSTED_COMMENT,
) -> str:
    """Return ``.minisig`` text for ``data`` (prehashed ``ED`` mode, as minisign 0.11 signs).

    The trusted comment is covered by the global signature, so put anything the receiver
    must be able to rely on (package id, office, timestamp) there; the untrusted one is not.
    """
    digest = hashlib.blake2b(data).digest()
    return _sign_message(digest, SIGALG_HASHED, kp, trusted_comment, untrusted_comment)


def sign_file(
    path: str | os.PathLike[str],
    kp: MinisignKeyPair,
    trusted_comment: str,
    untrusted_comment: str = DEFAULT_UNTRUSTED_COMMENT,
) -> str:
    """Like ``sign`` but hashes the file in chunks, so large attachments never sit in memory."""
    with open(path, "rb") as stream:
        digest = _blake2b_stream(stream)
    return _sign_message(digest, SIGALG_HASHED, kp, trusted_comment, untrusted_comment)


@dataclass(frozen=True)
class _ParsedSignature:
    sig_alg: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: bytes
    global_signature: bytes


def _malformed(detail: str) -> SignatureError:
    return SignatureError(f"Malformed minisign signature: {detail}")


def _parse_signature(sig_text: str | bytes) -> _ParsedSignature:
    raw = sig_text.encode("utf-8") if isinstance(sig_text, str) else sig_text
    # minisign cuts every line at its first CR or LF; trailing lines are ignored.
    lines = [line.split(b"\r", 1)[0] for line in raw.split(b"\n")]
    if len(lines) < 4:
        raise _malformed("expected 4 lines (comment, signature, trusted comment, global signature)")
    untrusted, sig_line, trusted, global_line = lines[:4]
    if not untrusted.startswith(UNTRUSTED_PREFIX.encode()):
        raise _malformed(f"the first line must start with {UNTRUSTED_PREFIX!r}")
    sig_struct = _unb64(sig_line, "Malformed minisign signature: the signature line", SignatureError)
    if len(sig_struct) != _SIG_STRUCT_BYTES:
        raise _malformed("the signature line has the wrong length")
    sig_alg = sig_struct[:2]
    if sig_alg not in (SIGALG, SIGALG_HASHED):
        raise _malformed("unsupported signature algorithm")
    if not trusted.startswith(TRUSTED_PREFIX.encode()):
        raise _malformed(f"the third line must start with {TRUSTED_PREFIX!r}")
    global_signature = _unb64(
        global_line, "Malformed minisign signature: the global signature line", SignatureError
    )
    if len(global_signature) != SIGNATURE_BYTES:
        raise _malformed("the global signature line has the wrong length")
    return _ParsedSignature(
        sig_alg=sig_alg,
        key_id=sig_struct[2 : 2 + KEY_ID_BYTES],
        signature=sig_struct[2 + KEY_ID_BYTES :],
        trusted_comment=trusted[len(TRUSTED_PREFIX) :],
        global_signature=global_signature,
    )


def _resolve_public_key(public_key: str | bytes) -> tuple[bytes | None, bytes]:
    if isinstance(public_key, bytes) and len(public_key) == PUBLIC_KEY_BYTES:
        return None, public_key
    return parse_public_key(public_key)


def _check_parsed(parsed: _ParsedSignature, message: bytes, key_id: bytes | None, pk: bytes) -> str:
    if key_id is not None and parsed.key_id != key_id:
        raise SignatureError(
            f"Signature was signed by another key (signature key id {key_id_hex(parsed.key_id)}, "
            f"expected {key_id_hex(key_id)})"
        )
    public = Ed25519PublicKey.from_public_bytes(pk)
    try:
        public.verify(parsed.signature, message)
    except InvalidSignature:
        raise SignatureError(
            "Bad signature: the data does not match the signature (altered, or not the signed data)"
        ) from None
    try:
        public.verify(parsed.global_signature, parsed.signature + parsed.trusted_comment)
    except InvalidSignature:
        raise SignatureError("Bad global signature: the trusted comment was altered") from None
    try:
        return parsed.trusted_comment.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError("The signed trusted comment is not valid UTF-8") from None


def verify(data: bytes, sig_text: str | bytes, public_key: str | bytes) -> str:
    """Check a ``.minisig`` for ``data`` and return its trusted comment.

    ``public_key`` is a ``.pub`` file's text or the bare base64 line (str or bytes), or a
    raw 32-byte Ed25519 key (then the key id is not checked). Raises ``SignatureError``.
    """
    parsed = _parse_signature(sig_text)
    key_id, pk = _resolve_public_key(public_key)
    message = hashlib.blake2b(data).digest() if parsed.sig_alg == SIGALG_HASHED else data
    return _check_parsed(parsed, message, key_id, pk)


def verify_file(path: str | os.PathLike[str], sig_text: str | bytes, public_key: str | bytes) -> str:
    """Like ``verify`` for a file; prehashed signatures are checked without loading it whole."""
    parsed = _parse_signature(sig_text)
    key_id, pk = _resolve_public_key(public_key)
    with open(path, "rb") as stream:
        message = _blake2b_stream(stream) if parsed.sig_alg == SIGALG_HASHED else stream.read()
    return _check_parsed(parsed, message, key_id, pk)

"""Tests for fieldkit.crypto, including interoperability with the reference tools.

The interop tests run /usr/bin/minisign and /usr/bin/age (skipped if missing) without
a terminal: keys are unencrypted and stdin is /dev/null, so nothing can prompt.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from fieldkit.crypto import CryptoError, DecryptionError, KeyFormatError, SignatureError, agebox, minisign
from fieldkit.crypto.keys import FINGERPRINT_ALPHABET, OfficeKeys, fingerprint, normalize_fingerprint

MINISIGN = shutil.which("minisign") or "/usr/bin/minisign"
AGE = shutil.which("age") or "/usr/bin/age"
AGE_KEYGEN = shutil.which("age-keygen") or "/usr/bin/age-keygen"

needs_minisign = pytest.mark.skipif(
    not os.access(MINISIGN, os.X_OK), reason="reference tool minisign is not installed"
)
needs_age = pytest.mark.skipif(not os.access(AGE, os.X_OK), reason="reference tool age is not installed")
needs_age_keygen = pytest.mark.skipif(
    not os.access(AGE_KEYGEN, os.X_OK), reason="reference tool age-keygen is not installed"
)

FINGERPRINT_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$")


def run(args: Sequence[str | os.PathLike[str]], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run a reference tool without a terminal or stdin, so it can never prompt."""
    return subprocess.run(
        [os.fspath(a) for a in args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )


def write_secret(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def kp() -> minisign.MinisignKeyPair:
    return minisign.generate_keypair()


@pytest.fixture(scope="module")
def other_kp() -> minisign.MinisignKeyPair:
    return minisign.generate_keypair()


# ------------------------------------------------------------------ minisign: keys


def test_generate_keypair_shapes(kp: minisign.MinisignKeyPair) -> None:
    assert len(kp.key_id) == 8
    assert len(kp.public_key) == 32
    assert len(kp.secret_seed) == 32
    assert kp.secret_key == kp.secret_seed + kp.public_key
    assert minisign.generate_keypair().key_id != kp.key_id


def test_keypair_repr_hides_seed(kp: minisign.MinisignKeyPair) -> None:
    assert repr(kp.secret_seed) not in repr(kp)
    assert "secret_seed" not in repr(kp)


def test_keypair_rejects_mismatched_halves(
    kp: minisign.MinisignKeyPair, other_kp: minisign.MinisignKeyPair
) -> None:
    with pytest.raises(KeyFormatError, match="does not belong"):
        minisign.MinisignKeyPair(key_id=kp.key_id, public_key=other_kp.public_key, secret_seed=kp.secret_seed)
    with pytest.raises(KeyFormatError, match="8 bytes"):
        minisign.MinisignKeyPair(key_id=b"short", public_key=kp.public_key, secret_seed=kp.secret_seed)


def test_key_id_is_printed_without_leading_zeros() -> None:
    # minisign formats the id with "%" PRIX64: a key id whose top nibble is 0 loses it
    assert minisign.key_id_hex(bytes.fromhex("f19d029981e9c307")) == "7C3E98199029DF1"
    assert minisign.key_id_hex(bytes.fromhex("2fd500b024de4312")) == "1243DE24B000D52F"


def test_public_key_file_format(kp: minisign.MinisignKeyPair) -> None:
    text = minisign.public_key_file(kp)
    comment, line, trailing = text.split("\n")
    assert trailing == ""
    # minisign prints the key id as a little-endian uint64: the bytes reversed.
    assert comment == f"untrusted comment: minisign public key {minisign.key_id_hex(kp.key_id)}"
    assert line == minisign.public_key_line(kp)
    assert base64.b64decode(line) == b"Ed" + kp.key_id + kp.public_key
    assert minisign.public_key_file(kp.public_key, kp.key_id) == text
    with pytest.raises(ValueError, match="key_id is required"):
        minisign.public_key_line(kp.public_key)


def test_parse_public_key_roundtrip(kp: minisign.MinisignKeyPair) -> None:
    expected = (kp.key_id, kp.public_key)
    assert minisign.parse_public_key(minisign.public_key_file(kp)) == expected
    assert minisign.parse_public_key(minisign.public_key_line(kp)) == expected
    assert minisign.parse_public_key(minisign.public_key_file(kp).encode()) == expected
    assert minisign.parse_public_key("  " + minisign.public_key_line(kp) + "\r\n") == expected


@pytest.mark.parametrize(
    "text",
    ["", "untrusted comment: nothing\n", "not base64 !!!", base64.b64encode(b"Ed" + bytes(10)).decode()],
)
def test_parse_public_key_rejects_garbage(text: str) -> None:
    with pytest.raises(KeyFormatError):
        minisign.parse_public_key(text)


def test_parse_public_key_rejects_secret_key_file(kp: minisign.MinisignKeyPair) -> None:
    with pytest.raises(KeyFormatError, match="wrong length"):
        minisign.parse_public_key(minisign.secret_key_file(kp))


def test_secret_key_file_layout_and_roundtrip(kp: minisign.MinisignKeyPair) -> None:
    text = minisign.secret_key_file(kp)
    comment, line, trailing = text.split("\n")
    assert comment.startswith("untrusted comment: ") and trailing == ""
    raw = base64.b64decode(line)
    assert len(raw) == 158
    assert raw[:6] == b"Ed\x00\x00B2"
    assert raw[6:54] == bytes(48)  # salt, opslimit, memlimit: unused without a kdf
    assert raw[54:62] == kp.key_id
    assert raw[62:126] == kp.secret_seed + kp.public_key
    assert raw[126:] == hashlib.blake2b(b"Ed" + kp.key_id + kp.secret_key, digest_size=32).digest()
    assert minisign.parse_secret_key_file(text) == kp


def _patched_secret_key(kp: minisign.MinisignKeyPair, offset: int, value: bytes) -> str:
    raw = bytearray(base64.b64decode(minisign.secret_key_file(kp).split("\n")[1]))
    raw[offset : offset + len(value)] = value
    return "untrusted comment: patched\n" + base64.b64encode(bytes(raw)).decode() + "\n"


def test_parse_secret_key_accepts_zero_checksum(kp: minisign.MinisignKeyPair) -> None:
    # `minisign -G -W` (0.11) leaves the checksum all zero.
    assert minisign.parse_secret_key_file(_patched_secret_key(kp, 126, bytes(32))) == kp


def test_parse_secret_key_rejects_encrypted(kp: minisign.MinisignKeyPair) -> None:
    with pytest.raises(KeyFormatError, match="encrypted with a password"):
        minisign.parse_secret_key_file(_patched_secret_key(kp, 2, b"Sc"))


def test_parse_secret_key_rejects_corruption(kp: minisign.MinisignKeyPair) -> None:
    with pytest.raises(KeyFormatError, match="checksum mismatch"):
        minisign.parse_secret_key_file(_patched_secret_key(kp, 126, b"\x01" * 32))
    with pytest.raises(KeyFormatError, match="checksum mismatch"):
        minisign.parse_secret_key_file(_patched_secret_key(kp, 70, b"\xff"))
    with pytest.raises(KeyFormatError, match="unsupported"):
        minisign.parse_secret_key_file(_patched_secret_key(kp, 4, b"XX"))
    with pytest.raises(KeyFormatError, match="wrong length"):
        minisign.parse_secret_key_file(minisign.public_key_file(kp))


# ------------------------------------------------------------ minisign: signatures


def test_sign_verify_roundtrip(kp: minisign.MinisignKeyPair) -> None:
    data = b"package contents\x00\xff"
    sig = minisign.sign(data, kp, "timestamp:1700000000\tfile:package.fkp")
    lines = sig.split("\n")
    assert len(lines) == 5 and lines[4] == ""
    assert lines[0] == "untrusted comment: signature from fieldkit"
    assert base64.b64decode(lines[1])[:10] == b"ED" + kp.key_id
    assert lines[2] == "trusted comment: timestamp:1700000000\tfile:package.fkp"
    assert (
        minisign.verify(data, sig, minisign.public_key_line(kp)) == "timestamp:1700000000\tfile:package.fkp"
    )
    assert (
        minisign.verify(data, sig, minisign.public_key_file(kp)) == "timestamp:1700000000\tfile:package.fkp"
    )
    assert minisign.verify(data, sig.encode(), kp.public_key) == "timestamp:1700000000\tfile:package.fkp"
    # Ed25519 is deterministic: same input, same signature.
    assert minisign.sign(data, kp, "timestamp:1700000000\tfile:package.fkp") == sig


def test_verify_accepts_crlf_and_unicode(kp: minisign.MinisignKeyPair) -> None:
    comment = "office: Bureau de Goma — ملف"
    sig = minisign.sign(b"x", kp, comment, untrusted_comment="ünïcode")
    assert minisign.verify(b"x", sig.replace("\n", "\r\n"), minisign.public_key_line(kp)) == comment


def test_verify_empty_data(kp: minisign.MinisignKeyPair) -> None:
    assert minisign.verify(b"", minisign.sign(b"", kp, ""), minisign.public_key_line(kp)) == ""


def test_verify_tampered_data(kp: minisign.MinisignKeyPair) -> None:
    sig = minisign.sign(b"original", kp, "tc")
    with pytest.raises(SignatureError, match=r"^Bad signature"):
        minisign.verify(b"origina1", sig, minisign.public_key_line(kp))


def test_verify_tampered_trusted_comment(kp: minisign.MinisignKeyPair) -> None:
    sig = minisign.sign(b"data", kp, "office:goma")
    forged = sig.replace("trusted comment: office:goma", "trusted comment: office:kinshasa")
    with pytest.raises(SignatureError, match=r"^Bad global signature"):
        minisign.verify(b"data", forged, minisign.public_key_line(kp))


def test_verify_tampered_untrusted_comment_is_fine(kp: minisign.MinisignKeyPair) -> None:
    sig = minisign.sign(b"data", kp, "tc").replace("signature from fieldkit", "anything at all")
    assert minisign.verify(b"data", sig, minisign.public_key_line(kp)) == "tc"


def test_verify_wrong_key(kp: minisign.MinisignKeyPair, other_kp: minisign.MinisignKeyPair) -> None:
    sig = minisign.sign(b"data", kp, "tc")
    with pytest.raises(SignatureError, match="signed by another key") as info:
        minisign.verify(b"data", sig, minisign.public_key_line(other_kp))
    assert minisign.key_id_hex(kp.key_id) in str(info.value)
    assert minisign.key_id_hex(other_kp.key_id) in str(info.value)


def test_verify_wrong_key_with_same_key_id(
    kp: minisign.MinisignKeyPair, other_kp: minisign.MinisignKeyPair
) -> None:
    sig = minisign.sign(b"data", kp, "tc")
    impostor = minisign.public_key_line(other_kp.public_key, kp.key_id)
    with pytest.raises(SignatureError, match=r"^Bad signature"):
        minisign.verify(b"data", sig, impostor)
    with pytest.raises(SignatureError, match=r"^Bad signature"):
        minisign.verify(b"data", sig, other_kp.public_key)  # raw key: no key id to compare


def _sig_lines(kp: minisign.MinisignKeyPair) -> list[str]:
    return minisign.sign(b"data", kp, "tc").split("\n")


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda lines: [], id="empty"),
        pytest.param(lambda lines: lines[:3], id="missing-global-signature"),
        pytest.param(lambda lines: ["comment: x", *lines[1:]], id="bad-untrusted-prefix"),
        pytest.param(lambda lines: [lines[0], "!!notbase64!!", *lines[2:]], id="bad-base64"),
        pytest.param(lambda lines: [lines[0], lines[1][:-8], *lines[2:]], id="short-signature"),
        pytest.param(lambda lines: [*lines[:2], "tc", *lines[3:]], id="bad-trusted-prefix"),
        pytest.param(lambda lines: [*lines[:3], lines[3][:40]], id="short-global-signature"),
        pytest.param(
            lambda lines: [
                lines[0],
                base64.b64encode(b"XX" + base64.b64decode(lines[1])[2:]).decode(),
                *lines[2:],
            ],
            id="unknown-algorithm",
        ),
    ],
)
def test_verify_malformed(kp: minisign.MinisignKeyPair, mutate: object) -> None:
    assert callable(mutate)
    text = "\n".join(mutate(_sig_lines(kp)))
    with pytest.raises(SignatureError, match=r"^Malformed minisign signature"):
        minisign.verify(b"data", text, minisign.public_key_line(kp))


def test_verify_bad_public_key_is_key_error(kp: minisign.MinisignKeyPair) -> None:
    with pytest.raises(KeyFormatError):
        minisign.verify(b"data", minisign.sign(b"data", kp, "tc"), "garbage")


def test_errors_share_base_class() -> None:
    assert issubclass(SignatureError, CryptoError)
    assert issubclass(DecryptionError, CryptoError)
    assert issubclass(KeyFormatError, CryptoError)
    assert minisign.SignatureError is SignatureError


def test_comment_validation(kp: minisign.MinisignKeyPair) -> None:
    with pytest.raises(ValueError, match="single line"):
        minisign.sign(b"x", kp, "two\nlines")
    with pytest.raises(ValueError, match="single line"):
        minisign.sign(b"x", kp, "ok", untrusted_comment="cr\r")
    with pytest.raises(ValueError, match="longer than"):
        minisign.sign(b"x", kp, "x" * (minisign.MAX_TRUSTED_COMMENT_BYTES + 1))
    with pytest.raises(ValueError, match="longer than"):
        minisign.sign(b"x", kp, "ok", untrusted_comment="x" * (minisign.MAX_UNTRUSTED_COMMENT_BYTES + 1))


def test_legacy_signature_verifies(kp: minisign.MinisignKeyPair) -> None:
    # Build a legacy "Ed" signature by hand: Ed25519 over the raw data.
    private = kp._private_key()
    sig = private.sign(b"legacy data")
    text = (
        "untrusted comment: legacy\n"
        + base64.b64encode(b"Ed" + kp.key_id + sig).decode()
        + "\ntrusted comment: old\n"
        + base64.b64encode(private.sign(sig + b"old")).decode()
        + "\n"
    )
    assert minisign.verify(b"legacy data", text, minisign.public_key_line(kp)) == "old"
    with pytest.raises(SignatureError, match=r"^Bad signature"):
        minisign.verify(b"other data", text, minisign.public_key_line(kp))


def test_sign_file_and_verify_file(tmp_path: Path, kp: minisign.MinisignKeyPair) -> None:
    path = tmp_path / "attachment.bin"
    data = os.urandom(3 * 1024 * 1024 + 17)  # spans several read chunks
    path.write_bytes(data)
    sig = minisign.sign_file(path, kp, "file:attachment.bin")
    assert sig == minisign.sign(data, kp, "file:attachment.bin")
    assert minisign.verify_file(path, sig, minisign.public_key_line(kp)) == "file:attachment.bin"
    path.write_bytes(data[:-1])
    with pytest.raises(SignatureError, match=r"^Bad signature"):
        minisign.verify_file(path, sig, minisign.public_key_line(kp))


# ------------------------------------------------------ minisign: reference tool


@needs_minisign
def test_our_signature_verifies_with_minisign(tmp_path: Path, kp: minisign.MinisignKeyPair) -> None:
    data_file = tmp_path / "package.fkp"
    data_file.write_bytes(b"payload \x00\x01\x02" * 1000)
    pub_file = tmp_path / "office.pub"
    pub_file.write_text(minisign.public_key_file(kp), encoding="utf-8")
    for comment in [
        "timestamp:1700000000\tfile:package.fkp",
        "Goma — ملف",
        "x" * minisign.MAX_TRUSTED_COMMENT_BYTES,
    ]:
        sig_file = tmp_path / "package.fkp.minisig"
        sig_file.write_text(minisign.sign(data_file.read_bytes(), kp, comment), encoding="utf-8")
        by_line = run([MINISIGN, "-V", "-Q", "-m", data_file, "-P", minisign.public_key_line(kp)], tmp_path)
        assert by_line.returncode == 0, by_line.stderr
        assert by_line.stdout.decode("utf-8") == comment + "\n"
        by_file = run([MINISIGN, "-V", "-m", data_file, "-p", pub_file], tmp_path)
        assert by_file.returncode == 0, by_file.stderr
        assert b"Signature and comment signature verified" in by_file.stdout
        # -H: minisign insists on the prehashed format, which is what we write.
        prehashed = run([MINISIGN, "-V", "-H", "-m", data_file, "-p", pub_file], tmp_path)
        assert prehashed.returncode == 0, prehashed.stderr


@needs_minisign
def test_minisign_rejects_what_we_reject(
    tmp_path: Path, kp: minisign.MinisignKeyPair, other_kp: minisign.MinisignKeyPair
) -> None:
    """The reference tool agrees with our negative cases, so the positive ones mean something."""
    data_file = tmp_path / "data"
    data_file.write_bytes(b"data")
    sig = minisign.sign(b"data", kp, "office:goma")
    sig_file = tmp_path / "data.minisig"

    sig_file.write_text(sig, encoding="utf-8")
    wrong_key = run([MINISIGN, "-V", "-m", data_file, "-P", minisign.public_key_line(other_kp)], tmp_path)
    assert wrong_key.returncode != 0 and b"key id" in wrong_key.stderr

    data_file.write_bytes(b"dat4")
    tampered = run([MINISIGN, "-V", "-m", data_file, "-P", minisign.public_key_line(kp)], tmp_path)
    assert tampered.returncode != 0 and b"Signature verification failed" in tampered.stderr

    data_file.write_bytes(b"data")
    sig_file.write_text(sig.replace("office:goma", "office:kinshasa"), encoding="utf-8")
    forged = run([MINISIGN, "-V", "-m", data_file, "-P", minisign.public_key_line(kp)], tmp_path)
    assert forged.returncode != 0 and b"Comment signature verification failed" in forged.stderr


@needs_minisign
def test_our_large_file_signature_verifies_with_minisign(
    tmp_path: Path, kp: minisign.MinisignKeyPair
) -> None:
    data_file = tmp_path / "big.bin"
    data_file.write_bytes(os.urandom(2 * 1024 * 1024 + 3))
    (tmp_path / "big.bin.minisig").write_text(minisign.sign_file(data_file, kp, "big"), encoding="utf-8")
    result = run([MINISIGN, "-V", "-Q", "-m", data_file, "-P", minisign.public_key_line(kp)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"big\n"


@needs_minisign
def test_minisign_signs_with_our_secret_key_file(tmp_path: Path, kp: minisign.MinisignKeyPair) -> None:
    key_file = write_secret(tmp_path / "office.key", minisign.secret_key_file(kp))
    data_file = tmp_path / "report.pdf"
    data_file.write_bytes(b"%PDF-1.7 not really\n")
    for extra, alg in [([], b"ED"), (["-l"], b"Ed")]:  # -l: legacy, non-prehashed
        sig_file = tmp_path / "report.pdf.minisig"
        result = run(
            [MINISIGN, "-S", *extra, "-s", key_file, "-m", data_file, "-x", sig_file, "-t", "signed by ref"],
            tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert b"Password" not in result.stdout  # unencrypted: it never asked
        sig_text = sig_file.read_text(encoding="utf-8")
        assert base64.b64decode(sig_text.split("\n")[1])[:2] == alg
        trusted = minisign.verify(data_file.read_bytes(), sig_text, minisign.public_key_line(kp))
        assert trusted == "signed by ref"
        assert minisign.verify_file(data_file, sig_text, minisign.public_key_file(kp)) == "signed by ref"
        with pytest.raises(SignatureError, match=r"^Bad signature"):
            minisign.verify(b"something else", sig_text, minisign.public_key_line(kp))


@needs_minisign
def test_minisign_generated_keys_parse(tmp_path: Path) -> None:
    pub_file, key_file = tmp_path / "x.pub", tmp_path / "x.key"
    result = run([MINISIGN, "-G", "-W", "-p", pub_file, "-s", key_file], tmp_path)
    assert result.returncode == 0, result.stderr
    parsed = minisign.parse_secret_key_file(key_file.read_text(encoding="utf-8"))
    # Our .pub text is byte-for-byte what minisign wrote for the same key.
    assert minisign.public_key_file(parsed) == pub_file.read_text(encoding="utf-8")
    assert minisign.parse_public_key(pub_file.read_text(encoding="utf-8")) == (
        parsed.key_id,
        parsed.public_key,
    )
    # And what we sign with its key verifies with its public key file.
    data_file = tmp_path / "d"
    data_file.write_bytes(b"d")
    (tmp_path / "d.minisig").write_text(minisign.sign(b"d", parsed, "t"), encoding="utf-8")
    verified = run([MINISIGN, "-V", "-m", data_file, "-p", pub_file], tmp_path)
    assert verified.returncode == 0, verified.stderr


# ------------------------------------------------------------------------- age


def test_generate_identity_formats() -> None:
    identity, recipient = agebox.generate_identity()
    assert identity.startswith("AGE-SECRET-KEY-1") and identity == identity.upper()
    assert recipient.startswith("age1") and recipient == recipient.lower()
    assert agebox.recipient_from_identity(identity) == recipient
    assert agebox.recipient_from_identity(f"  {identity}\n") == recipient
    assert agebox.normalize_recipient(recipient.upper()) == recipient


def test_encrypt_decrypt_roundtrip() -> None:
    identity, recipient = agebox.generate_identity()
    other_identity, other_recipient = agebox.generate_identity()
    data = os.urandom(100_000)
    ciphertext = agebox.encrypt(data, [recipient, other_recipient])
    assert ciphertext.startswith(b"age-encryption.org/v1\n")
    assert agebox.decrypt(ciphertext, identity) == data
    assert agebox.decrypt(ciphertext, other_identity) == data
    assert agebox.decrypt(agebox.encrypt(b"", [recipient]), identity) == b""
    armored = agebox.encrypt(b"hi", [recipient], armored=True)
    assert armored.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert agebox.decrypt(armored, [other_identity, identity]) == b"hi"


def test_decrypt_wrong_key() -> None:
    _, recipient = agebox.generate_identity()
    other_identity, _ = agebox.generate_identity()
    with pytest.raises(DecryptionError, match="wrong key"):
        agebox.decrypt(agebox.encrypt(b"secret", [recipient]), other_identity)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda ct: ct[:-1], id="truncated"),
        pytest.param(lambda ct: ct[:-20] + bytes([ct[-20] ^ 1]) + ct[-19:], id="bit-flip-payload"),
        pytest.param(lambda ct: b"not age at all", id="not-age"),
        pytest.param(lambda ct: b"", id="empty"),
    ],
)
def test_decrypt_corrupted(damage: object) -> None:
    assert callable(damage)
    identity, recipient = agebox.generate_identity()
    ciphertext = agebox.encrypt(b"field report " * 100, [recipient])
    with pytest.raises(DecryptionError, match=r"^Cannot decrypt"):
        agebox.decrypt(damage(ciphertext), identity)


def test_bad_keys_raise_key_errors_without_echoing_secrets() -> None:
    identity, recipient = agebox.generate_identity()
    broken = identity[:-4] + "QQQQ"
    with pytest.raises(KeyFormatError) as info:
        agebox.decrypt(b"x", broken)
    assert identity[16:] not in str(info.value) and broken[16:] not in str(info.value)
    with pytest.raises(KeyFormatError, match="not a valid age recipient"):
        agebox.encrypt(b"x", ["age1notarecipient"])
    with pytest.raises(KeyFormatError, match="secret age identity") as info:
        agebox.encrypt(b"x", [identity])
    assert identity[16:] not in str(info.value)
    with pytest.raises(ValueError, match="at least one"):
        agebox.encrypt(b"x", [])
    with pytest.raises(TypeError):
        agebox.encrypt(b"x", recipient)


def test_identity_file_format() -> None:
    identity, recipient = agebox.generate_identity()
    text = agebox.identity_file(identity, recipient, datetime(2024, 5, 1, 10, 0, 0, 123, tzinfo=UTC))
    assert text == f"# created: 2024-05-01T10:00:00Z\n# public key: {recipient}\n{identity}\n"
    plus_one = timezone(timedelta(hours=1))
    text = agebox.identity_file(identity, None, datetime(2024, 5, 1, 10, 0, 0, tzinfo=plus_one))
    assert text.startswith("# created: 2024-05-01T10:00:00+01:00\n")
    assert re.match(r"^# created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", agebox.identity_file(identity))
    _, other_recipient = agebox.generate_identity()
    with pytest.raises(KeyFormatError, match="does not belong"):
        agebox.identity_file(identity, other_recipient)


def test_encrypt_file_decrypt_file(tmp_path: Path) -> None:
    identity, recipient = agebox.generate_identity()
    src, enc, out = tmp_path / "photo.jpg", tmp_path / "photo.jpg.age", tmp_path / "out.jpg"
    data = os.urandom(3 * 1024 * 1024 + 5)
    src.write_bytes(data)
    agebox.encrypt_file(src, enc, [recipient])
    assert agebox.decrypt(enc.read_bytes(), identity) == data
    agebox.decrypt_file(enc, out, identity)
    assert out.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jpg", "photo.jpg", "photo.jpg.age"]


def test_decrypt_file_failure_leaves_no_plaintext(tmp_path: Path) -> None:
    identity, recipient = agebox.generate_identity()
    other_identity, _ = agebox.generate_identity()
    src, enc, out = tmp_path / "doc", tmp_path / "doc.age", tmp_path / "doc.out"
    src.write_bytes(os.urandom(300_000))
    agebox.encrypt_file(src, enc, [recipient])
    ciphertext = enc.read_bytes()

    with pytest.raises(DecryptionError, match="wrong key"):
        agebox.decrypt_file(enc, out, other_identity)
    enc.write_bytes(ciphertext[:-100])
    with pytest.raises(DecryptionError, match="corrupted"):
        agebox.decrypt_file(enc, out, identity)
    damaged = bytearray(ciphertext)
    damaged[len(damaged) // 2] ^= 0x01
    enc.write_bytes(bytes(damaged))
    with pytest.raises(DecryptionError, match="corrupted"):
        agebox.decrypt_file(enc, out, identity)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc", "doc.age"]
    with pytest.raises(FileNotFoundError):
        agebox.decrypt_file(tmp_path / "missing.age", out, identity)


# ------------------------------------------------------------- age: reference tool


@needs_age
def test_our_ciphertext_decrypts_with_age(tmp_path: Path) -> None:
    identity, recipient = agebox.generate_identity()
    key_file = write_secret(tmp_path / "key.txt", agebox.identity_file(identity, recipient))
    data = os.urandom(200_000)
    (tmp_path / "msg.age").write_bytes(agebox.encrypt(data, [recipient]))
    result = run([AGE, "-d", "-i", key_file, "-o", tmp_path / "msg", tmp_path / "msg.age"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "msg").read_bytes() == data

    src = tmp_path / "big"
    src.write_bytes(os.urandom(2 * 1024 * 1024 + 1))
    agebox.encrypt_file(src, tmp_path / "big.age", [recipient])
    result = run([AGE, "-d", "-i", key_file, "-o", tmp_path / "big.out", tmp_path / "big.age"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "big.out").read_bytes() == src.read_bytes()


@needs_age
def test_age_ciphertext_decrypts_with_ours(tmp_path: Path) -> None:
    identity, recipient = agebox.generate_identity()
    _, other_recipient = agebox.generate_identity()
    plain = tmp_path / "plain"
    plain.write_bytes(b"from the reference tool\n" * 5000)
    for armor in ([], ["-a"]):
        out = tmp_path / "plain.age"
        result = run([AGE, *armor, "-r", other_recipient, "-r", recipient, "-o", out, plain], tmp_path)
        assert result.returncode == 0, result.stderr
        assert agebox.decrypt(out.read_bytes(), identity) == plain.read_bytes()
        agebox.decrypt_file(out, tmp_path / "plain.out", identity)
        assert (tmp_path / "plain.out").read_bytes() == plain.read_bytes()


@needs_age_keygen
def test_identity_file_agrees_with_age_keygen(tmp_path: Path) -> None:
    identity, recipient = agebox.generate_identity()
    key_file = write_secret(tmp_path / "key.txt", agebox.identity_file(identity))
    result = run([AGE_KEYGEN, "-y", key_file], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == recipient

    generated = tmp_path / "generated.txt"
    result = run([AGE_KEYGEN, "-o", generated], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = generated.read_text(encoding="utf-8").splitlines()
    ref_identity = lines[-1]
    ref_recipient = lines[1].removeprefix("# public key: ")
    assert agebox.recipient_from_identity(ref_identity) == ref_recipient
    assert agebox.decrypt(agebox.encrypt(b"ok", [ref_recipient]), ref_identity) == b"ok"


# ------------------------------------------------------------------ office keys


def test_office_keys_json_roundtrip() -> None:
    keys = OfficeKeys.generate()
    stored = json.loads(json.dumps(keys.to_json()))
    assert set(stored) == {
        "format",
        "age_identity",
        "age_recipient",
        "minisign_key_id",
        "minisign_public_key",
        "minisign_secret_seed",
    }
    restored = OfficeKeys.from_json(stored)
    assert restored == keys
    assert restored.fingerprint == keys.fingerprint
    # Restored keys still work together.
    assert agebox.decrypt(agebox.encrypt(b"x", [restored.age_recipient]), keys.age_identity) == b"x"
    sig = minisign.sign(b"x", restored.minisign, "tc")
    assert minisign.verify(b"x", sig, keys.minisign_public_key_line) == "tc"


def test_office_keys_repr_hides_secrets() -> None:
    keys = OfficeKeys.generate()
    text = repr(keys)
    assert keys.age_identity not in text
    assert "AGE-SECRET-KEY" not in text
    assert repr(keys.minisign.secret_seed) not in text
    assert keys.age_recipient in text


def test_office_keys_from_json_validates() -> None:
    keys = OfficeKeys.generate()
    other = OfficeKeys.generate()
    good = keys.to_json()
    with pytest.raises(KeyFormatError, match="format"):
        OfficeKeys.from_json({**good, "format": "something-else"})
    with pytest.raises(KeyFormatError, match="age_identity"):
        OfficeKeys.from_json({k: v for k, v in good.items() if k != "age_identity"})
    with pytest.raises(KeyFormatError, match="does not belong"):
        OfficeKeys.from_json({**good, "age_recipient": other.age_recipient})
    with pytest.raises(KeyFormatError, match="does not belong"):
        OfficeKeys.from_json({**good, "minisign_public_key": other.to_json()["minisign_public_key"]})
    with pytest.raises(KeyFormatError, match="base64"):
        OfficeKeys.from_json({**good, "minisign_secret_seed": "***"})


FIXED_RECIPIENT = "age149sskhp9nzxjdw2accad5rpwsekk84hsw4ge95vsqtt6hvk0hdvsg0738r"
FIXED_MINISIGN_LINE = "RWQ8C1kMku0JYWL3kBam4/QmKY9nW0Swfkrb7FHwhkCMSvNOgjP2qF6e"


def test_fingerprint_known_answer() -> None:
    # Pinned: changing the encoding would break fingerprints people have already compared.
    assert fingerprint(FIXED_RECIPIENT, FIXED_MINISIGN_LINE) == "X536-G8BM-WQ5D-KVJD-J4CH-46G2"


def test_fingerprint_matches_independent_computation() -> None:
    key_id, pk = minisign.parse_public_key(FIXED_MINISIGN_LINE)
    recipient = FIXED_RECIPIENT.encode()
    minisign_key = b"Ed" + key_id + pk
    canonical = (
        b"fieldkit office key fingerprint v1\x00"
        + len(recipient).to_bytes(4, "big")
        + recipient
        + len(minisign_key).to_bytes(4, "big")
        + minisign_key
    )
    rfc4648 = base64.b32encode(hashlib.sha256(canonical).digest()[:15]).decode()
    crockford = rfc4648.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", FINGERPRINT_ALPHABET))
    expected = "-".join(crockford[i : i + 4] for i in range(0, 24, 4))
    assert fingerprint(FIXED_RECIPIENT, FIXED_MINISIGN_LINE) == expected


def test_fingerprint_is_stable_and_formatted() -> None:
    keys = OfficeKeys.generate()
    fp = keys.fingerprint
    assert FINGERPRINT_RE.match(fp), fp
    assert not set(fp) & set("ILOU")
    assert fingerprint(keys.age_recipient, keys.minisign_public_key_line) == fp
    # Canonicalised: spelling of the same keys does not matter.
    assert fingerprint(keys.age_recipient.upper(), minisign.public_key_file(keys.minisign)) == fp
    # Either key changing changes it.
    other = OfficeKeys.generate()
    assert fingerprint(other.age_recipient, keys.minisign_public_key_line) != fp
    assert fingerprint(keys.age_recipient, other.minisign_public_key_line) != fp
    with pytest.raises(KeyFormatError):
        fingerprint("age1garbage", keys.minisign_public_key_line)


def test_normalize_fingerprint() -> None:
    fp = "X536-G8BM-WQ5D-KVJD-J4CH-46G2"
    assert normalize_fingerprint(fp) == fp
    assert normalize_fingerprint("x536 g8bm wq5d kvjd j4ch 46g2") == fp
    assert normalize_fingerprint("X536G8BMWQ5DKVJDJ4CH46G2") == fp
    assert normalize_fingerprint("0O1I-L000-0000-0000-0000-0000") == "0011-1000-0000-0000-0000-0000"
    with pytest.raises(ValueError):
        normalize_fingerprint("X536-G8BM")
    with pytest.raises(ValueError):
        normalize_fingerprint("U536-G8BM-WQ5D-KVJD-J4CH-46G2")


def _decrypt_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "age-decrypt"]


def test_decrypted_pieces_stream_the_plain_text() -> None:
    identity, recipient = agebox.generate_identity()
    plain = b"".join(b"line %d of the payload\n" % i for i in range(200_000))  # several pieces
    sealed = agebox.encrypt(plain, [recipient])
    with agebox.decrypted_pieces(io.BytesIO(sealed), identity) as pieces:
        received = list(pieces)
    assert len(received) > 2 and b"".join(received) == plain
    assert not _decrypt_threads()


def test_decrypted_pieces_fail_where_the_stream_is_cut() -> None:
    identity, recipient = agebox.generate_identity()
    sealed = agebox.encrypt(b"x" * 3_000_000, [recipient])
    with (
        pytest.raises(agebox.DecryptionError),
        agebox.decrypted_pieces(io.BytesIO(sealed[:-10]), identity) as p,
    ):
        for _piece in p:
            pass
    stranger = agebox.generate_identity()[0]
    with (
        pytest.raises(agebox.DecryptionError, match="wrong key"),
        agebox.decrypted_pieces(io.BytesIO(sealed), stranger) as p,
    ):
        next(iter(p))
    assert not _decrypt_threads()


def test_leaving_early_stops_the_decrypting_thread() -> None:
    identity, recipient = agebox.generate_identity()
    sealed = agebox.encrypt(b"y" * 20_000_000, [recipient])
    with agebox.decrypted_pieces(io.BytesIO(sealed), identity) as pieces:
        next(iter(pieces))  # the reader stops after one piece, as a refused import does
    assert not _decrypt_threads()

"""Cryptography for FieldKit: minisign signatures, age encryption and office keys.

The submodules are imported explicitly (``from fieldkit.crypto import minisign``) so
that importing the error types stays cheap. Every error raised on purpose by this
package derives from ``CryptoError``, so callers that only need "it failed, tell the
user why" can catch that one type and show ``str(exc)``, which never contains secrets.
"""

from __future__ import annotations

__all__ = ["CryptoError", "DecryptionError", "KeyFormatError", "SignatureError"]


class CryptoError(Exception):
    """Base class for every error this package raises deliberately."""


class KeyFormatError(CryptoError):
    """A key, key file or recipient string is malformed or unsupported."""


class SignatureError(CryptoError):
    """A minisign signature is malformed, from another key, or does not verify."""


class DecryptionError(CryptoError):
    """age data could not be decrypted: wrong key, corrupted, truncated or not age."""

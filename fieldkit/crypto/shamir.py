"""Shamir's secret sharing over GF(256): any ``k`` of ``n`` shares give the secret back,
fewer give nothing about it.

Each byte of the secret is the constant term of its own random polynomial of degree
``k - 1`` over GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1); share ``x`` (1..n) holds the
polynomials' values at ``x``. ``combine`` interpolates at 0 (Lagrange). This module is the
arithmetic alone: which office, which split and whether a share is damaged is written
around it by ``fieldkit.crypto.keybackup``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

__all__ = ["MAX_SHARES", "MIN_THRESHOLD", "combine", "split"]

MIN_THRESHOLD = 2
MAX_SHARES = 255  # share x-coordinates are the non-zero field elements

_EXP = [0] * 512
_LOG = [0] * 256


def _tables() -> None:
    value = 1
    for power in range(255):
        _EXP[power] = value
        _LOG[value] = power
        # multiply by the generator 3: value * 2 + value, reduced by the AES polynomial
        doubled = value << 1
        if doubled & 0x100:
            doubled ^= 0x11B
        value = doubled ^ value
    for power in range(255, 512):
        _EXP[power] = _EXP[power - 255]


_tables()


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[(_LOG[a] - _LOG[b]) % 255]


def split(secret: bytes, threshold: int, count: int) -> list[tuple[int, bytes]]:
    """``count`` shares ``(x, values)`` of ``secret``, any ``threshold`` of which rebuild it."""
    if not MIN_THRESHOLD <= threshold <= count <= MAX_SHARES:
        raise ValueError(f"need {MIN_THRESHOLD} <= threshold <= count <= {MAX_SHARES}")
    if not secret:
        raise ValueError("nothing to split")
    # coefficients[i] holds, for each secret byte, the coefficient of x^(i+1)
    coefficients = [secrets.token_bytes(len(secret)) for _ in range(threshold - 1)]
    shares = []
    for x in range(1, count + 1):
        values = bytearray(len(secret))
        for position, constant in enumerate(secret):
            acc = 0
            for row in reversed(coefficients):  # Horner's rule, highest power first
                acc = _mul(acc, x) ^ row[position]
            values[position] = _mul(acc, x) ^ constant
        shares.append((x, bytes(values)))
    return shares


def combine(shares: Sequence[tuple[int, bytes]]) -> bytes:
    """The secret from ``threshold`` (or more) distinct shares of one split.

    With fewer than the threshold the result is a wrong secret, not an error: the caller
    checks the count (and the result) itself.
    """
    if not shares:
        raise ValueError("no shares given")
    xs = [x for x, _values in shares]
    if len(set(xs)) != len(xs) or any(not 1 <= x <= MAX_SHARES for x in xs):
        raise ValueError("share numbers must be distinct and between 1 and 255")
    length = len(shares[0][1])
    if any(len(values) != length for _x, values in shares):
        raise ValueError("shares of one split all have the same length")
    # Lagrange basis at 0: l_j(0) = prod_{m != j} x_m / (x_m - x_j); subtraction is XOR
    weights = []
    for j, xj in enumerate(xs):
        weight = 1
        for m, xm in enumerate(xs):
            if m != j:
                weight = _mul(weight, _div(xm, xm ^ xj))
        weights.append(weight)
    secret = bytearray(length)
    for weight, (_x, values) in zip(weights, shares, strict=True):
        for position, value in enumerate(values):
            secret[position] ^= _mul(weight, value)
    return bytes(secret)

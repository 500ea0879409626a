"""Strict encodings used by age: canonical unpadded base64 and Bech32 without length limit."""

from __future__ import annotations

import base64
import binascii
import re

_B64_RAW = re.compile(rb"\A[A-Za-z0-9+/]*\Z")


def b64encode_raw(data: bytes) -> str:
    """Standard base64 without ``=`` padding."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def b64decode_raw(text: str | bytes) -> bytes:
    """Decode canonical unpadded base64; raise ValueError on anything else.

    Rejects padding, characters outside the standard alphabet, impossible lengths
    and non-zero trailing bits (non-canonical encodings).
    """
    raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
    if not _B64_RAW.match(raw):
        raise ValueError("invalid base64 character or padding")
    if len(raw) % 4 == 1:
        raise ValueError("invalid base64 length")
    padded = raw + b"=" * (-len(raw) % 4)
    try:
        data = base64.b64decode(padded, validate=True)
    except binascii.Error as exc:
        raise ValueError("invalid base64") from exc
    if base64.b64encode(data).rstrip(b"=") != raw:
        raise ValueError("non-canonical base64")
    return data


_B64_PADDED = re.compile(rb"\A[A-Za-z0-9+/]*={0,2}\Z")


def b64decode_padded_strict(raw: bytes) -> bytes:
    """Decode canonical padded base64 (as used by the armor); raise ValueError otherwise."""
    if len(raw) % 4 != 0 or not _B64_PADDED.match(raw):
        raise ValueError("invalid base64")
    try:
        data = base64.b64decode(raw, validate=True)
    except binascii.Error as exc:
        raise ValueError("invalid base64") from exc
    if base64.b64encode(data) != raw:
        raise ValueError("non-canonical base64")
    return data


# --- Bech32 (BIP 173) without the 90-character limit -------------------------------------------
#
# A post-quantum recipient is 1,959 characters, parsed or printed for every complaint
# (docs/performance.md, "Intake"). Characters map to values with bytes.translate, values to
# bytes through int(…, 32), bytes to values and the checksum forty bits (eight characters)
# per step through tables.

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
# Bech32 character -> its 5-bit value; 0xFF for anything else.
_VALUES = bytes(_CHARSET.index(chr(c)) if chr(c) in _CHARSET else 0xFF for c in range(256))
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _step(chk: int, value: int) -> int:
    top = chk >> 25
    chk = ((chk & 0x1FFFFFF) << 5) ^ value
    for i in range(5):
        if (top >> i) & 1:
            chk ^= _GEN[i]
    return chk


# The checksum is linear over GF(2): feeding eight characters (40 bits P) to the state c gives
# (P & 2^30-1) ^ H((c << 10) | (P >> 30)), H a linear map of 40 bits applied through four
# 1,024-entry tables (built on first use from H of each single bit).
_FOLD: list[tuple[int, ...]] = []
_DIGITS = bytes.maketrans(bytes(range(32)), b"0123456789abcdefghijklmnopqrstuv")
_MASK30 = (1 << 30) - 1


def _fold_tables() -> list[tuple[int, ...]]:
    if not _FOLD:
        basis = []
        for bit in range(40):
            chk = 0
            y = 1 << bit
            for k in range(13, -1, -1):  # y's eight characters, then six zero characters
                chk = _step(chk, (y << 30 >> 5 * k) & 31)
            basis.append(chk)
        for shift in (30, 20, 10, 0):
            table = [0] * 1024
            for i in range(1, 1024):
                low = i & -i
                table[i] = table[i ^ low] ^ basis[shift + low.bit_length() - 1]
            _FOLD.append(tuple(table))
    return _FOLD


def _polymod(values: bytes) -> int:
    """The BIP 173 checksum state after ``values`` (each below 32), starting from 1."""
    if len(values) < 256:  # an X25519 key: cheaper than building the tables (CLI start-up)
        chk = 1
        for value in values:
            chk = _step(chk, value)
        return chk
    # Starting from 1 is starting from 0 with a leading 1; leading zeros leave 0 unchanged.
    seq = b"\x01" + values
    digits = (bytes(-len(seq) % 8) + seq).translate(_DIGITS)
    raw = int(digits, 32).to_bytes(len(digits) * 5 // 8, "big")
    t0, t1, t2, t3 = _fold_tables()
    chk = 0
    for i in range(0, len(raw), 5):
        p = int.from_bytes(raw[i : i + 5], "big")
        y = (chk << 10) | (p >> 30)
        chk = (
            (p & _MASK30) ^ t0[y >> 30] ^ t1[(y >> 20) & 1023] ^ t2[(y >> 10) & 1023] ^ t3[y & 1023]
        )
    return chk


def _hrp_expand(hrp: str) -> bytes:
    raw = hrp.encode("ascii")
    return bytes(c >> 5 for c in raw) + b"\0" + bytes(c & 31 for c in raw)


_PAIRS = tuple(bytes((v >> 5, v & 31)) for v in range(1024))


def _b32_values(data: bytes) -> bytes:
    """``data`` as 5-bit values (the last zero-padded), one per byte; 40 bits per step."""
    raw = data + bytes(-len(data) % 5)
    pairs = _PAIRS
    out = bytearray()
    for i in range(0, len(raw), 5):
        g = int.from_bytes(raw[i : i + 5], "big")
        out += pairs[g >> 30] + pairs[(g >> 20) & 1023] + pairs[(g >> 10) & 1023] + pairs[g & 1023]
    return bytes(out[: (len(data) * 8 + 4) // 5])


def _values_to_bytes(values: bytes) -> bytes:
    """Regroup 5-bit values into bytes; reject non-zero padding and impossible lengths."""
    pad = len(values) * 5 % 8
    if pad >= 5:  # a whole spare value: no encoder writes that
        raise ValueError("invalid Bech32 padding")
    if not values:
        return b""
    number = int(values.translate(_DIGITS), 32)
    if number & ((1 << pad) - 1):
        raise ValueError("invalid Bech32 padding")
    return (number >> pad).to_bytes(len(values) * 5 // 8, "big")


def bech32_encode(hrp: str, data: bytes) -> str:
    """Encode ``data`` as lowercase Bech32 with human-readable part ``hrp`` (case preserved)."""
    lower = hrp.lower()
    values = _b32_values(bytes(data))
    polymod = _polymod(_hrp_expand(lower) + values + bytes(6)) ^ 1
    checksum = bytes((polymod >> 5 * (5 - i)) & 31 for i in range(6))
    body = (values + checksum).translate(_TO_CHARS)
    encoded = lower + "1" + body.decode("ascii")
    return encoded.upper() if hrp.isupper() else encoded


_TO_CHARS = bytes.maketrans(bytes(range(32)), _CHARSET.encode())


def bech32_decode(text: str) -> tuple[str, bytes]:
    """Decode Bech32; return (hrp as written, data). Raise ValueError on any defect."""
    if not text.isascii() or not text.isprintable() or " " in text:
        raise ValueError("invalid character in Bech32 string")
    if text.lower() != text and text.upper() != text:
        raise ValueError("mixed-case Bech32 string")
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise ValueError("invalid Bech32 separator position")
    hrp = text[:pos]
    lower = text.lower()
    values = lower[pos + 1 :].encode("ascii").translate(_VALUES)
    if b"\xff" in values:
        raise ValueError("invalid Bech32 data character")
    if _polymod(_hrp_expand(lower[:pos]) + values) != 1:
        raise ValueError("invalid Bech32 checksum")
    return hrp, _values_to_bytes(values[:-6])

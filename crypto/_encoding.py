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

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHARSET_MAP = {c: i for i, c in enumerate(_CHARSET)}
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _GEN[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise ValueError("invalid Bech32 padding")
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    """Encode ``data`` as lowercase Bech32 with human-readable part ``hrp`` (case preserved)."""
    lower = hrp.lower()
    values = _convert_bits(data, 8, 5, True)
    polymod = _polymod(_hrp_expand(lower) + values + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    encoded = lower + "1" + "".join(_CHARSET[v] for v in values + checksum)
    return encoded.upper() if hrp.isupper() else encoded


def bech32_decode(text: str) -> tuple[str, bytes]:
    """Decode Bech32; return (hrp as written, data). Raise ValueError on any defect."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise ValueError("invalid character in Bech32 string")
    if text.lower() != text and text.upper() != text:
        raise ValueError("mixed-case Bech32 string")
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise ValueError("invalid Bech32 separator position")
    hrp = text[:pos]
    lower = text.lower()
    try:
        values = [_CHARSET_MAP[c] for c in lower[pos + 1 :]]
    except KeyError as exc:
        raise ValueError("invalid Bech32 data character") from exc
    if _polymod(_hrp_expand(lower[:pos]) + values) != 1:
        raise ValueError("invalid Bech32 checksum")
    return hrp, bytes(_convert_bits(values[:-6], 5, 8, False))

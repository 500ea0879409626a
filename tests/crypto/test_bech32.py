"""The table-driven Bech32 (crypto/_encoding.py) agrees with the BIP 173 reference algorithm.

The reference below is the specification's per-character algorithm, kept here only as an
oracle: the fast code must accept exactly what it accepts and return the same data.
"""

from __future__ import annotations

import functools
import operator
import os
import random

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import crypto
from crypto._encoding import bech32_decode
from crypto._encoding import bech32_encode

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def ref_polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        folded = [g for i, g in enumerate(GEN) if (chk >> (25 + i)) & 1]
        chk = functools.reduce(operator.xor, folded, ((chk & 0x1FFFFFF) << 5) ^ v)
    return chk


def ref_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def ref_convert(data: list[int], frombits: int, tobits: int, pad: bool) -> list[int] | None:
    acc = bits = 0
    out = []
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & ((1 << tobits) - 1))
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & ((1 << tobits) - 1))
    elif bits >= frombits or ((acc << (tobits - bits)) & ((1 << tobits) - 1)):
        return None
    return out


def ref_encode_values(hrp: str, values: list[int]) -> str:
    polymod = ref_polymod(ref_expand(hrp) + values + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[v] for v in values + checksum)


def ref_decode(text: str) -> tuple[str, bytes] | None:
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        return None
    if text.lower() != text and text.upper() != text:
        return None
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        return None
    lower = text.lower()
    if any(c not in CHARSET for c in lower[pos + 1 :]):
        return None
    values = [CHARSET.index(c) for c in lower[pos + 1 :]]
    if ref_polymod(ref_expand(lower[:pos]) + values) != 1:
        return None
    data = ref_convert(values[:-6], 5, 8, False)
    return None if data is None else (text[:pos], bytes(data))


def fast_decode(text: str) -> tuple[str, bytes] | None:
    try:
        return bech32_decode(text)
    except ValueError:
        return None


@settings(max_examples=300, deadline=None)
@given(hrp=st.sampled_from(["age", "age1pq", "AGE-SECRET-KEY-", "a"]), data=st.binary(max_size=300))
def test_encode_matches_reference(hrp: str, data: bytes) -> None:
    values = ref_convert(list(data), 8, 5, True)
    assert values is not None
    expected = ref_encode_values(hrp.lower(), values)
    assert bech32_encode(hrp, data) == (expected.upper() if hrp.isupper() else expected)
    assert bech32_decode(expected) == (hrp.lower(), data)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.integers(0, 31), max_size=120))
def test_any_checksummed_value_string_decodes_as_the_reference_does(values: list[int]) -> None:
    """Includes lengths no encoder writes and non-zero padding bits: both must be refused."""
    text = ref_encode_values("age", values)
    assert fast_decode(text) == ref_decode(text)


def test_corruptions_are_judged_as_the_reference_judges_them() -> None:
    rng = random.Random(16)
    texts = [bech32_encode("age", os.urandom(32)), bech32_encode("age1pq", os.urandom(1216))]
    for _ in range(1500):
        chars = list(rng.choice(texts))
        where = rng.randrange(len(chars))
        kind = rng.randrange(3)
        if kind == 0:
            chars[where] = rng.choice(CHARSET + "1bioB\x7f ")
        elif kind == 1:
            del chars[where]
        else:
            chars.insert(where, rng.choice(CHARSET))
        text = "".join(chars)
        assert fast_decode(text) == ref_decode(text)


@pytest.mark.parametrize("text", ["age1\x80qqqqqqqq", "Age1qqqqqqqq", "age1 qqqqqqq", "age1qqqqqb"])
def test_malformed_strings_are_refused(text: str) -> None:
    assert ref_decode(text) is None
    with pytest.raises(ValueError):
        bech32_decode(text)


def test_recipient_is_parsed_once_per_string_and_printed_once() -> None:
    recipient = crypto.HybridIdentity.generate().recipient()
    text = recipient.to_string()
    assert len(text) == 1959
    first = crypto.parse_recipient(text)
    assert crypto.parse_recipient(text) is first
    assert crypto.parse_recipient(f" {text}\n") is first
    assert first == recipient
    other = crypto.HybridIdentity.generate().recipient().to_string()
    assert crypto.parse_recipient(other) is not first
    assert recipient.to_string() is text  # cached, not re-encoded
    with pytest.raises(crypto.KeyFormatError):
        crypto.parse_recipient(text[:-1] + ("q" if text[-1] != "q" else "p"))

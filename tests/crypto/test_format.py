"""Encodings and header syntax: what we write is canonical, what we read is strict."""

from __future__ import annotations

import io

import pytest

import crypto
from crypto._encoding import b64decode_raw
from crypto._encoding import bech32_decode
from crypto._encoding import bech32_encode
from crypto._format import Source
from crypto._format import encode_header_without_mac
from crypto._format import parse_header

# BIP 173 test vectors.
BECH32_VALID = [
    "A12UEL5L",
    "a12uel5l",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11" + "q" * 82 + "c8247j",  # the 90-character vector
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
BECH32_INVALID = [
    "\x201nwldj5",
    "\x7f1axkwrx",
    "pzry9x0s0muk",
    "1pzry9x0s0muk",
    "x1b4n0q5v",
    "li1dgmt3",
    "de1lg7wt\xff",
    "A1G7SGD8",
    "10a06t8",
    "1qzzfhee",
    "a12UEL5L",  # mixed case
]


@pytest.mark.parametrize("text", BECH32_VALID)
def test_bech32_valid(text: str) -> None:
    hrp, data = bech32_decode(text)
    assert bech32_encode(hrp, data) == text


@pytest.mark.parametrize("text", BECH32_INVALID)
def test_bech32_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        bech32_decode(text)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("", True),
        ("AA", True),  # one byte, canonical
        ("AB", False),  # non-zero trailing bits
        ("AAA", True),
        ("AAB", False),
        ("AAAA", True),
        ("AA==", False),  # padding
        ("A", False),  # impossible length
        ("AA\n", False),
        ("A-A_", False),  # URL alphabet
    ],
)
def test_b64_raw_strictness(text: str, ok: bool) -> None:
    if ok:
        b64decode_raw(text)
    else:
        with pytest.raises(ValueError):
            b64decode_raw(text)


@pytest.mark.parametrize("body_size", [0, 1, 47, 48, 49, 96, 100, 1000])
def test_stanza_wrapping_round_trip(body_size: int) -> None:
    body = bytes(range(256)) * 4
    stanza = crypto.Stanza("example.com/test", ("a", "b=c"), body[:body_size])
    encoded = stanza.encode()
    lines = encoded.split(b"\n")[1:-1]
    assert all(len(line) == 64 for line in lines[:-1])
    assert len(lines[-1]) < 64  # an exact multiple of 48 bytes ends with an empty line
    header = encode_header_without_mac([stanza]) + b" " + b"A" * 43 + b"\n"
    parsed = parse_header(Source(io.BytesIO(header).read))
    assert parsed.stanzas == [stanza]
    assert parsed.bytes_without_mac == header[: header.index(b"---") + 3]


def test_header_rejects_lines_without_lf() -> None:
    header = b"age-encryption.org/v1\n-> X25519 abc\nAAAA"
    with pytest.raises(crypto.HeaderError):
        parse_header(Source(io.BytesIO(header).read))


def test_header_size_is_bounded() -> None:
    huge = b"age-encryption.org/v1\n-> " + b"a" * (1 << 20) + b"\n"
    with pytest.raises(crypto.HeaderError, match="too long"):
        parse_header(Source(io.BytesIO(huge).read))


def test_hybrid_stanza_shape() -> None:
    identity = crypto.HybridIdentity.generate()
    (stanza,) = identity.recipient().wrap(bytes(16))
    assert stanza.type == "mlkem768x25519"
    assert len(b64decode_raw(stanza.args[0])) == 1120
    assert len(stanza.body) == 32
    assert identity.unwrap([stanza]) == bytes(16)
    assert crypto.HybridIdentity.generate().unwrap([stanza]) is None


def test_armor_output_is_strict_pem() -> None:
    identity = crypto.X25519Identity.generate()
    for size in (0, 1, 100, 65536, 200_000):
        sealed = crypto.encrypt(bytes(size), [identity.recipient()], armor=True)
        lines = sealed.split(b"\n")
        assert lines[0] == b"-----BEGIN AGE ENCRYPTED FILE-----"
        assert lines[-2:] == [b"-----END AGE ENCRYPTED FILE-----", b""]
        body = lines[1:-2]
        assert all(len(line) == 64 for line in body[:-1])
        assert 0 < len(body[-1]) <= 64
        assert crypto.decrypt(sealed, [identity]) == bytes(size)
        assert crypto.decrypt(b"\r\n \t" + sealed + b"\n\n  ", [identity]) == bytes(size)


def test_armor_rejects_padding_mid_stream() -> None:
    identity = crypto.X25519Identity.generate()
    sealed = crypto.encrypt(bytes(200), [identity.recipient()], armor=True)
    lines = sealed.split(b"\n")
    # Re-encode the body with a padded line in the middle: valid base64, invalid armor.
    import base64

    raw = base64.b64decode(b"".join(lines[1:-2]))
    first, rest = base64.b64encode(raw[:10]), base64.b64encode(raw[10:])
    bad = b"\n".join([lines[0], first, rest, lines[-2], b""])
    with pytest.raises(crypto.ArmorError):
        crypto.decrypt(bad, [identity])

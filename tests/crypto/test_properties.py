"""Round trips and tamper resistance (hypothesis), one-shot and streaming."""

from __future__ import annotations

import functools
import io
import os

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import crypto

CHUNK = 64 * 1024
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOUNDARY_SIZES = [
    0,
    1,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    2 * CHUNK - 1,
    2 * CHUNK,
    2 * CHUNK + 1,
    3 * CHUNK,
]


@functools.cache
def _keys() -> dict[str, tuple[list[crypto.Identity], list[crypto.Recipient]]]:
    x = [crypto.X25519Identity.generate() for _ in range(3)]
    h = [crypto.HybridIdentity.generate() for _ in range(2)]
    s = crypto.ScryptIdentity(b"passphrase", max_work_factor=10)
    return {
        "x25519": (list(x), [i.recipient() for i in x]),
        "hybrid": (list(h), [i.recipient() for i in h]),
        "scrypt": ([s], [crypto.ScryptRecipient(b"passphrase", 4)]),
    }


def _data(size: int) -> bytes:
    return os.urandom(size)


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
@pytest.mark.parametrize("kind", ["x25519", "hybrid", "scrypt"])
@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
def test_round_trip_boundaries(size: int, kind: str, armor: bool) -> None:
    identities, recipients = _keys()[kind]
    plaintext = _data(size)
    sealed = crypto.encrypt(plaintext, recipients, armor=armor)
    # Every identity of the file opens it, alone.
    for identity in identities:
        assert crypto.decrypt(sealed, [identity]) == plaintext
    # Streaming API agrees with the one-shot API.
    streamed = io.BytesIO()
    assert crypto.encrypt_stream(io.BytesIO(plaintext), streamed, recipients, armor=armor) == size
    out = io.BytesIO()
    assert crypto.decrypt_stream(io.BytesIO(streamed.getvalue()), out, identities[-1:]) == size
    assert out.getvalue() == plaintext
    # Binary size is exactly header + nonce + chunks with tags.
    if not armor:
        chunks = max(1, -(-size // CHUNK))
        header_len = sealed.index(b"\n---") + len(b"\n--- ") + 43 + 1
        assert len(sealed) == header_len + 16 + size + 16 * chunks


@SETTINGS
@given(
    data=st.binary(max_size=3 * CHUNK + 10),
    splits=st.lists(st.integers(min_value=0, max_value=3 * CHUNK + 10), max_size=8),
    kind=st.sampled_from(["x25519", "hybrid"]),
    read_size=st.integers(min_value=1, max_value=2 * CHUNK),
)
def test_incremental_writer_and_reader(
    data: bytes, splits: list[int], kind: str, read_size: int
) -> None:
    identities, recipients = _keys()[kind]
    out = io.BytesIO()
    with crypto.open_encryptor(out, recipients) as writer:
        last = 0
        for cut in sorted(min(s, len(data)) for s in splits):
            writer.write(data[last:cut])
            last = cut
        writer.write(data[last:])
    reader = crypto.open_decryptor(io.BytesIO(out.getvalue()), identities[:1])
    pieces = []
    while True:
        piece = reader.read(read_size)
        if not piece:
            break
        assert len(piece) <= read_size
        pieces.append(piece)
    assert b"".join(pieces) == data


def test_encryptor_not_finalised_on_exception() -> None:
    identities, recipients = _keys()["x25519"]
    out = io.BytesIO()

    def produce() -> None:
        with crypto.open_encryptor(out, recipients) as writer:
            writer.write(b"a" * 100)
            raise RuntimeError("producer failed")

    with pytest.raises(RuntimeError):
        produce()
    with pytest.raises(crypto.PayloadError):
        crypto.decrypt(out.getvalue(), identities)


def _released_on_tamper(sealed: bytes, identities: list[crypto.Identity]) -> tuple[bytes, bool]:
    """Return (plaintext released, whether an AgeError was raised)."""
    released = bytearray()
    try:
        reader = crypto.open_decryptor(io.BytesIO(sealed), identities)
        for chunk in reader:
            released += chunk
    except crypto.AgeError:
        return bytes(released), True
    return bytes(released), False


def _check_released(released: bytes, plaintext: bytes) -> None:
    assert plaintext.startswith(released), "released bytes that are not the original plaintext"
    assert len(released) % CHUNK == 0, "released a partial (unauthenticated) chunk"


@SETTINGS
@given(
    size=st.sampled_from([0, 1, 1000, CHUNK, CHUNK + 1, 2 * CHUNK + 5]),
    kind=st.sampled_from(["x25519", "hybrid"]),
    armor=st.booleans(),
    position=st.floats(min_value=0, max_value=1, allow_nan=False),
    bit=st.integers(min_value=0, max_value=7),
)
def test_any_bit_flip_is_detected(
    size: int, kind: str, armor: bool, position: float, bit: int
) -> None:
    identities, recipients = _keys()[kind]
    plaintext = _data(size)
    sealed = bytearray(crypto.encrypt(plaintext, recipients, armor=armor))
    index = min(int(position * len(sealed)), len(sealed) - 1)
    sealed[index] ^= 1 << bit
    released, failed = _released_on_tamper(bytes(sealed), identities[:1])
    _check_released(released, plaintext)
    assert failed, f"bit flip at {index}/{len(sealed)} went unnoticed"


@SETTINGS
@given(
    size=st.sampled_from([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 3]),
    kind=st.sampled_from(["x25519", "hybrid"]),
    cut=st.floats(min_value=0, max_value=1, allow_nan=False, exclude_max=True),
)
def test_any_truncation_is_detected(size: int, kind: str, cut: float) -> None:
    identities, recipients = _keys()[kind]
    plaintext = _data(size)
    sealed = crypto.encrypt(plaintext, recipients)
    truncated = sealed[: int(cut * len(sealed))]
    released, failed = _released_on_tamper(truncated, identities[:1])
    assert failed
    _check_released(released, plaintext)


@SETTINGS
@given(
    size=st.sampled_from([0, 1, CHUNK, CHUNK + 1, 2 * CHUNK]),
    extra=st.binary(min_size=1, max_size=CHUNK + 40),
    armor=st.booleans(),
)
def test_any_extension_is_detected(size: int, extra: bytes, armor: bool) -> None:
    identities, recipients = _keys()["x25519"]
    plaintext = _data(size)
    sealed = crypto.encrypt(plaintext, recipients, armor=armor)
    if armor and not extra.strip(b" \t\r\n"):
        extra += b"x"  # trailing whitespace after the armor is legitimately ignored
    released, failed = _released_on_tamper(sealed + extra, identities[:1])
    assert failed
    # The final chunk is authentic, so it may be released before the trailing data is seen.
    assert plaintext.startswith(released)


def test_payload_error_reports_released_bytes() -> None:
    identities, recipients = _keys()["x25519"]
    plaintext = _data(3 * CHUNK)
    sealed = bytearray(crypto.encrypt(plaintext, recipients))
    sealed[-10] ^= 1  # corrupt the last chunk
    out = io.BytesIO()
    with pytest.raises(crypto.PayloadError) as info:
        crypto.decrypt_stream(io.BytesIO(bytes(sealed)), out, identities)
    assert info.value.released == 2 * CHUNK == len(out.getvalue())
    assert out.getvalue() == plaintext[: 2 * CHUNK]
    with pytest.raises(crypto.PayloadError):
        crypto.decrypt(bytes(sealed), identities)


def test_mixing_post_quantum_and_classical_is_refused() -> None:
    _, x_recipients = _keys()["x25519"]
    _, h_recipients = _keys()["hybrid"]
    with pytest.raises(crypto.IncompatibleRecipients, match="post-quantum"):
        crypto.encrypt(b"x", [h_recipients[0], x_recipients[0]])
    with pytest.raises(crypto.IncompatibleRecipients):
        crypto.encrypt(b"x", [x_recipients[0], crypto.ScryptRecipient(b"p", 4)])
    with pytest.raises(crypto.IncompatibleRecipients):
        crypto.encrypt(b"x", [crypto.ScryptRecipient(b"p", 4), crypto.ScryptRecipient(b"q", 4)])
    with pytest.raises(crypto.IncompatibleRecipients):
        crypto.encrypt(b"x", [])
    assert issubclass(crypto.IncompatibleRecipients, ValueError)


def test_scrypt_work_factor_bounds() -> None:
    for bad in (0, 31, -1):
        with pytest.raises(ValueError):
            crypto.ScryptRecipient(b"p", bad)
    sealed = crypto.encrypt(b"data", [crypto.ScryptRecipient(b"p", 12)])
    with pytest.raises(crypto.HeaderError, match="exceeds"):
        crypto.decrypt(sealed, [crypto.ScryptIdentity(b"p", max_work_factor=11)])
    assert crypto.decrypt(sealed, [crypto.ScryptIdentity(b"p", max_work_factor=12)]) == b"data"


def test_key_strings_round_trip_and_reject_garbage() -> None:
    for identity in (crypto.X25519Identity.generate(), crypto.HybridIdentity.generate()):
        text = identity.to_string()
        assert text == text.upper()
        again = crypto.parse_identity(text)
        assert again.recipient().to_string() == identity.recipient().to_string()
        recipient = identity.recipient().to_string()
        assert crypto.parse_recipient(recipient).to_string() == recipient
        flipped = text[:-1] + ("Q" if text[-1] != "Q" else "P")
        for bad_identity in (text.lower(), flipped, text[:-2], text + "Q", "AGE-SECRET-KEY-1"):
            with pytest.raises(crypto.KeyFormatError):
                crypto.parse_identity(bad_identity)
        for bad_recipient in (recipient.upper(), recipient[:-2], recipient + "q", "age1", ""):
            with pytest.raises(crypto.KeyFormatError):
                crypto.parse_recipient(bad_recipient)
    with pytest.raises(crypto.KeyFormatError):
        crypto.parse_identity_file("# only a comment\n")
    with pytest.raises(crypto.KeyFormatError, match="line 2"):
        crypto.parse_identity_file("# c\nAGE-SECRET-KEY-1NOPE\n")

"""The bulk armor paths (crypto/_format.py) judge every input as the line-by-line path does.

The encoder's strided copies must write the same PEM as one line at a time; the decoder's
bulk path, which takes runs of full 64-column lines at once, must return the same bytes and
refuse the same inputs as the line-by-line path alone (the oracle: bulk switched off).
"""

from __future__ import annotations

import base64
import io
import os
import random

import pytest

from crypto._errors import ArmorError
from crypto._format import ARMOR_BEGIN
from crypto._format import ARMOR_END
from crypto._format import ArmorDecoder
from crypto._format import ArmorEncoder
from crypto._format import Source


def line_by_line_armor(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    return b"\n".join([ARMOR_BEGIN, *lines, ARMOR_END]) + b"\n"


def armor(data: bytes, pieces: int = 3) -> bytes:
    out = io.BytesIO()
    enc = ArmorEncoder(out)
    step = max(1, len(data) // pieces)
    for i in range(0, len(data), step):
        enc.write(data[i : i + step])
    enc.close()
    return out.getvalue()


def decode(raw: bytes, *, bulk: bool, read_size: int = 65552) -> bytes | str:
    dec = ArmorDecoder(Source(io.BytesIO(raw).read))
    if not bulk:
        dec._full_lines = lambda want: b""  # type: ignore[method-assign]
    out = bytearray()
    try:
        while chunk := dec.read(read_size):
            out += chunk
    except ArmorError as exc:
        return f"ArmorError: {exc}"
    return bytes(out)


SIZES = [0, 1, 47, 48, 49, 95, 96, 3071, 3072, 65552, 4096 * 48, 4096 * 48 + 1, 300_001]


@pytest.mark.parametrize("size", SIZES)
def test_encoder_writes_the_same_pem_as_line_by_line(size: int) -> None:
    data = os.urandom(size)
    assert armor(data) == line_by_line_armor(data)
    assert armor(data, pieces=1) == line_by_line_armor(data)


@pytest.mark.parametrize(
    ("size", "read_size"),
    [(size, read) for size in SIZES for read in (1, 100, 65552) if read > 1 or size < 4000],
)
def test_bulk_decode_returns_the_same_bytes(size: int, read_size: int) -> None:
    data = os.urandom(size)
    raw = armor(data)
    assert decode(raw, bulk=True, read_size=read_size) == data
    assert decode(raw, bulk=False, read_size=read_size) == data


def test_damaged_armor_is_judged_as_line_by_line() -> None:
    rng = random.Random(16)
    for _ in range(400):
        raw = bytearray(armor(os.urandom(rng.choice([100, 3072, 20_000, 70_000]))))
        for _ in range(rng.randrange(1, 3)):
            where = rng.randrange(len(ARMOR_BEGIN) + 1, len(raw))
            kind = rng.randrange(5)
            if kind == 0:
                raw[where] = ord(rng.choice("=-\r .A\n"))
            elif kind == 1:
                del raw[where]
            elif kind == 2:
                raw.insert(where, ord(rng.choice("A=\n\r")))
            elif kind == 3:
                raw[where:where] = b"\r"  # a CRLF line somewhere
            else:
                del raw[where:]
        assert decode(bytes(raw), bulk=True) == decode(bytes(raw), bulk=False)


def test_crlf_armor_still_decodes() -> None:
    data = os.urandom(5000)
    raw = armor(data).replace(b"\n", b"\r\n")
    assert decode(raw, bulk=True) == data == decode(raw, bulk=False)


def test_padded_full_line_before_more_lines_is_judged_as_line_by_line() -> None:
    lines = armor(os.urandom(48 * 20)).split(b"\n")
    padded = base64.b64encode(os.urandom(47))  # 64 columns ending in "="
    assert len(padded) == 64 and padded.endswith(b"=")
    raw = b"\n".join([*lines[:5], padded, *lines[5:]])
    assert decode(raw, bulk=True) == decode(raw, bulk=False)
    assert decode(raw, bulk=True) == (
        "ArmorError: invalid armor: short line not followed by END line"
    )

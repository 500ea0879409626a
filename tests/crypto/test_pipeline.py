"""The binary fast path of encrypt_stream: sealed on one core, written by a thread on the other.

Every boundary of chunks and batches, into a real file and a pipe, read back by our decryptor
and by the age CLI; a reader that goes away stops the encryption with an error, not a hang.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import threading
from pathlib import Path

import pytest
from crypto_peers import age_cli

import crypto
from crypto._pipeline import BATCH_CHUNKS
from crypto._pipeline import writev_all
from crypto.age import CHUNK_SIZE

BATCH = CHUNK_SIZE * BATCH_CHUNKS
SIZES = [
    0,
    1,
    CHUNK_SIZE,
    BATCH - 1,
    BATCH,  # one batch exactly: the thread starts, the last full chunk is the final one
    BATCH + 1,
    2 * BATCH,
    2 * BATCH + CHUNK_SIZE + 5,
]


@pytest.fixture(scope="module")
def keys() -> tuple[crypto.X25519Identity, crypto.Recipient]:
    identity = crypto.X25519Identity.generate()
    return identity, identity.recipient()


@pytest.mark.parametrize("size", SIZES)
def test_file_output_decrypts_to_the_input(tmp_path: Path, keys, size: int) -> None:
    identity, recipient = keys
    data = os.urandom(size)
    out = tmp_path / "out.age"
    with io.BytesIO(data) as src, out.open("wb") as dst:
        assert crypto.encrypt_stream(src, dst, [recipient]) == size
    sealed = out.read_bytes()
    assert crypto.decrypt(sealed, [identity]) == data
    # The same chunks as the in-memory path: one final chunk, never an extra empty one.
    assert len(sealed) == len(crypto.encrypt(data, [recipient]))


@pytest.mark.parametrize("size", [BATCH, 2 * BATCH + 5])
def test_age_cli_reads_the_fast_path(tmp_path: Path, keys, size: int) -> None:
    age = age_cli()
    identity, recipient = keys
    data = os.urandom(size)
    (tmp_path / "key.txt").write_text(identity.to_string() + "\n")
    out = tmp_path / "out.age"
    with io.BytesIO(data) as src, out.open("wb") as dst:
        crypto.encrypt_stream(src, dst, [recipient])
    proc = subprocess.run(
        [age, "-d", "-i", str(tmp_path / "key.txt"), str(out)], capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == data


def test_pipe_output_in_several_writes(keys) -> None:
    """A pipe takes less than a batch per write: every byte still arrives, in order."""
    identity, recipient = keys
    data = os.urandom(3 * BATCH + 17)
    read_fd, write_fd = os.pipe()
    received = bytearray()

    def drain() -> None:
        with os.fdopen(read_fd, "rb") as r:
            while chunk := r.read(7000):  # a slow, small reader
                received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    with io.BytesIO(data) as src, os.fdopen(write_fd, "wb") as dst:
        crypto.encrypt_stream(src, dst, [recipient])
    reader.join(timeout=60)
    assert crypto.decrypt(bytes(received), [identity]) == data


def test_a_reader_that_goes_away_stops_encryption_with_an_error(keys) -> None:
    _, recipient = keys
    read_fd, write_fd = os.pipe()
    os.close(read_fd)
    with io.BytesIO(os.urandom(4 * BATCH)) as src, os.fdopen(write_fd, "wb") as dst:
        with pytest.raises(BrokenPipeError):
            crypto.encrypt_stream(src, dst, [recipient])
        with contextlib.suppress(BrokenPipeError):
            dst.close()


def test_writev_all_finishes_a_partial_write(tmp_path: Path) -> None:
    parts = [b"a" * 10, b"", b"b" * 70_000, b"c"]
    read_fd, write_fd = os.pipe()
    got = bytearray()

    def drain() -> None:
        with os.fdopen(read_fd, "rb") as r:
            got.extend(r.read())

    reader = threading.Thread(target=drain)
    reader.start()
    writev_all(write_fd, parts)  # 70 kB > a pipe's 64 KiB: several writev calls
    os.close(write_fd)
    reader.join(timeout=30)
    assert bytes(got) == b"".join(parts)

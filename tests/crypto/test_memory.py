"""Streaming runs in constant memory (an allocation bound, not a timing assertion)."""

from __future__ import annotations

import io
import tracemalloc

import crypto

TOTAL = 64 * 1024 * 1024
LIMIT = 4 * 1024 * 1024


class PatternSource(io.RawIOBase):
    """Deterministic bytes without holding them all in memory."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._block = bytes(range(256)) * 1024

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = min(self._left, len(self._block) if size < 0 else min(size, len(self._block)))
        self._left -= n
        return self._block[:n]


class SpoolSink:
    """Counts bytes and drops them, so the sink itself holds no memory."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return len(data)


def test_stream_64_mib_in_constant_memory(tmp_path: object) -> None:
    identity = crypto.X25519Identity.generate()
    path = f"{tmp_path}/big.age"
    tracemalloc.start()
    try:
        with open(path, "wb") as fh:
            written = crypto.encrypt_stream(PatternSource(TOTAL), fh, [identity.recipient()])
        _, enc_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink = SpoolSink()
        with open(path, "rb") as fh:
            released = crypto.decrypt_stream(fh, sink, [identity])
        _, dec_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == released == sink.count == TOTAL
    assert enc_peak < LIMIT, f"encryption peaked at {enc_peak} bytes"
    assert dec_peak < LIMIT, f"decryption peaked at {dec_peak} bytes"


def test_armored_stream_in_constant_memory(tmp_path: object) -> None:
    identity = crypto.HybridIdentity.generate()
    path = f"{tmp_path}/big.age.asc"
    total = 16 * 1024 * 1024
    tracemalloc.start()
    try:
        with open(path, "wb") as fh:
            crypto.encrypt_stream(PatternSource(total), fh, [identity.recipient()], armor=True)
        tracemalloc.reset_peak()
        sink = SpoolSink()
        with open(path, "rb") as fh:
            crypto.decrypt_stream(fh, sink, [identity])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.count == total
    assert peak < LIMIT, f"armored decryption peaked at {peak} bytes"


def test_measurement_would_catch_buffering() -> None:
    """Control: the same bound fails for the one-shot API, which buffers by design."""
    identity = crypto.X25519Identity.generate()
    sealed = crypto.encrypt(bytes(8 * 1024 * 1024), [identity.recipient()])
    tracemalloc.start()
    try:
        crypto.decrypt(sealed, [identity])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak > LIMIT

"""Sealing and writing on both cores: the writer thread of a binary age stream.

Encrypting a large file is three jobs in turn on one core: read a chunk, seal it
(ChaCha20-Poly1305, which releases the GIL), write it. With the writes handed to a thread
that owns the output file descriptor, the next batch is read and sealed while the previous
one is being written, so a 2-core machine seals at the speed of the slower job instead of
the sum of all three (docs/performance.md, "Crypto throughput").

Memory stays bounded: one batch of sealed chunks waits while another is written, beside the
batch being sealed and the one read ahead (about 2.5 MiB).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import BinaryIO

from crypto._format import Reader
from crypto._format import Writer
from crypto.age import CHUNK_SIZE
from crypto.age import Encryptor
from crypto.age import _read_full

if TYPE_CHECKING:
    import queue

BATCH_CHUNKS = 8  # 512 KiB of plaintext per read and per write
QUEUE_DEPTH = 1


def writev_all(fd: int, parts: Sequence[bytes]) -> None:
    """Write every byte of `parts` to `fd` (a pipe may take a writev in several goes)."""
    pending = list(parts)
    while pending:
        written = os.writev(fd, pending)
        while pending and written >= len(pending[0]):
            written -= len(pending[0])
            pending.pop(0)
        if pending and written:
            pending[0] = pending[0][written:]


class FdWriter:
    """A thread writing batches of bytes to a file descriptor in the order given.

    `put` blocks when QUEUE_DEPTH batches wait; an error in the thread (a closed pipe, a
    full disk) is raised again by the next `put` or by `close`, so the producer stops.
    """

    def __init__(self, fd: int) -> None:
        # Imported here: a small `integra age encrypt` never starts a thread (start-up time).
        import queue  # noqa: PLC0415
        import threading  # noqa: PLC0415

        self._fd = fd
        self._queue: queue.Queue[list[bytes] | None] = queue.Queue(QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="age-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            parts = self._queue.get()
            if parts is None:
                return
            if self._error is not None:
                continue  # drain, so that a blocked put() returns and sees the error
            try:
                writev_all(self._fd, parts)
            except BaseException as exc:  # noqa: BLE001 - handed to the producer
                self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def put(self, parts: list[bytes]) -> None:
        self._raise()
        self._queue.put(parts)

    def close(self) -> None:
        """Wait for every batch to be written; raise the writer's error, if any."""
        self._queue.put(None)
        self._thread.join()
        self._raise()


def encrypt_to_fd(enc: Encryptor, src: BinaryIO | Reader, dst: Writer) -> int:
    """encrypt_stream's binary path into a real file or pipe: `enc` has written its header
    into `dst`; batches are sealed here and written by an FdWriter on dst's descriptor."""
    batch_size = CHUNK_SIZE * BATCH_CHUNKS
    current = _read_full(src, batch_size)
    if len(current) < batch_size:  # small input: no thread
        enc.written = len(current)
        dst.write(b"".join(enc.seal_batch(current, final=True)))
        return len(current)
    flush = getattr(dst, "flush", None)
    if flush is not None:
        flush()  # the header, still in dst's buffer, goes out before the writer's chunks
    writer = FdWriter(dst.fileno())  # type: ignore[attr-defined]
    total = 0
    try:
        while True:
            following = _read_full(src, batch_size) if len(current) == batch_size else b""
            total += len(current)
            writer.put(enc.seal_batch(current, final=not following))
            if not following:
                enc.written = total
                return total
            current = following
    finally:
        writer.close()

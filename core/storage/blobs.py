"""Sealed blobs: age streams stored in database chunks.

Writing encrypts as it goes (constant memory) and adds one BlobChunk row per
CHUNK_SIZE bytes of ciphertext, in the caller's transaction, so a report and
its attachments commit together. Reading streams the chunks back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import BinaryIO

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.law.enums import BlobKind
from core.storage import padding
from core.storage.models import Blob
from core.storage.models import BlobChunk

CHUNK_SIZE = 256 * 1024
COPY_SIZE = 64 * 1024
# Files uploaded to an intake draft (reporting/drafts.py) are blobs with no case yet; a draft
# not filed within the CSRF token's lifetime is dead (the form cannot be submitted).
DRAFT_MAX_AGE = dt.timedelta(hours=6)


class _ChunkWriter:
    """A write sink that turns ciphertext into BlobChunk rows."""

    def __init__(self, session: Session, blob: Blob) -> None:
        self._session = session
        self._blob = blob
        self._buffer = bytearray()
        self._seq = 0
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._buffer += data
        self._hash.update(data)
        self.size += len(data)
        while len(self._buffer) >= CHUNK_SIZE:
            self._emit(bytes(self._buffer[:CHUNK_SIZE]))
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, data: bytes) -> None:
        # A Core insert: the ORM would keep every chunk in its identity map.
        self._session.execute(
            insert(BlobChunk).values(blob_id=self._blob.id, seq=self._seq, data=data)
        )
        self._seq += 1

    def finish(self) -> str:
        if self._buffer:
            self._emit(bytes(self._buffer))
            self._buffer.clear()
        return self._hash.hexdigest()


def _new_blob(session: Session, kind: BlobKind, case_id: int | None, framing: str = "") -> Blob:
    blob = Blob(kind=kind, case_id=case_id, size=0, sha256="", framing=framing)
    session.add(blob)
    session.flush()
    return blob


def store_stream(
    session: Session,
    src: BinaryIO,
    recipients: Sequence[crypto.Recipient],
    *,
    kind: BlobKind,
    case_id: int | None = None,
    file: tuple[str, int] | None = None,
) -> Blob:
    """Encrypt `src` to `recipients` into a new blob (streaming).

    `file=(filename, size)`: `src` holds a file of `size` bytes, framed as a one-member tar
    archive padded to a Padmé length (core.storage.padding) so that the ciphertext's size
    says little about the file's; readers here unframe it."""
    framing = padding.FRAMING_TAR if file is not None else ""
    blob = _new_blob(session, kind, case_id, framing)
    sink = _ChunkWriter(session, blob)
    source: BinaryIO | ChunkReader = src
    if file is not None:
        name, size = file
        source = ChunkReader(padding.frame(name, size, padding.read_pieces(src, size)))
    crypto.encrypt_stream(source, sink, recipients)
    blob.sha256 = sink.finish()
    blob.size = sink.size
    session.flush()
    return blob


class BlobWriter:
    """A new blob written push-style: each `write` is sealed and stored as it comes (constant
    memory), for producers that write rather than be read (a PDF writer, a copy of several
    sources); `tell` counts the plaintext written. `finish` closes the stream and returns
    the blob; a writer dropped without `finish` leaves a blob without its final chunk,
    which never decrypts (the caller deletes it)."""

    def __init__(
        self, session: Session, recipients: Sequence[crypto.Recipient], *, kind: BlobKind
    ) -> None:
        self.blob = _new_blob(session, kind, None)
        self._sink = _ChunkWriter(session, self.blob)
        self._encryptor = crypto.open_encryptor(self._sink, recipients)
        self._size = 0

    def write(self, data: bytes) -> int:
        # In pieces: a large write would otherwise be copied whole into the encryptor's
        # buffer behind a few bytes already waiting there.
        view = memoryview(data)
        for offset in range(0, len(view), COPY_SIZE):
            self._encryptor.write(view[offset : offset + COPY_SIZE])  # type: ignore[arg-type]
        self._size += len(view)
        return len(view)

    def tell(self) -> int:
        return self._size

    def finish(self) -> Blob:
        self._encryptor.close()
        self.blob.sha256 = self._sink.finish()
        self.blob.size = self._sink.size
        return self.blob


def store_bytes(
    session: Session,
    data: bytes,
    recipients: Sequence[crypto.Recipient],
    *,
    kind: BlobKind,
    case_id: int | None = None,
) -> Blob:
    """Encrypt a small value into a new blob."""
    import io

    return store_stream(session, io.BytesIO(data), recipients, kind=kind, case_id=case_id)


def iter_ciphertext(session: Session, blob_id: int) -> Iterator[bytes]:
    """The blob's age file, chunk by chunk (one chunk in memory at a time)."""
    seq = 0
    while True:
        data = session.scalar(
            select(BlobChunk.data).where(BlobChunk.blob_id == blob_id, BlobChunk.seq == seq)
        )
        if data is None:
            return
        yield data
        seq += 1


class ChunkReader:
    """A read-only file object over an iterator of byte pieces: a blob's ciphertext chunks for
    crypto.open_decryptor, or a framed file for crypto.encrypt_stream."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def readinto(self, target: bytearray | memoryview) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._done = True


def open_ciphertext(session: Session, blob_id: int) -> ChunkReader:
    return ChunkReader(iter_ciphertext(session, blob_id))


def iter_plaintext(
    session: Session, blob_id: int, identities: Sequence[crypto.Identity]
) -> Iterator[bytes]:
    """Decrypt a blob as a stream of authenticated plaintext pieces (a framed file comes out
    as the file alone, core.storage.padding)."""
    framing = session.scalar(select(Blob.framing).where(Blob.id == blob_id))
    pieces = _decrypted(session, blob_id, identities)
    if framing == padding.FRAMING_TAR:
        return padding.unframe(pieces)
    return pieces


def _decrypted(
    session: Session, blob_id: int, identities: Sequence[crypto.Identity]
) -> Iterator[bytes]:
    reader = crypto.open_decryptor(open_ciphertext(session, blob_id), identities)
    try:
        while True:
            piece = reader.read(COPY_SIZE)
            if not piece:
                return
            yield piece
    finally:
        reader.close()


def read_plaintext(session: Session, blob_id: int, identities: Sequence[crypto.Identity]) -> bytes:
    return b"".join(iter_plaintext(session, blob_id, identities))


def delete_unfiled(session: Session, blob_ids: Sequence[int]) -> None:
    """Delete draft blobs (never a blob that belongs to a case)."""
    if not blob_ids:
        return
    ids = list(
        session.scalars(select(Blob.id).where(Blob.id.in_(blob_ids), Blob.case_id.is_(None))).all()
    )
    if ids:
        session.execute(delete(BlobChunk).where(BlobChunk.blob_id.in_(ids)))
        session.execute(delete(Blob).where(Blob.id.in_(ids)))
        session.flush()


def purge_drafts(session: Session, now: dt.datetime, *, limit: int = 500) -> int:
    """Delete up to `limit` abandoned draft files older than DRAFT_MAX_AGE; returns how many."""
    ids = list(
        session.scalars(
            select(Blob.id)
            .where(
                Blob.case_id.is_(None),
                Blob.kind == BlobKind.ATTACHMENT,
                Blob.created_at < now - DRAFT_MAX_AGE,
            )
            .limit(limit)
        ).all()
    )
    delete_unfiled(session, ids)
    return len(ids)

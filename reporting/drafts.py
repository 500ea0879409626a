"""Files chosen before the complaint is sent: sealed on arrival, kept across steps.

A file uploaded on the form is sealed at once into a draft blob for an ephemeral
age identity (hybrid post-quantum when the office is). That identity lives only in
the person's session cookie, itself sealed under the intake secret, so neither a
stolen database nor a stolen cookie alone opens a draft. At submission the draft
is opened, optionally cleaned of metadata, re-sealed to the office and the
complainant by core.services.intake, and deleted in the same transaction. Abandoned drafts
(no submission) are purged after DRAFT_MAX_AGE; their key is gone with the cookie.

The sealed draft carries a small header (file name, declared type, size, hash and
the metadata found before and after cleaning, core.files.review) before the
content, so that the review page can show them without the server keeping anything in
clear. The content is the cleaned copy (when the file can be cleaned), then the original:
the copy the person reviewed is the one filed, and filing streams the chosen part from the
draft to the office without cleaning again or holding the file in memory.

Memory (docs/performance.md, "Upload memory"): a large upload is sealed into a spool
blob first and handed to the cleaner, which lets it go once parsed; the cleaned copy goes
into a second spool; the draft is then written from the two. Small files (under
SPOOL_THRESHOLD) are spooled in memory instead: fewer database rows on the common path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import g
from flask import has_request_context
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.files import inspection
from core.files import policy
from core.files import review
from core.files.inspection import Finding
from core.files.metadata import CleaningFailed
from core.files.owned import Owned
from core.law.enums import BlobKind
from core.storage import blobs
from core.storage import secretbox
from core.storage.blobs import ChunkReader
from core.storage.blobs import open_ciphertext
from core.storage.models import Blob
from core.storage.padding import padme

DRAFT_PURPOSE = "intake-draft-key"
DRAFT_MAX_AGE = blobs.DRAFT_MAX_AGE
_HEADER = struct.Struct(">I")


@dataclass(frozen=True)
class DraftFile:
    blob_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    kind: str
    findings: tuple[tuple[str, str], ...]  # what the file carries as uploaded
    removable: bool  # a cleaned version can be sent
    after: tuple[tuple[str, str], ...] = ()  # what the cleaned version still carries
    # Bytes of the cleaned copy stored before the original; None in a draft written before
    # the copy was kept (the original alone: cleaned at filing).
    cleaned_size: int | None = None

    @property
    def needs_choice(self) -> bool:
        """Not cleanable: the person must choose to send the original or remove it."""
        return not self.removable and self.kind != "other"


def new_key(*, pq: bool) -> crypto.Identity:
    if pq:
        return crypto.HybridIdentity.generate()
    return crypto.X25519Identity.generate()


def seal_key(settings: Settings, key: crypto.Identity) -> str:
    return secretbox.seal(
        settings.secret_bytes("intake_secret_key"), DRAFT_PURPOSE, key.to_string().encode()
    ).hex()


def unseal_key(settings: Settings, sealed_hex: str) -> crypto.Identity | None:
    """The draft key sealed in the session, opened once per request (a post-quantum key
    costs an ML-KEM key expansion each time it is parsed); None if it does not open."""
    if not has_request_context():
        return _unseal_key(settings, sealed_hex)
    opened: dict[str, crypto.Identity | None] = g.setdefault("draft_keys", {})
    if sealed_hex not in opened:
        opened[sealed_hex] = _unseal_key(settings, sealed_hex)
    return opened[sealed_hex]


def _unseal_key(settings: Settings, sealed_hex: str) -> crypto.Identity | None:
    try:
        raw = secretbox.unseal(
            settings.secret_bytes("intake_secret_key"), DRAFT_PURPOSE, bytes.fromhex(sealed_hex)
        )
        return crypto.parse_identity(raw.decode("ascii"))
    except (ValueError, secretbox.SealError, crypto.KeyFormatError):
        return None


SPOOL_THRESHOLD = 4 * 1024 * 1024


class _MemorySpool:
    """A spool for a small file: a BytesIO."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self.write = self._buffer.write
        self.tell = self._buffer.tell

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def pieces(self) -> Iterator[bytes]:
        view = self._buffer.getbuffer()
        try:
            for offset in range(0, len(view), blobs.COPY_SIZE):
                yield bytes(view[offset : offset + blobs.COPY_SIZE])
        finally:
            view.release()

    def discard(self) -> None:
        self._buffer = io.BytesIO()


class _BlobSpool:
    """A spool for a large file: a temporary draft blob sealed to the draft key (deleted once
    the draft is written; one left by a crash is purged with abandoned drafts)."""

    def __init__(self, session: Session, key: crypto.Identity) -> None:
        self._session = session
        self._key = key
        self._writer = blobs.BlobWriter(session, [key.recipient()], kind=BlobKind.ATTACHMENT)
        self.write = self._writer.write
        self.tell = self._writer.tell
        self._finished = False

    def flush(self) -> None:
        return None

    def close(self) -> None:
        if not self._finished:
            self._writer.finish()
            self._finished = True

    def pieces(self) -> Iterator[bytes]:
        self.close()
        return blobs.iter_plaintext(self._session, self._writer.blob.id, [self._key])

    def discard(self) -> None:
        blobs.delete_unfiled(self._session, [self._writer.blob.id])


def _spool(session: Session, key: crypto.Identity, size: int) -> _MemorySpool | _BlobSpool:
    return _BlobSpool(session, key) if size > SPOOL_THRESHOLD else _MemorySpool()


def _read_all(pieces: Iterator[bytes]) -> bytes:
    """The pieces as one bytes object, never a list of them beside it (held once)."""
    buffer = io.BytesIO()
    for piece in pieces:
        buffer.write(piece)
    return buffer.getvalue()  # shared with the BytesIO, not copied


def _pieces_of(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for offset in range(0, len(view), blobs.COPY_SIZE):
        yield bytes(view[offset : offset + blobs.COPY_SIZE])


def store_file(
    session: Session,
    key: crypto.Identity,
    *,
    filename: str,
    content_type: str,
    data: Owned,
) -> DraftFile:
    """Seal one uploaded file (with its header, its cleaned copy and the original) into a
    draft blob. `data` is taken: the caller keeps no reference to the bytes, so the cleaner
    can free them (a 50 MiB upload is never held twice)."""
    ext = policy.extension(filename)
    size = data.size
    kind = inspection.sniff(data.peek())
    sha256 = hashlib.sha256(data.peek()).hexdigest()
    before = review.builtin(data.peek(), kind)
    original = _spool(session, key, size)
    for piece in _pieces_of(data.peek()):
        original.write(piece)
    original.close()
    cleaned_spool = None
    cleaned: bytes | None = None
    after: list[Finding] | None = None
    if kind not in review.PLAIN:
        cleaned_spool = _spool(session, key, size)
        try:
            review.clean_into(data, ext, cleaned_spool)
            cleaned_spool.close()
            cleaned = _read_all(cleaned_spool.pieces())
            after = review.builtin(cleaned, kind)
            review.check(kind, cleaned, after)
        except CleaningFailed:
            cleaned = after = None
    data.drop()

    def both() -> list[bytes]:
        files = [_read_all(original.pieces())]
        return files if cleaned is None else [*files, cleaned]

    found = review.combine(kind, ext, before, after, both)
    cleaned_size = len(cleaned) if cleaned is not None else 0
    header = {
        "filename": filename,
        "content_type": content_type,
        "size": size,
        "sha256": sha256,
        "kind": found.kind,
        "findings": [[f.field, f.value] for f in found.before],
        "removable": found.cleanable,
        "after": [[f.field, f.value] for f in found.after],
        "cleaned_size": cleaned_size,
    }
    head = json.dumps(header, ensure_ascii=False).encode()
    framed = _HEADER.pack(len(head)) + head
    draft = blobs.BlobWriter(session, [key.recipient()], kind=BlobKind.ATTACHMENT)
    draft.write(framed)
    if cleaned is not None:
        for piece in _pieces_of(cleaned):
            draft.write(piece)
    cleaned = None  # the draft holds it now
    for piece in original.pieces():
        draft.write(piece)
    # Zeros up to the Padmé length (core/storage/padding.py): the blob's size says as little
    # of the file's as a filed attachment's does; the header's sizes say where each part ends.
    total = len(framed) + cleaned_size + size
    _write_zeros(draft, padme(total) - total)
    blob = draft.finish()
    original.discard()
    if cleaned_spool is not None:
        cleaned_spool.discard()
    session.flush()
    return _draft_file(blob.id, header)


def _draft_file(blob_id: int, header: dict[str, Any]) -> DraftFile:
    return DraftFile(
        blob_id=blob_id,
        filename=str(header["filename"]),
        content_type=str(header["content_type"]),
        size=int(header["size"]),
        sha256=str(header["sha256"]),
        kind=str(header["kind"]),
        findings=tuple((str(a), str(b)) for a, b in header["findings"]),
        removable=bool(header["removable"]),
        after=tuple((str(a), str(b)) for a, b in header.get("after", ())),
        cleaned_size=int(header["cleaned_size"]) if "cleaned_size" in header else None,
    )


def _open(session: Session, blob_id: int, key: crypto.Identity) -> crypto.Decryptor:
    return crypto.open_decryptor(open_ciphertext(session, blob_id), [key])


def _read_exact(reader: crypto.Decryptor, size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        piece = reader.read(size - len(out))
        if not piece:
            raise ValueError("truncated draft")
        out += piece
    return bytes(out)


def read_header(session: Session, blob_id: int, key: crypto.Identity) -> DraftFile:
    reader = _open(session, blob_id, key)
    try:
        (length,) = _HEADER.unpack(_read_exact(reader, _HEADER.size))
        return _draft_file(blob_id, json.loads(_read_exact(reader, length)))
    finally:
        reader.close()


def read_file(session: Session, blob_id: int, key: crypto.Identity) -> tuple[DraftFile, bytes]:
    """The header and the original, in memory (a draft written before the cleaned copy was
    kept; newer drafts are streamed with `open_part`)."""
    reader = _open(session, blob_id, key)
    try:
        (length,) = _HEADER.unpack(_read_exact(reader, _HEADER.size))
        header = _draft_file(blob_id, json.loads(_read_exact(reader, length)))
        _skip(reader, header.cleaned_size or 0)
        data = _read_exact(reader, header.size)
        _drain(reader)
    finally:
        reader.close()
    return header, data


def _write_zeros(draft: blobs.BlobWriter, count: int) -> None:
    zeros = bytes(min(count, blobs.COPY_SIZE))
    while count > 0:
        draft.write(zeros[: min(count, len(zeros))])
        count -= len(zeros)


def _drain(reader: crypto.Decryptor) -> None:
    """Read the padding to the end, so that the last chunk is authenticated (age's STREAM
    marks it) like every other."""
    while reader.read(blobs.COPY_SIZE):
        pass


def _skip(reader: crypto.Decryptor, size: int) -> None:
    while size > 0:
        piece = reader.read(min(size, blobs.COPY_SIZE))
        if not piece:
            raise ValueError("truncated draft")
        size -= len(piece)


def open_part(
    session: Session, header: DraftFile, key: crypto.Identity, *, cleaned: bool
) -> ChunkReader:
    """A stream of the draft's cleaned copy or of its original, decrypted as it is read (one
    piece in memory at a time), for the filing to seal to the office."""
    skip = 0 if cleaned else (header.cleaned_size or 0)
    size = header.cleaned_size if cleaned else header.size
    if size is None:
        raise ValueError("this draft holds no cleaned copy")

    def pieces() -> Iterator[bytes]:
        reader = _open(session, header.blob_id, key)
        try:
            (length,) = _HEADER.unpack(_read_exact(reader, _HEADER.size))
            _skip(reader, length + skip)
            left = size
            while left > 0:
                piece = reader.read(min(left, blobs.COPY_SIZE))
                if not piece:
                    raise ValueError("truncated draft")
                left -= len(piece)
                yield piece
            _drain(reader)
        finally:
            reader.close()

    return ChunkReader(pieces())


def list_files(session: Session, blob_ids: list[int], key: crypto.Identity) -> list[DraftFile]:
    """Headers of the draft files that still exist and open with this key."""
    if not blob_ids:
        return []
    existing = set(
        session.scalars(select(Blob.id).where(Blob.id.in_(blob_ids), Blob.case_id.is_(None))).all()
    )
    out = []
    for blob_id in blob_ids:
        if blob_id not in existing:
            continue
        try:
            out.append(read_header(session, blob_id, key))
        except (crypto.AgeError, ValueError):
            continue
    return out


def delete_files(session: Session, blob_ids: list[int]) -> None:
    """Delete draft blobs (never a blob that belongs to a case)."""
    blobs.delete_unfiled(session, blob_ids)


def purge_stale(session: Session, now: dt.datetime) -> int:
    """Delete abandoned drafts older than DRAFT_MAX_AGE; returns how many (the periodic job
    does the same, core.services.periodic)."""
    return blobs.purge_drafts(session, now)


def enforce_quota(session: Session, quota_bytes: int) -> int:
    """Keep all drafts together within `quota_bytes` of ciphertext by deleting the oldest
    first; returns how many were evicted. A flood of anonymous uploads then costs bounded
    disk, and evicts itself before a real complainant's newer draft; a complainant whose
    draft was evicted is told at review to attach the file again (never filed without it)."""
    drafts_only = (Blob.case_id.is_(None), Blob.kind == BlobKind.ATTACHMENT)
    total = int(
        session.scalar(select(func.coalesce(func.sum(Blob.size), 0)).where(*drafts_only)) or 0
    )
    if total <= quota_bytes:
        return 0
    evict: list[int] = []
    rows = session.execute(
        select(Blob.id, Blob.size).where(*drafts_only).order_by(Blob.created_at, Blob.id)
    )
    for blob_id, size in rows:
        evict.append(blob_id)
        total -= int(size or 0)
        if total <= quota_bytes:
            break
    delete_files(session, evict)
    return len(evict)

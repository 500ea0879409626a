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
clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import struct
from dataclasses import dataclass
from typing import Any

from flask import g
from flask import has_request_context
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.files import policy
from core.files import review
from core.law.enums import BlobKind
from core.storage import blobs
from core.storage import secretbox
from core.storage.blobs import open_ciphertext
from core.storage.blobs import store_stream
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


def store_file(
    session: Session,
    key: crypto.Identity,
    *,
    filename: str,
    content_type: str,
    data: bytes,
) -> DraftFile:
    """Seal one uploaded file (with its header) into a draft blob."""
    found = review.examine(data, policy.extension(filename))
    header = {
        "filename": filename,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "kind": found.kind,
        "findings": [[f.field, f.value] for f in found.before],
        "removable": found.cleanable,
        "after": [[f.field, f.value] for f in found.after],
    }
    head = json.dumps(header, ensure_ascii=False).encode()
    framed = _HEADER.pack(len(head)) + head + data
    # Zeros up to the Padmé length (core/storage/padding.py): the blob's size says as little
    # of the file's as a filed attachment's does; the header's size says where the file ends.
    stream = io.BytesIO(framed + bytes(padme(len(framed)) - len(framed)))
    blob = store_stream(session, stream, [key.recipient()], kind=BlobKind.ATTACHMENT)
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
    reader = _open(session, blob_id, key)
    try:
        (length,) = _HEADER.unpack(_read_exact(reader, _HEADER.size))
        header = _draft_file(blob_id, json.loads(_read_exact(reader, length)))
        data = _read_exact(reader, header.size)
        while reader.read(1 << 16):  # the padding: read to the end, so the last chunk is
            pass  # authenticated (age's STREAM marks it) like every other
    finally:
        reader.close()
    return header, data


def list_files(session: Session, blob_ids: list[int], key: crypto.Identity) -> list[DraftFile]:
    """Headers of the draft files that still exist and open with this key."""
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

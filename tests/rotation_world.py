"""A populated entity for rotation tests and bench/rotation.py: cases filed through the
real intake, plus many extra sealed objects of every kind rotation walks."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from case_factory import evidence
from case_factory import make_case
from factories import EntityWithKeys
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.law.enums import BlobKind
from core.services import keyrotation
from core.storage import blobs
from core.storage.models import Blob
from core.storage.models import Case
from core.storage.models import Note


@dataclass
class Sealed:
    """Every sealed object of an entity: (source, id) -> the age file."""

    files: dict[tuple[str, int], bytes]

    def payload_digests(self) -> dict[tuple[str, int], str]:
        """SHA-256 of each object's payload (nonce and STREAM body, after the header)."""
        out = {}
        for key, data in self.files.items():
            header_end = data.index(b"\n", data.index(b"\n---") + 1) + 1
            out[key] = hashlib.sha256(data[header_end:]).hexdigest()
        return out

    def opened_by(self, identities: list[crypto.Identity]) -> int:
        return sum(crypto.header_opens(data, identities) for data in self.files.values())


def read_sealed(engine: Engine, entity_id: int) -> Sealed:
    files: dict[tuple[str, int], bytes] = {}
    with Session(engine) as s:
        cases = select(Case.id).where(Case.entity_id == entity_id)
        for blob_id in s.scalars(select(Blob.id).where(Blob.case_id.in_(cases))):
            files[(keyrotation.BLOBS, blob_id)] = b"".join(blobs.iter_ciphertext(s, blob_id))
        for col in keyrotation.SEALED_COLUMNS:
            rows = s.execute(
                select(col.id_column, col.column).where(
                    col.case_id.in_(cases), col.column.is_not(None)
                )
            )
            for row_id, data in rows:
                files[(col.name, row_id)] = bytes(data)
    return Sealed(files)


def populate(
    s: Session,
    settings: Settings,
    ent: EntityWithKeys,
    *,
    cases: int,
    extra: int,
    officer_id: int,
) -> list[int]:
    """File `cases` complaints (one identified, with an attachment) and add `extra` sealed
    blobs and notes spread over them; returns the case ids."""
    ids = []
    for n in range(cases):
        receipt = make_case(
            s,
            settings,
            ent,
            facts=f"Hechos del caso {n}",
            identified=n == 0,
            attachments=[evidence(data=b"evidencia %d" % n)],
        )
        ids.append(receipt.case.id)
    office = crypto.parse_recipient(ent.entity.office_recipient)
    for n in range(extra):
        case_id = ids[n % len(ids)]
        if n % 4 == 3:
            body = crypto.encrypt(b"nota %d" % n, [office])
            s.add(Note(case_id=case_id, officer_id=officer_id, body_sealed=body))
        else:
            size = 300_000 if n % 50 == 0 else 200  # some span several chunks
            blobs.store_stream(
                s, io.BytesIO(b"x" * size), [office], kind=BlobKind.NOTE, case_id=case_id
            )
    s.flush()
    return ids

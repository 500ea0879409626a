"""Case codes: each entity's yearly sequence, D-2026-000123 (codes are per entity).

Taken in the filing's short, locking part (core.services.intake): the counter row is locked
on PostgreSQL; SQLite serialises writers, so the increment comes first.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.services.documents import ComplainantIdentity as ComplainantIdentity
from core.services.documents import ProtectionRequest as ProtectionRequest
from core.services.documents import ReportedPerson as ReportedPerson
from core.storage.models import CaseCounter
from core.storage.models import Entity


def allocate_case_code(session: Session, entity: Entity, year: int) -> str:
    """Next code of the entity's yearly sequence, e.g. D-2026-000123 (row-locked on PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(
            pg_insert(CaseCounter)
            .values(entity_id=entity.id, year=year, last=0)
            .on_conflict_do_nothing()
        )
        counter = session.scalar(
            select(CaseCounter)
            .where(CaseCounter.entity_id == entity.id, CaseCounter.year == year)
            .with_for_update()
        )
        assert counter is not None
        counter.last += 1
        number = counter.last
    else:
        # SQLite serialises writers: increment first so the write lock is taken at once.
        result = session.execute(
            update(CaseCounter)
            .where(CaseCounter.entity_id == entity.id, CaseCounter.year == year)
            .values(last=CaseCounter.last + 1)
            .returning(CaseCounter.last)
        )
        row = result.first()
        if row is None:
            session.add(CaseCounter(entity_id=entity.id, year=year, last=1))
            number = 1
        else:
            number = int(row[0])
    session.flush()
    return f"{entity.case_prefix}-{year}-{number:06d}"

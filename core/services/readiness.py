"""Readiness: can this process do its job right now? (GET /ready on both apps.)

Liveness (/health) says the process answers; readiness says filing and casework would work:
the schema is this version's, every key the server must open unattended opens with
INTEGRA_SERVER_KEY, and the database takes writes. Each problem is one line naming its cause
(docs/operations.md, "Monitoring").
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from config import Settings
from core.access import entities
from core.storage import migrate
from core.storage import secretbox
from core.storage.models import AuditLogKey
from core.storage.models import Entity
from core.storage.models import Throttle

PROBE_KEY = "ready:probe"


def sealed_keys_problems(
    session: Session, settings: Settings, *, slugs: list[str] | None = None
) -> list[str]:
    """Every sealed server key that INTEGRA_SERVER_KEY does not open, one line each
    (of the entities named by `slugs` only, when given: the intake checks the one it files to)."""
    server_key = settings.secret_bytes("server_key")
    problems = []
    query = select(Entity).order_by(Entity.id)
    if slugs is not None:
        query = query.where(Entity.slug.in_(slugs))
    for entity in session.scalars(query):
        try:
            entities.signing_key(server_key, entity)
        except (secretbox.SealError, ValueError):
            problems.append(
                f"INTEGRA_SERVER_KEY does not open the acknowledgement key of entity "
                f"{entity.slug!r} (wrong or changed server key)"
            )
    for key in session.scalars(select(AuditLogKey)):
        try:
            secretbox.unseal(server_key, "audit-checkpoint-key", key.private_sealed)
        except secretbox.SealError:
            problems.append("INTEGRA_SERVER_KEY does not open the audit log's checkpoint key")
    return problems


def problems(session: Session, settings: Settings) -> list[str]:
    """Why this process is not ready; an empty list when it is."""
    found: list[str] = []
    engine = session.get_bind()
    try:
        current, head = migrate.current_revision(engine), migrate.head_revision()  # type: ignore[arg-type]
    except SQLAlchemyError as exc:
        return [f"the database cannot be read: {type(exc).__name__}"]
    if current != head:
        found.append(f"the schema is at revision {current}, this version needs {head}")
        return found
    found.extend(sealed_keys_problems(session, settings))
    try:
        # A write that is rolled back: a read-only or full database fails here.
        session.add(Throttle(key=PROBE_KEY, window_start=dt.datetime.now(dt.UTC), attempts=0))
        session.flush()
        session.execute(delete(Throttle).where(Throttle.key == PROBE_KEY))
    except SQLAlchemyError as exc:
        found.append(f"the database does not accept writes: {type(exc).__name__}")
    finally:
        session.rollback()
    return found

"""Workflow builders for core service tests: entities, officers and cases made directly
with throwaway X25519 keys (no KDF), and `file_case` that registers clocks like the intake.

For tests about workflow records, not about intake or key handling (for those, use
tests/case_factory.py). tests/core/conftest.py offers `build_world` as the `world` fixture.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.law.calendar import PERU_TZ
from core.law.calendar import BusinessCalendar
from core.law.enums import Beneficiary
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.law.enums import Role
from core.law.workflow import Act
from core.services.case_records import calendar_for
from core.services.cases import apply_act
from core.services.cases import register_case_deadlines
from core.services.measure_requests import request_measure
from core.services.subsanacion import record_notice_opened
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Entity
from core.storage.models import Measure
from core.storage.models import Officer

K = DeadlineKind
S = CaseState
_counter = itertools.count(1)


def at_lima(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    """An aware UTC datetime for `hour` o'clock in Lima (UTC-5)."""
    return dt.datetime(y, m, d, hour, tzinfo=PERU_TZ).astimezone(dt.UTC)


@dataclass
class World:
    session: Session
    entity: Entity
    office: crypto.X25519Identity
    officer: Officer
    head: Officer
    calendar: BusinessCalendar

    @property
    def recipients(self) -> list[crypto.Recipient]:
        return [self.office.recipient()]


def make_entity(session: Session) -> tuple[Entity, crypto.X25519Identity]:
    n = next(_counter)
    office = crypto.X25519Identity.generate()
    entity = Entity(
        slug=f"ent-{n}",
        name=f"Entidad {n}",
        office_recipient=office.recipient().to_string(),
        vault_recipient=crypto.X25519Identity.generate().recipient().to_string(),
        signing_public_key=b"\0" * 32,
        signing_key_sealed=b"sealed",
    )
    session.add(entity)
    session.flush()
    return entity, office


def make_officer(session: Session, entity: Entity, role: Role = Role.OFFICER) -> Officer:
    officer = Officer(
        entity_id=entity.id,
        username=f"u{next(_counter)}",
        role=role,
        password_hash="x",
    )
    session.add(officer)
    session.flush()
    return officer


def make_case(
    session: Session,
    entity: Entity,
    *,
    filed_at: dt.datetime,
    protection: bool = False,
    reserve_only: bool = False,
    modality: Modality = Modality.RESERVED,
    officer: Officer | None = None,
) -> Case:
    n = next(_counter)
    case = Case(
        entity_id=entity.id,
        code=f"D-2026-{n:06d}",
        modality=modality,
        motive_1=Motive.UNDUE_ADVANTAGE,
        state=CaseState.REGISTERED,
        filed_at=filed_at,
        protection_requested=protection or reserve_only,
        reserve_only=reserve_only,
        receipt_lookup=f"{n:064d}",
        receipt_salt=b"salt",
        complainant_recipient="age1complainant",
        report_sha256="0" * 64,
        acknowledgement_signature=b"sig",
        assigned_officer_id=officer.id if officer else None,
    )
    session.add(case)
    session.flush()
    return case


def build_world(session: Session) -> World:
    """An entity with an officer and a head (the `world` fixture of tests/core)."""
    entity, office = make_entity(session)
    return World(
        session=session,
        entity=entity,
        office=office,
        officer=make_officer(session, entity),
        head=make_officer(session, entity, Role.HEAD),
        calendar=calendar_for(session, entity),
    )


def file_case(w: World, filed_at: dt.datetime, **kw: object) -> Case:
    """File like core.services.intake does: register the clocks, then record the measures."""
    case = make_case(w.session, w.entity, filed_at=filed_at, **kw)  # type: ignore[arg-type]
    register_case_deadlines(w.session, case, w.calendar, filed_at)
    if case.protection_requested:
        types = (
            [MeasureType.IDENTITY_RESERVE]
            if case.reserve_only
            else [MeasureType.IDENTITY_RESERVE, MeasureType.TRANSFER_COMPLAINANT]
        )
        for t in types:
            request_measure(
                w.session,
                case,
                measure_type=t,
                beneficiary=Beneficiary.COMPLAINANT,
                officer=None,
                reasoning="Solicitud en la denuncia.",
                now=filed_at,
                office_recipients=w.recipients,
                with_filing=True,
            )
    return case


def open_clocks(session: Session, case: Case) -> dict[DeadlineKind, dt.date]:
    rows = session.scalars(
        select(Deadline).where(
            Deadline.case_id == case.id,
            Deadline.satisfied_at.is_(None),
            Deadline.measure_id.is_(None),
        )
    ).all()
    return {d.kind: d.due_on for d in rows}


def act(w: World, case: Case, a: Act, when: dt.datetime, **kw: object) -> CaseEvent:
    return apply_act(
        w.session,
        case,
        a,
        officer=kw.pop("officer", w.officer),  # type: ignore[arg-type]
        reasoning=str(kw.pop("reasoning", "Motivación del acto.")),
        now=when,
        calendar=w.calendar,
        office_recipients=w.recipients,
        **kw,  # type: ignore[arg-type]
    )


def request_later(
    w: World, case: Case, measure_type: MeasureType, when: dt.datetime, reasoning: str = "RG 4.10"
) -> Measure:
    """A protection request an officer records after filing (RG 4.10): it opens its own clocks."""
    return request_measure(
        w.session,
        case,
        measure_type=measure_type,
        officer=w.officer,
        reasoning=reasoning,
        now=when,
        calendar=w.calendar,
        office_recipients=w.recipients,
    )


def open_notice(w: World, case: Case, when: dt.datetime) -> CaseEvent | None:
    """The complainant opens the pending subsanación request on the follow-up page (RG 4.4)."""
    return record_notice_opened(w.session, case, now=when, calendar=w.calendar)

"""Case services on a real database: acts, clocks, forwardings, sealed reasoning, audit.

Uses the shared `db_session` fixture (tests/conftest.py) and the builders of
tests/case_builders.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from case_builders import K
from case_builders import S
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from case_builders import make_entity
from case_builders import make_officer
from case_builders import open_clocks
from case_builders import open_notice
from case_builders import request_later
from sqlalchemy import select

import crypto
from core.errors import CapabilityRequired
from core.errors import TransitionRefused
from core.law.calendar import local_day
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import Role
from core.law.workflow import Act
from core.law.workflow import RequirementItem
from core.read.due_clocks import DueRow
from core.read.due_clocks import due_deadlines
from core.services.case_records import assign_case
from core.services.case_records import calendar_for
from core.storage import audit
from core.storage.models import AuditEntry
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import NonWorkingDay
from core.storage.padding import padme
from core.storage.padding import unpad_text

# --- tests -------------------------------------------------------------------------------------


def test_local_day_is_lima() -> None:
    # 23:30 in Lima on Fri 24 Jul 2026 is already Saturday in UTC.
    late = dt.datetime(2026, 7, 25, 4, 30, tzinfo=dt.UTC)
    assert local_day(late) == dt.date(2026, 7, 24)
    with pytest.raises(ValueError, match="naive"):
        local_day(dt.datetime(2026, 7, 25, 4, 30))  # noqa: DTZ001


def test_registration_without_protection(world: World) -> None:
    # Given a complaint filed on Mon 27 Jul 2026 (Tue 28 / Wed 29 are holidays)
    case = file_case(world, at_lima(2026, 7, 27))
    # Then verification is running with its 2-business-day clock, due Fri 31 Jul
    assert case.state is S.VERIFYING
    assert open_clocks(world.session, case) == {K.VERIFY_REQUIREMENTS: dt.date(2026, 7, 31)}
    assert case.next_deadline_on == dt.date(2026, 7, 31)
    assert case.next_deadline_kind is K.VERIFY_REQUIREMENTS
    kinds = [e.kind for e in case.events]
    assert kinds == ["case.registered", "case.begin_verification"]
    assert (
        world.session.scalars(select(Forwarding).where(Forwarding.case_id == case.id)).all() == []
    )
    deadline = world.session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert deadline.rule_version == "DS-002-2020-JUS"
    assert deadline.starts_on == dt.date(2026, 7, 27)


def test_registration_with_protection_copies_and_clocks(world: World) -> None:
    case = file_case(world, at_lima(2026, 7, 27), protection=True)
    assert open_clocks(world.session, case) == {
        K.VERIFY_REQUIREMENTS: dt.date(2026, 7, 31),
        K.NOTIFY_MEASURES: dt.date(2026, 8, 10),
        K.GRANT_LIMIT: dt.date(2026, 8, 20),
    }
    copies = world.session.scalars(select(Forwarding).where(Forwarding.case_id == case.id)).all()
    assert {(f.destination, f.is_copy) for f in copies} == {
        (Destination.OCI, True),
        (Destination.PROCURADURIA, True),
    }
    reserve, transfer = case.measures
    assert reserve.state is MeasureState.IN_FORCE
    assert reserve.in_force_from == dt.date(2026, 7, 27)
    assert transfer.state is MeasureState.REQUESTED


def test_saturday_night_filing_counts_from_monday(world: World) -> None:
    # Filed Sat 14 Nov 2026 at 22:00 Lima (Sun 03:00 UTC): Mon 16 is day 1, Tue 17 day 2.
    case = file_case(world, at_lima(2026, 11, 14, hour=22))
    assert open_clocks(world.session, case) == {K.VERIFY_REQUIREMENTS: dt.date(2026, 11, 17)}


def test_entity_non_working_day_is_used(world: World) -> None:
    world.session.add(
        NonWorkingDay(
            entity_id=world.entity.id, day=dt.date(2026, 7, 30), reason="Día no laborable"
        )
    )
    world.session.flush()
    world.calendar = calendar_for(world.session, world.entity)
    case = file_case(world, at_lima(2026, 7, 27))
    assert open_clocks(world.session, case) == {K.VERIFY_REQUIREMENTS: dt.date(2026, 8, 3)}


def test_reserve_only_goes_straight_to_stpad(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13), reserve_only=True)
    assert case.state is S.FORWARDED
    forwardings = world.session.scalars(
        select(Forwarding).where(Forwarding.case_id == case.id)
    ).all()
    assert [(f.destination, f.is_copy) for f in forwardings] == [(Destination.STPAD, False)]
    assert open_clocks(world.session, case) == {K.NOTIFY_MEASURES: dt.date(2026, 11, 24)}


def test_path_without_protection_to_conclusion(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16))
    assert case.state is S.VERIFIED
    assert open_clocks(world.session, case) == {}
    assert case.next_deadline_on is None
    event = act(
        world,
        case,
        Act.FORWARD,
        at_lima(2026, 11, 17),
        destination=Destination.OTHER_ENTITY,
        destination_name="Contraloría",
    )
    assert event.visible_to_complainant
    # DL 8.3: the complainant's timeline names the competent entity.
    assert event.data == {"destination": "otra_entidad", "destination_name": "Contraloría"}
    fwd = world.session.scalars(select(Forwarding).where(Forwarding.event_id == event.id)).one()
    assert fwd.destination_name == "Contraloría"
    assert fwd.officer_id == world.officer.id
    act(world, case, Act.CONCLUDE, at_lima(2026, 11, 18))
    assert case.state is S.CONCLUDED
    assert audit.verify_chain(world.session).entries >= 5


def test_reasoning_is_sealed_to_the_office(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    secret = "El denunciado es el jefe de logística"
    event = act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16), reasoning=secret)
    assert event.reasoning_sealed is not None
    assert secret.encode() not in event.reasoning_sealed
    plain = crypto.decrypt(event.reasoning_sealed, [world.office])
    assert unpad_text(plain) == secret and plain.rstrip(b" ") == secret.encode()
    assert len(plain) == padme(len(secret.encode()))  # padded (core/storage/padding.py)
    entries = world.session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id)).all()
    assert all("jefe" not in e.detail for e in entries)


def test_refused_act_records_nothing(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    before = len(case.events)
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.CONCLUDE, at_lima(2026, 11, 16))
    assert refused.value.code == "act_not_allowed_in_state"
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16), reasoning=" ")
    assert refused.value.code == "reasoning_required"
    world.session.refresh(case)
    assert len(case.events) == before
    assert case.state is S.VERIFYING


def test_officer_must_belong_and_be_staff(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    other_entity, _ = make_entity(world.session)
    stranger = make_officer(world.session, other_entity)
    with pytest.raises(Exception, match="entity") as excinfo:
        act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16), officer=stranger)
    assert getattr(excinfo.value, "code", None) == "wrong_entity"
    auditor = make_officer(world.session, world.entity, Role.AUDITOR)
    with pytest.raises(CapabilityRequired):
        act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16), officer=auditor)


def test_protection_path_clocks_follow_recorded_acts(world: World) -> None:
    # Filed Mon 27 Jul 2026 with identity reserve + transfer requested.
    case = file_case(world, at_lima(2026, 7, 27), protection=True)
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 7, 30))
    assert case.state is S.EVALUATING_MEASURES
    # 5 bd after Thu 30 Jul: Fri 31, Mon 3, Tue 4, Wed 5, Fri 7 Aug (Thu 6 is Junín).
    assert open_clocks(world.session, case)[K.EVALUATE_MEASURES] == dt.date(2026, 8, 7)
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.FORWARD, at_lima(2026, 7, 31), destination=Destination.STPAD)
    assert refused.value.code == "measures_undecided"
    verify = world.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == K.VERIFY_REQUIREMENTS)
    ).one()
    assert verify.satisfied_at is not None
    assert verify.satisfied_by_event_id is not None


def test_subsanacion_and_withdrawal(world: World) -> None:
    # Filed Fri 13 Nov 2026 with a protection request; commitment (item 3) missing.
    case = file_case(world, at_lima(2026, 11, 13), protection=True)
    event = act(
        world,
        case,
        Act.REQUEST_SUBSANACION,
        at_lima(2026, 11, 16),
        missing_items=[RequirementItem.COMMITMENT],
    )
    open_notice(world, case, at_lima(2026, 11, 16, hour=12))  # seen the same day (RG 4.4)
    assert event.visible_to_complainant
    assert case.state is S.OBSERVED
    clocks = open_clocks(world.session, case)
    assert clocks[K.SUBSANACION] == dt.date(2026, 11, 19)  # Tue, Wed, Thu
    assert K.VERIFY_REQUIREMENTS not in clocks
    sub = world.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == K.SUBSANACION)
    ).one()
    assert sub.party == "complainant"
    # On the due day the complainant still has time.
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, 19), forward_to_stpad=True)
    assert refused.value.code == "subsanacion_period_open"
    # Item 3 missing: forwarding to the STPAD in the same act is mandatory (RG 4.5).
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, 20))
    assert refused.value.code == "stpad_forwarding_required"
    event = act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, 20), forward_to_stpad=True)
    assert case.state is S.ARCHIVED_WITHDRAWAL
    assert event.data["forwarded_to_stpad"] is True
    assert open_clocks(world.session, case) == {}
    stpad = world.session.scalars(select(Forwarding).where(Forwarding.event_id == event.id)).one()
    assert stpad.destination is Destination.STPAD
    states = {m.type: m.state for m in case.measures}
    # The undecided transfer request is archived; the reserve in force stays (RG 3.2).
    assert states == {
        MeasureType.IDENTITY_RESERVE: MeasureState.IN_FORCE,
        MeasureType.TRANSFER_COMPLAINANT: MeasureState.ARCHIVED,
    }
    assert audit.verify_chain(world.session).entries > 0


def test_receive_subsanacion_reopens_clocks(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13), protection=True)
    act(
        world,
        case,
        Act.REQUEST_SUBSANACION,
        at_lima(2026, 11, 16),
        missing_items=[RequirementItem.FACTS],
    )
    act(world, case, Act.RECEIVE_SUBSANACION, at_lima(2026, 11, 18))
    assert case.state is S.VERIFYING
    clocks = open_clocks(world.session, case)
    # Verification again from Wed 18 Nov: Thu 19, Fri 20.
    assert clocks[K.VERIFY_REQUIREMENTS] == dt.date(2026, 11, 20)
    # Notification (RG 5.1) reopened from the end of the subsanación: 7 bd from 18 Nov.
    assert clocks[K.NOTIFY_MEASURES] == dt.date(2026, 11, 27)
    notify_rows = world.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == K.NOTIFY_MEASURES)
    ).all()
    assert len(notify_rows) == 2
    assert notify_rows[0].satisfied_at is not None
    assert clocks[K.GRANT_LIMIT] == dt.date(2026, 12, 4)  # not reopened


def test_due_deadlines_view(world: World) -> None:
    mine = file_case(world, at_lima(2026, 11, 13), officer=world.officer)
    theirs = file_case(world, at_lima(2026, 11, 16), protection=True, officer=world.head)
    today = dt.date(2026, 11, 18)

    def view(day: dt.date, horizon: int, officer_id: int | None = None) -> list[DueRow]:
        return due_deadlines(
            world.session,
            entity_id=world.entity.id,
            today=day,
            calendar=world.calendar,
            horizon_days=horizon,
            officer_id=officer_id,
        ).rows

    items = view(today, 5)
    assert [(i.case_code, i.kind, i.due_on, i.business_days_left, i.overdue) for i in items] == [
        (mine.code, K.VERIFY_REQUIREMENTS, dt.date(2026, 11, 17), -1, True),
        (theirs.code, K.VERIFY_REQUIREMENTS, dt.date(2026, 11, 18), 0, False),
        (theirs.code, K.NOTIFY_MEASURES, dt.date(2026, 11, 25), 5, False),
    ]
    assert {i.case_id for i in view(today, 30, world.officer.id)} == {mine.id}
    # Saturday after a Friday due day: 0 business days, but overdue.
    sat = view(dt.date(2026, 11, 21), 0, world.officer.id)
    assert [(i.business_days_left, i.overdue) for i in sat] == [(-3, True)]
    # Reassigning the case carries its clocks to the new officer's view.
    assign_case(
        world.session,
        mine,
        officer=world.head,
        target=world.head,
        now=at_lima(2026, 11, 18),
        office_recipients=world.recipients,
    )
    assert view(today, 30, world.officer.id) == []
    assert mine.id in {i.case_id for i in view(today, 30, world.head.id)}


# --- concrete dates across holidays and time zones ----------------------------------------------


def test_late_night_filing_in_lima_counts_from_the_lima_day(world: World) -> None:
    # Fri 24 Jul 2026 23:30 in Lima is Sat 04:30 UTC: the filing day is still Friday in Peru.
    filed = at_lima(2026, 7, 24, hour=23).replace(minute=30)
    assert filed.astimezone(dt.UTC).date() == dt.date(2026, 7, 25)
    case = file_case(world, filed, protection=True)
    assert open_clocks(world.session, case) == {
        # Mon 27 (1); 28-29 Jul are Fiestas Patrias; Thu 30 (2).
        K.VERIFY_REQUIREMENTS: dt.date(2026, 7, 30),
        # 27, 30, 31 Jul, 3, 4, 5 Aug; 6 Aug is Junín; Fri 7 Aug (7).
        K.NOTIFY_MEASURES: dt.date(2026, 8, 7),
        # ... 10, 11, 12, 13, 14, 17, 18, Wed 19 Aug (15): "from the day after filing" (RG 6).
        K.GRANT_LIMIT: dt.date(2026, 8, 19),
    }


def test_filing_on_a_holiday_counts_from_the_next_business_day(world: World) -> None:
    # Tue 8 Dec 2026 (Inmaculada Concepción); Wed 9 Dec (Ayacucho) is also a holiday.
    case = file_case(world, at_lima(2026, 12, 8), protection=True)
    assert open_clocks(world.session, case) == {
        K.VERIFY_REQUIREMENTS: dt.date(2026, 12, 11),  # Thu 10, Fri 11
        K.NOTIFY_MEASURES: dt.date(2026, 12, 18),  # 10, 11, 14, 15, 16, 17, 18
        # ... 21, 22, 23, 24, (25 Christmas), 28, 29, 30, Thu 31 Dec (15).
        K.GRANT_LIMIT: dt.date(2026, 12, 31),
    }


def test_subsanacion_across_christmas_and_withdrawal_only_after_the_last_day(
    world: World,
) -> None:
    case = file_case(world, at_lima(2026, 12, 21))
    # Requested Thu 24 Dec at 19:30 in Lima (already 25 Dec in UTC): notified on the 24th.
    event = act(
        world,
        case,
        Act.REQUEST_SUBSANACION,
        at_lima(2026, 12, 24, hour=19).replace(minute=30),
        missing_items=[RequirementItem.FACTS],
    )
    assert "due_on" not in event.data  # the term is not known until the complainant sees it
    # The complainant opens it at 20:00 the same evening (RG 4.4: from notification).
    opened = open_notice(world, case, at_lima(2026, 12, 24, hour=20))
    # Mon 28, Tue 29, Wed 30 (25 Dec is Christmas).
    assert open_clocks(world.session, case) == {K.SUBSANACION: dt.date(2026, 12, 30)}
    assert opened is not None
    assert opened.data["due_on"] == "2026-12-30"  # shown on the complainant's timeline
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 12, 30, hour=23))
    assert refused.value.code == "subsanacion_period_open"
    # Only item 2 missing: forwarding to the STPAD is optional (RG 4.6).
    act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 12, 31))
    assert case.state is S.ARCHIVED_WITHDRAWAL


def test_subsanacion_notified_on_a_holiday_runs_from_the_next_business_day(world: World) -> None:
    world.session.add(
        NonWorkingDay(entity_id=world.entity.id, day=dt.date(2026, 12, 24), reason="No laborable")
    )
    world.session.flush()
    world.calendar = calendar_for(world.session, world.entity)
    case = file_case(world, at_lima(2026, 12, 21))
    # Notified on the entity's non-working 24 Dec: deemed notified Mon 28; 29, 30, 31.
    act(
        world,
        case,
        Act.REQUEST_SUBSANACION,
        at_lima(2026, 12, 24),
        missing_items=[RequirementItem.COMMITMENT],
    )
    assert open_clocks(world.session, case) == {K.SUBSANACION: dt.date(2026, 12, 31)}


def test_withdrawal_stops_the_clocks_of_a_request_recorded_later(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    act(
        world,
        case,
        Act.REQUEST_SUBSANACION,
        at_lima(2026, 11, 16),
        missing_items=[RequirementItem.FACTS],
    )
    open_notice(world, case, at_lima(2026, 11, 16, hour=12))
    # RG 4.10: protection asked for while the subsanación is pending; own clocks open.
    later = request_later(
        world,
        case,
        MeasureType.TRANSFER_COMPLAINANT,
        at_lima(2026, 11, 17),
        reasoning="El denunciante pide traslado.",
    )
    act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, 20))
    assert later.state is MeasureState.ARCHIVED
    still_open = world.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.satisfied_at.is_(None))
    ).all()
    assert still_open == []  # DL 8.1: the archived request leaves no clock running
    assert case.next_deadline_on is None


def test_no_withdrawal_while_the_complainants_answer_waits_to_be_recorded(world: World) -> None:
    from core.law.enums import MessageDirection
    from core.law.enums import MessageKind
    from core.services import messages

    case = file_case(world, at_lima(2026, 11, 13))
    case.complainant_recipient = world.recipients[0].to_string()
    act(
        world,
        case,
        Act.REQUEST_SUBSANACION,
        at_lima(2026, 11, 16),
        missing_items=[RequirementItem.FACTS],
    )
    open_notice(world, case, at_lima(2026, 11, 16, hour=12))
    # The complainant answers on the last day (Thu 19 Nov); nobody records it in time.
    messages.post_message(
        world.session,
        case,
        direction=MessageDirection.FROM_COMPLAINANT,
        kind=MessageKind.SUBSANACION_RESPONSE,
        body="El denunciado es el jefe de la Oficina de Logística.",
        officer_id=None,
        now=at_lima(2026, 11, 19, hour=18),
    )
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, 20))
    assert refused.value.code == "subsanacion_answered"
    assert case.state is S.OBSERVED
    act(world, case, Act.RECEIVE_SUBSANACION, at_lima(2026, 11, 20))
    assert case.state is S.VERIFYING

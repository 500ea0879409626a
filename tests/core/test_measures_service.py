"""Measure services on a real database: HR clock, head-only decisions, case clocks, procedures.

Uses the builders of tests/case_builders.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from case_builders import open_clocks
from case_builders import request_later
from sqlalchemy import select

from core.errors import CapabilityRequired
from core.errors import TransitionRefused
from core.law.enums import Beneficiary
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.services.measure_requests import request_measure
from core.services.measures import apply_measure_act
from core.storage import audit
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Measure
from core.storage.models import Officer

K = DeadlineKind
M = MeasureState
A = MeasureAct
ALL_CRITERIA = {
    Criterion.TRASCENDENCIA: True,
    Criterion.GRAVEDAD: True,
    Criterion.VEROSIMILITUD: True,
    Criterion.SUBORDINACION: True,
}


def mact(
    w: World,
    measure: Measure,
    a: MeasureAct,
    when: dt.datetime,
    *,
    by: Officer | None = None,
    **kw: object,
) -> CaseEvent:
    return apply_measure_act(
        w.session,
        measure,
        a,
        officer=by or w.head,
        reasoning="Motivación.",
        now=when,
        calendar=w.calendar,
        office_recipients=w.recipients,
        **kw,  # type: ignore[arg-type]
    )


def measure_clocks(w: World, measure: Measure) -> dict[DeadlineKind, dt.date]:
    rows = w.session.scalars(
        select(Deadline).where(Deadline.measure_id == measure.id, Deadline.satisfied_at.is_(None))
    ).all()
    return {d.kind: d.due_on for d in rows}


def transfer_of(case: Case) -> Measure:
    return next(m for m in case.measures if m.type is MeasureType.TRANSFER_COMPLAINANT)


def reserve_of(case: Case) -> Measure:
    return next(m for m in case.measures if m.type is MeasureType.IDENTITY_RESERVE)


def test_full_grant_path_closes_case_clocks(world: World) -> None:
    # Filed Mon 27 Jul 2026 with identity reserve (in force) + transfer of the complainant.
    case = file_case(world, at_lima(2026, 7, 27), protection=True)
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 7, 30))
    transfer = transfer_of(case)
    # HR report requested Thu 30 Jul: Fri 31, Mon 3, Tue 4 Aug (3 business days).
    mact(world, transfer, A.REQUEST_HR_REPORT, at_lima(2026, 7, 30), by=world.officer)
    assert transfer.state is M.HR_FEASIBILITY
    assert measure_clocks(world, transfer) == {K.HR_FEASIBILITY: dt.date(2026, 8, 4)}
    # Granting before the HR report is refused.
    with pytest.raises(TransitionRefused) as refused:
        mact(world, transfer, A.GRANT, at_lima(2026, 7, 31), criteria=ALL_CRITERIA)
    assert refused.value.code == "hr_report_required"
    mact(
        world, transfer, A.RECORD_HR_REPORT, at_lima(2026, 8, 3), by=world.officer, hr_feasible=True
    )
    assert measure_clocks(world, transfer) == {}
    # An ordinary officer cannot grant: head only.
    with pytest.raises(CapabilityRequired):
        mact(world, transfer, A.GRANT, at_lima(2026, 8, 4), by=world.officer, criteria=ALL_CRITERIA)
    assert transfer.state is M.HR_FEASIBILITY
    mact(world, transfer, A.GRANT, at_lima(2026, 8, 4), criteria=ALL_CRITERIA)
    assert transfer.state is M.GRANTED
    assert transfer.decided_at is not None
    assert transfer.criteria == {str(k): v for k, v in ALL_CRITERIA.items()}
    # No measure is undecided: grant limit and evaluation clocks stop at the grant.
    clocks = open_clocks(world.session, case)
    assert K.GRANT_LIMIT not in clocks
    assert K.EVALUATE_MEASURES not in clocks
    assert clocks == {K.NOTIFY_MEASURES: dt.date(2026, 8, 10)}
    # Notifying one measure is not enough; both notified stops the RG 5.1 clock.
    mact(world, transfer, A.NOTIFY_COMPLAINANT, at_lima(2026, 8, 5), by=world.officer)
    assert K.NOTIFY_MEASURES in open_clocks(world.session, case)
    event = mact(
        world, reserve_of(case), A.NOTIFY_COMPLAINANT, at_lima(2026, 8, 5), by=world.officer
    )
    assert event.visible_to_complainant
    assert open_clocks(world.session, case) == {}
    notify = world.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == K.NOTIFY_MEASURES)
    ).one()
    assert notify.satisfied_by_event_id == event.id
    mact(world, transfer, A.ENTER_INTO_FORCE, at_lima(2026, 8, 7), by=world.officer)
    assert transfer.state is M.IN_FORCE
    assert transfer.in_force_from == dt.date(2026, 8, 7)
    # The complaint can now go to the STPAD and conclude.
    act(world, case, Act.FORWARD, at_lima(2026, 8, 7), destination=Destination.STPAD)
    act(world, case, Act.CONCLUDE, at_lima(2026, 8, 10))
    assert case.state is CaseState.CONCLUDED
    assert audit.verify_chain(world.session).entries > 10


def test_deny_with_reasons(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13), protection=True)
    transfer = transfer_of(case)
    event = mact(world, transfer, A.DENY, at_lima(2026, 11, 16))
    assert transfer.state is M.DENIED
    assert event.reasoning_sealed is not None
    assert event.visible_to_complainant is False
    assert K.GRANT_LIMIT not in open_clocks(world.session, case)


def in_force_transfer(world: World) -> tuple[Case, Measure]:
    case = file_case(world, at_lima(2026, 3, 2), protection=True)
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 3, 3))
    transfer = transfer_of(case)
    mact(world, transfer, A.REQUEST_HR_REPORT, at_lima(2026, 3, 3), by=world.officer)
    mact(world, transfer, A.RECORD_HR_REPORT, at_lima(2026, 3, 4), hr_feasible=True)
    mact(world, transfer, A.GRANT, at_lima(2026, 3, 5), criteria=ALL_CRITERIA)
    mact(world, transfer, A.NOTIFY_COMPLAINANT, at_lima(2026, 3, 5))
    mact(world, reserve_of(case), A.NOTIFY_COMPLAINANT, at_lima(2026, 3, 5))
    mact(world, transfer, A.ENTER_INTO_FORCE, at_lima(2026, 3, 6))
    assert open_clocks(world.session, case) == {}
    assert case.next_deadline_on is None
    return case, transfer


# Bad faith is now a procedure on the complaint and the person: tests/core/test_bad_faith.py.


def test_variation_with_early_alegaciones(world: World) -> None:
    _case, transfer = in_force_transfer(world)
    mact(world, transfer, A.START_VARIATION, at_lima(2026, 5, 4))
    mact(world, transfer, A.RECORD_ALEGACIONES, at_lima(2026, 5, 5), by=world.officer)
    assert set(measure_clocks(world, transfer)) == {K.DECISION}
    mact(world, transfer, A.DECIDE_VARIATION, at_lima(2026, 5, 6))
    assert transfer.state is M.VARIED
    assert measure_clocks(world, transfer) == {}


def test_suspension_not_upheld_returns_to_force(world: World) -> None:
    _case, transfer = in_force_transfer(world)
    mact(world, transfer, A.START_SUSPENSION, at_lima(2026, 5, 4))
    mact(world, transfer, A.DECIDE_SUSPENSION, at_lima(2026, 5, 12), upheld=False)
    assert transfer.state is M.IN_FORCE


def test_cease(world: World) -> None:
    _case, transfer = in_force_transfer(world)
    event = mact(world, transfer, A.CEASE, at_lima(2026, 6, 1), cease_ground=CeaseGround.PAD_ENDED)
    assert transfer.state is M.CEASED
    assert transfer.in_force_until == dt.date(2026, 6, 1)
    assert event.data["cease_ground"] == "fin_pad"


def test_extension_to_a_third_person_needs_hr(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13), protection=True)
    extra = request_measure(
        world.session,
        case,
        measure_type=MeasureType.IDENTITY_RESERVE,
        beneficiary=Beneficiary.THIRD_PARTY,
        officer=world.officer,
        reasoning="DL 10: cónyuge del denunciante.",
        now=at_lima(2026, 11, 16),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    assert extra.state is M.REQUESTED
    # A later request gets its own clocks from the request day (Mon 16 Nov 2026).
    assert measure_clocks(world, extra) == {
        K.EVALUATE_MEASURES: dt.date(2026, 11, 23),
        K.NOTIFY_MEASURES: dt.date(2026, 11, 25),
        K.GRANT_LIMIT: dt.date(2026, 12, 7),
    }
    with pytest.raises(TransitionRefused) as refused:
        mact(world, extra, A.GRANT, at_lima(2026, 11, 17), criteria=ALL_CRITERIA)
    assert refused.value.code == "hr_report_required"


def test_later_request_clocks_stop_at_decision_and_notice(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16))
    act(world, case, Act.FORWARD, at_lima(2026, 11, 16), destination=Destination.STPAD)
    # RG 4.10: protection requested later, during the PAD.
    later = request_later(world, case, MeasureType.BIDDER_GUARANTEE, at_lima(2026, 11, 17))
    assert set(measure_clocks(world, later)) == {
        K.EVALUATE_MEASURES,
        K.NOTIFY_MEASURES,
        K.GRANT_LIMIT,
    }
    assert case.next_deadline_kind is K.EVALUATE_MEASURES
    mact(world, later, A.GRANT, at_lima(2026, 11, 18), criteria=ALL_CRITERIA)
    assert set(measure_clocks(world, later)) == {K.NOTIFY_MEASURES}
    mact(world, later, A.NOTIFY_COMPLAINANT, at_lima(2026, 11, 18), by=world.officer)
    assert measure_clocks(world, later) == {}
    assert case.next_deadline_on is None
    act(world, case, Act.CONCLUDE, at_lima(2026, 11, 19))


def test_no_request_on_an_archived_case(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    case.state = CaseState.ARCHIVED_WITHDRAWAL
    with pytest.raises(TransitionRefused) as refused:
        request_measure(
            world.session,
            case,
            measure_type=MeasureType.OTHER,
            officer=world.officer,
            reasoning="x",
            now=at_lima(2026, 11, 17),
            calendar=world.calendar,
            office_recipients=world.recipients,
        )
    assert refused.value.code == "case_archived"


def _copies(world: World, case: Case) -> list[Destination]:
    rows = world.session.scalars(
        select(Forwarding).where(Forwarding.case_id == case.id, Forwarding.is_copy.is_(True))
    )
    return sorted((f.destination for f in rows), key=str)


def test_a_later_protection_request_gets_the_copies_of_rg_4_3_once(world: World) -> None:
    # Given a complaint filed without a protection request (no copies at filing)
    case = file_case(world, at_lima(2026, 11, 13))
    assert _copies(world, case) == []
    # When protection is asked for later (RG 4.10), the OCI and the Procuraduría get copies
    first = request_later(world, case, MeasureType.TRANSFER_COMPLAINANT, at_lima(2026, 11, 17))
    assert _copies(world, case) == [Destination.OCI, Destination.PROCURADURIA]
    event = world.session.scalars(select(CaseEvent).where(CaseEvent.measure_id == first.id)).one()
    assert event.data["copies"] == ["oci", "procuraduria"]
    # And a second later request sends no second copy
    request_later(world, case, MeasureType.CONTRACT_RENEWAL, at_lima(2026, 11, 18))
    assert _copies(world, case) == [Destination.OCI, Destination.PROCURADURIA]


def test_a_later_request_for_identity_reserve_alone_sends_no_copies(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    request_later(world, case, MeasureType.IDENTITY_RESERVE, at_lima(2026, 11, 17))  # RG 4.2
    assert _copies(world, case) == []


def test_a_request_from_the_follow_up_page_runs_the_same_clocks_and_copies(world: World) -> None:
    """RG 4.10 with RG 4.7, 5.1, 6 and 4.3 (issue 11): the complainant asks for protection on
    the follow-up page (no officer acts) on Monday 16 November 2026. The request opens the
    5-business-day evaluation (Mon 23 Nov), the 7-business-day notice (Wed 25 Nov) and the
    15-business-day limit (Mon 7 Dec) like one an officer records, and the OCI and the
    Procuraduría get their copies once; the case cannot be concluded while they run."""
    case = file_case(world, at_lima(2026, 11, 13))
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16))
    act(world, case, Act.FORWARD, at_lima(2026, 11, 16), destination=Destination.STPAD)
    asked = request_measure(
        world.session,
        case,
        measure_type=MeasureType.TRANSFER_COMPLAINANT,
        officer=None,
        reasoning="Solicitada por el denunciante desde el seguimiento.",
        now=at_lima(2026, 11, 16),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    assert measure_clocks(world, asked) == {
        K.EVALUATE_MEASURES: dt.date(2026, 11, 23),
        K.NOTIFY_MEASURES: dt.date(2026, 11, 25),
        K.GRANT_LIMIT: dt.date(2026, 12, 7),
    }
    assert _copies(world, case) == [Destination.OCI, Destination.PROCURADURIA]
    with pytest.raises(TransitionRefused):
        act(world, case, Act.CONCLUDE, at_lima(2026, 11, 17))

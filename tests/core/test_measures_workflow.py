"""The protection-measure transition table: every (state, act) pair, guards, effects."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from core.errors import TransitionRefused
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import Role
from core.law.measures_workflow import ROLE_CAPABILITIES
from core.law.measures_workflow import Capability
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.law.measures_workflow import MeasureFacts
from core.law.measures_workflow import MeasureInputs
from core.law.measures_workflow import allowed_measure_acts
from core.law.measures_workflow import needs_hr_report
from core.law.measures_workflow import plan_measure_act
from core.law.workflow import PlannedForwarding

M = MeasureState
A = MeasureAct
K = DeadlineKind
TODAY = dt.date(2026, 8, 3)
ALL_CRITERIA = dict.fromkeys(Criterion, True)  # DL 9.3's three conditions included

# Independent expectation from docs/workflow.md (upheld decisions, a
# non-reserve measure, so a request goes to `solicitada`). Self-loops map to their own state.
ACTIVE = (M.GRANTED, M.IN_FORCE, M.VARIED, M.SUSPENDED, M.VARIATION, M.SUSPENSION)
EXPECTED: dict[tuple[MeasureState | None, MeasureAct], MeasureState] = {
    (None, A.REQUEST): M.REQUESTED,
    (M.REQUESTED, A.REQUEST_HR_REPORT): M.HR_FEASIBILITY,
    (M.HR_FEASIBILITY, A.RECORD_HR_REPORT): M.HR_FEASIBILITY,
    (M.REQUESTED, A.GRANT): M.GRANTED,
    (M.HR_FEASIBILITY, A.GRANT): M.GRANTED,
    (M.REQUESTED, A.DENY): M.DENIED,
    (M.HR_FEASIBILITY, A.DENY): M.DENIED,
    (M.GRANTED, A.NOTIFY_COMPLAINANT): M.GRANTED,
    (M.IN_FORCE, A.NOTIFY_COMPLAINANT): M.IN_FORCE,
    (M.VARIED, A.NOTIFY_COMPLAINANT): M.VARIED,
    (M.DENIED, A.NOTIFY_COMPLAINANT): M.DENIED,
    (M.GRANTED, A.ENTER_INTO_FORCE): M.IN_FORCE,
    (M.IN_FORCE, A.START_VARIATION): M.VARIATION,
    (M.VARIED, A.START_VARIATION): M.VARIATION,
    (M.IN_FORCE, A.START_SUSPENSION): M.SUSPENSION,
    (M.VARIED, A.START_SUSPENSION): M.SUSPENSION,
    # Bad faith is a procedure on the person (core.law.bad_faith): no per-measure start; a
    # measure already in the old procedure can finish it.
    (M.VARIATION, A.RECORD_ALEGACIONES): M.VARIATION,
    (M.SUSPENSION, A.RECORD_ALEGACIONES): M.SUSPENSION,
    (M.BAD_FAITH_CESSATION, A.RECORD_ALEGACIONES): M.BAD_FAITH_CESSATION,
    (M.VARIATION, A.DECIDE_VARIATION): M.VARIED,
    (M.SUSPENSION, A.DECIDE_SUSPENSION): M.SUSPENDED,
    (M.BAD_FAITH_CESSATION, A.DECIDE_CESSATION): M.EXCLUDED,
    **{(s, A.CEASE): M.CEASED for s in ACTIVE},
    (M.REQUESTED, A.ARCHIVE): M.ARCHIVED,
    (M.HR_FEASIBILITY, A.ARCHIVE): M.ARCHIVED,
    # RG 9 / DL 12.1: a suspension is lifted by a decision; the measure is in force again.
    (M.SUSPENDED, A.LIFT_SUSPENSION): M.IN_FORCE,
    # DL 14: bad faith upheld on the person excludes every measure, decided or not.
    **{
        (s, A.EXCLUDE_FOR_BAD_FAITH): M.EXCLUDED
        for s in (*ACTIVE, M.REQUESTED, M.HR_FEASIBILITY, M.BAD_FAITH_CESSATION)
    },
}
DECIDING = {
    A.GRANT,
    A.DENY,
    A.DECIDE_VARIATION,
    A.DECIDE_SUSPENSION,
    A.DECIDE_CESSATION,
    A.CEASE,
    A.LIFT_SUSPENSION,
    A.EXCLUDE_FOR_BAD_FAITH,
}


def happy(state: MeasureState | None) -> tuple[MeasureFacts, MeasureInputs]:
    facts = MeasureFacts(
        state=state,
        measure_type=MeasureType.TRANSFER_COMPLAINANT,
        today=TODAY,
        hr_report_recorded=state is not M.HR_FEASIBILITY,
        alegaciones_due=TODAY - dt.timedelta(days=1),
        bad_faith_upheld=True,  # the procedure's decision (core.services.badfaith)
    )
    inputs = MeasureInputs(
        reasoning="Motivación.",
        criteria=ALL_CRITERIA,
        hr_feasible=True,
        bad_faith_type=BadFaithType.FALSE,
        cease_ground=CeaseGround.DANGER_EXTINGUISHED,
    )
    return facts, inputs


@pytest.mark.parametrize(
    ("state", "act"), list(itertools.product([None, *MeasureState], MeasureAct))
)
def test_every_state_act_pair(state: MeasureState | None, act: MeasureAct) -> None:
    facts, inputs = happy(state)
    if act is A.GRANT and state is M.HR_FEASIBILITY:
        facts = replace(facts, hr_report_recorded=True)
    expected = EXPECTED.get((state, act))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            plan_measure_act(facts, act, inputs)
        assert refused.value.code == "act_not_allowed_in_state"
        assert act not in allowed_measure_acts(state, facts)
        return
    t = plan_measure_act(facts, act, inputs)
    assert t.from_state is state
    assert t.to_state is expected
    assert (t.capability is Capability.DECIDE_MEASURES) is (act in DECIDING)


# START_BAD_FAITH_CESSATION stays only as the kind of past events (no row any more).
@pytest.mark.parametrize("act", [a for a in MeasureAct if a is not A.START_BAD_FAITH_CESSATION])
def test_reasoning_is_always_required(act: MeasureAct) -> None:
    state = next(s for (s, a) in EXPECTED if a is act)
    facts, inputs = happy(state)
    with pytest.raises(TransitionRefused) as refused:
        plan_measure_act(facts, act, MeasureInputs(reasoning=" "))
    assert refused.value.code == "reasoning_required"


def test_only_the_head_can_decide() -> None:
    assert Capability.DECIDE_MEASURES in ROLE_CAPABILITIES[Role.HEAD]
    for role in (Role.OFFICER, Role.AUDITOR, Role.ADMIN):
        assert Capability.DECIDE_MEASURES not in ROLE_CAPABILITIES[role]


@pytest.mark.parametrize(
    ("measure_type", "beneficiary", "target"),
    [
        (MeasureType.IDENTITY_RESERVE, Beneficiary.COMPLAINANT, M.IN_FORCE),
        (MeasureType.IDENTITY_RESERVE, Beneficiary.WITNESS, M.IN_FORCE),
        (MeasureType.IDENTITY_RESERVE, Beneficiary.THIRD_PARTY, M.REQUESTED),  # DL 10
        (MeasureType.TRANSFER_COMPLAINANT, Beneficiary.COMPLAINANT, M.REQUESTED),
        (MeasureType.BIDDER_GUARANTEE, Beneficiary.COMPLAINANT, M.REQUESTED),
    ],
)
def test_request_identity_reserve_is_in_force_at_once(
    measure_type: MeasureType, beneficiary: Beneficiary, target: MeasureState
) -> None:
    facts = MeasureFacts(state=None, measure_type=measure_type, beneficiary=beneficiary)
    t = plan_measure_act(facts, A.REQUEST, MeasureInputs(reasoning="x"))
    assert t.to_state is target


@pytest.mark.parametrize(
    ("measure_type", "beneficiary", "needs"),
    [
        (MeasureType.IDENTITY_RESERVE, Beneficiary.COMPLAINANT, False),
        (MeasureType.TRANSFER_COMPLAINANT, Beneficiary.COMPLAINANT, True),
        (MeasureType.TRANSFER_REPORTED, Beneficiary.COMPLAINANT, True),
        (MeasureType.CONTRACT_RENEWAL, Beneficiary.COMPLAINANT, True),
        (MeasureType.PAID_LEAVE_REPORTED, Beneficiary.WITNESS, True),
        (MeasureType.ATTENDANCE_EXEMPTION_REPORTED, Beneficiary.COMPLAINANT, True),
        (MeasureType.PROCUREMENT_REMOVAL, Beneficiary.COMPLAINANT, False),
        (MeasureType.BIDDER_GUARANTEE, Beneficiary.COMPLAINANT, False),
        (MeasureType.OTHER, Beneficiary.COMPLAINANT, False),
        (MeasureType.OTHER, Beneficiary.THIRD_PARTY, True),
    ],
)
def test_grant_needs_the_hr_report_when_hr_executes_or_third_party(
    measure_type: MeasureType, beneficiary: Beneficiary, needs: bool
) -> None:
    assert needs_hr_report(measure_type, beneficiary) is needs
    facts = MeasureFacts(M.REQUESTED, measure_type, beneficiary, today=TODAY)
    inputs = MeasureInputs(reasoning="x", criteria=ALL_CRITERIA)
    if needs:
        with pytest.raises(TransitionRefused) as refused:
            plan_measure_act(facts, A.GRANT, inputs)
        assert refused.value.code == "hr_report_required"
        assert A.GRANT not in allowed_measure_acts(M.REQUESTED, facts)
    else:
        assert plan_measure_act(facts, A.GRANT, inputs).to_state is M.GRANTED


@pytest.mark.parametrize(
    ("measure_type", "criteria", "code"),
    [
        (MeasureType.OTHER, {}, "criteria_required"),
        (
            MeasureType.OTHER,
            {Criterion.TRASCENDENCIA: True, Criterion.GRAVEDAD: True},
            "criteria_required",
        ),
        (
            MeasureType.OTHER,
            {
                Criterion.TRASCENDENCIA: True,
                Criterion.GRAVEDAD: False,
                Criterion.VEROSIMILITUD: True,
            },
            None,
        ),
        (
            MeasureType.TRANSFER_REPORTED,
            {
                Criterion.TRASCENDENCIA: True,
                Criterion.GRAVEDAD: True,
                Criterion.VEROSIMILITUD: True,
            },
            "subordination_required",
        ),
        (
            MeasureType.TRANSFER_REPORTED,
            {**ALL_CRITERIA, Criterion.SUBORDINACION: False},
            "subordination_required",
        ),
        (MeasureType.TRANSFER_REPORTED, ALL_CRITERIA, None),
    ],
)
def test_grant_criteria(
    measure_type: MeasureType, criteria: dict[Criterion, bool], code: str | None
) -> None:
    facts = MeasureFacts(M.HR_FEASIBILITY, measure_type, today=TODAY, hr_report_recorded=True)
    inputs = MeasureInputs(reasoning="x", criteria=criteria)
    if code:
        with pytest.raises(TransitionRefused) as refused:
            plan_measure_act(facts, A.GRANT, inputs)
        assert refused.value.code == code
    else:
        t = plan_measure_act(facts, A.GRANT, inputs)
        assert t.decides
        assert t.closes == (K.HR_FEASIBILITY,)
        assert set(t.data["criteria"]) == {str(c) for c in criteria}


def test_hr_report_clock() -> None:
    facts = MeasureFacts(M.REQUESTED, MeasureType.TRANSFER_COMPLAINANT, today=TODAY)
    t = plan_measure_act(facts, A.REQUEST_HR_REPORT, MeasureInputs(reasoning="x"))
    assert t.opens == (K.HR_FEASIBILITY,)
    in_hr = MeasureFacts(M.HR_FEASIBILITY, MeasureType.TRANSFER_COMPLAINANT, today=TODAY)
    with pytest.raises(TransitionRefused) as refused:
        plan_measure_act(in_hr, A.RECORD_HR_REPORT, MeasureInputs(reasoning="x"))
    assert refused.value.code == "hr_result_required"
    t = plan_measure_act(in_hr, A.RECORD_HR_REPORT, MeasureInputs(reasoning="x", hr_feasible=False))
    assert t.to_state is M.HR_FEASIBILITY
    assert t.closes == (K.HR_FEASIBILITY,)
    assert t.data["hr_feasible"] is False
    done = MeasureFacts(M.HR_FEASIBILITY, MeasureType.TRANSFER_COMPLAINANT, hr_report_recorded=True)
    with pytest.raises(TransitionRefused) as refused:
        plan_measure_act(done, A.RECORD_HR_REPORT, MeasureInputs(reasoning="x", hr_feasible=True))
    assert refused.value.code == "hr_report_already_recorded"


def test_notify_once_and_visible() -> None:
    facts = MeasureFacts(M.GRANTED, MeasureType.OTHER)
    t = plan_measure_act(facts, A.NOTIFY_COMPLAINANT, MeasureInputs(reasoning="x"))
    assert t.notifies
    assert t.complainant_visible
    assert t.to_state is M.GRANTED
    with pytest.raises(TransitionRefused) as refused:
        plan_measure_act(
            MeasureFacts(M.GRANTED, MeasureType.OTHER, notified=True),
            A.NOTIFY_COMPLAINANT,
            MeasureInputs(reasoning="x"),
        )
    assert refused.value.code == "already_notified"


@pytest.mark.parametrize(
    ("act", "target"),
    [
        (A.START_VARIATION, M.VARIATION),
        (A.START_SUSPENSION, M.SUSPENSION),
    ],
)
def test_procedures_open_alegaciones_and_decision(act: MeasureAct, target: MeasureState) -> None:
    facts = MeasureFacts(M.IN_FORCE, MeasureType.TRANSFER_COMPLAINANT)
    t = plan_measure_act(
        facts, act, MeasureInputs(reasoning="x", bad_faith_type=BadFaithType.REPEATED)
    )
    assert t.to_state is target
    assert set(t.opens) == {K.ALEGACIONES, K.DECISION}
    assert t.complainant_visible


def test_bad_faith_is_no_longer_started_on_one_measure() -> None:
    """DL 14; RG 11: one procedure on the person, not N on N measures (core.law.bad_faith)."""
    for state in (M.IN_FORCE, M.VARIED):
        assert A.START_BAD_FAITH_CESSATION not in allowed_measure_acts(
            state, MeasureFacts(state, MeasureType.OTHER)
        )


def test_no_cease_while_a_bad_faith_procedure_on_the_person_is_open() -> None:
    facts = MeasureFacts(M.IN_FORCE, MeasureType.OTHER, bad_faith_pending=True)
    with pytest.raises(TransitionRefused) as refused:
        plan_measure_act(
            facts, A.CEASE, MeasureInputs(reasoning="x", cease_ground=CeaseGround.OTHER)
        )
    assert refused.value.code == "bad_faith_pending"


@pytest.mark.parametrize(
    ("due", "received", "allowed"),
    [
        (TODAY, False, False),  # last day of alegaciones
        (TODAY + dt.timedelta(days=3), False, False),
        (TODAY + dt.timedelta(days=3), True, True),
        (TODAY - dt.timedelta(days=1), False, True),
    ],
)
def test_decision_waits_for_alegaciones(due: dt.date, received: bool, allowed: bool) -> None:
    facts = MeasureFacts(
        M.VARIATION,
        MeasureType.OTHER,
        today=TODAY,
        alegaciones_due=due,
        alegaciones_received=received,
    )
    assert (A.DECIDE_VARIATION in allowed_measure_acts(M.VARIATION, facts)) is allowed
    if allowed:
        plan_measure_act(facts, A.DECIDE_VARIATION, MeasureInputs(reasoning="x"))
    else:
        with pytest.raises(TransitionRefused) as refused:
            plan_measure_act(facts, A.DECIDE_VARIATION, MeasureInputs(reasoning="x"))
        assert refused.value.code == "alegaciones_period_open"


def test_record_alegaciones_closes_that_clock_once() -> None:
    facts = MeasureFacts(M.SUSPENSION, MeasureType.OTHER)
    t = plan_measure_act(facts, A.RECORD_ALEGACIONES, MeasureInputs(reasoning="x"))
    assert t.closes == (K.ALEGACIONES,)
    assert t.to_state is M.SUSPENSION
    with pytest.raises(TransitionRefused) as refused:
        plan_measure_act(
            MeasureFacts(M.SUSPENSION, MeasureType.OTHER, alegaciones_received=True),
            A.RECORD_ALEGACIONES,
            MeasureInputs(reasoning="x"),
        )
    assert refused.value.code == "alegaciones_already_recorded"


@pytest.mark.parametrize(
    ("state", "act", "upheld", "target", "forwards"),
    [
        (M.VARIATION, A.DECIDE_VARIATION, True, M.VARIED, False),
        (M.VARIATION, A.DECIDE_VARIATION, False, M.IN_FORCE, False),
        (M.SUSPENSION, A.DECIDE_SUSPENSION, True, M.SUSPENDED, False),
        (M.SUSPENSION, A.DECIDE_SUSPENSION, False, M.IN_FORCE, False),
        (M.BAD_FAITH_CESSATION, A.DECIDE_CESSATION, True, M.EXCLUDED, True),
        (M.BAD_FAITH_CESSATION, A.DECIDE_CESSATION, False, M.IN_FORCE, False),
    ],
)
def test_decisions(
    state: MeasureState, act: MeasureAct, upheld: bool, target: MeasureState, forwards: bool
) -> None:
    facts = MeasureFacts(state, MeasureType.OTHER, alegaciones_received=True)
    t = plan_measure_act(facts, act, MeasureInputs(reasoning="x", upheld=upheld))
    assert t.to_state is target
    assert set(t.closes) == {K.ALEGACIONES, K.DECISION}
    assert t.data["upheld"] is upheld
    expected = (
        (PlannedForwarding(Destination.PROCURADURIA), PlannedForwarding(Destination.STPAD))
        if forwards
        else ()
    )
    assert t.forwardings == expected


def test_cease_needs_a_ground_and_not_during_bad_faith() -> None:
    facts = MeasureFacts(M.IN_FORCE, MeasureType.OTHER)
    with pytest.raises(TransitionRefused) as refused:
        plan_measure_act(facts, A.CEASE, MeasureInputs(reasoning="x"))
    assert refused.value.code == "cease_ground_required"
    t = plan_measure_act(
        facts, A.CEASE, MeasureInputs(reasoning="x", cease_ground=CeaseGround.PAD_ENDED)
    )
    assert t.data["cease_ground"] == "fin_pad"
    assert A.CEASE not in allowed_measure_acts(
        M.BAD_FAITH_CESSATION, MeasureFacts(M.BAD_FAITH_CESSATION, MeasureType.OTHER)
    )


def test_archive_leaves_identity_reserve_in_force() -> None:
    facts = MeasureFacts(M.IN_FORCE, MeasureType.IDENTITY_RESERVE)
    assert A.ARCHIVE not in allowed_measure_acts(M.IN_FORCE, facts)

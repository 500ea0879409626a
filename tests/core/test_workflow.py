"""The complaint transition table: every (state, act) pair, guards, effects, registration."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from core.errors import TransitionRefused
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import Modality
from core.law.workflow import Act
from core.law.workflow import ActInputs
from core.law.workflow import CaseFacts
from core.law.workflow import PlannedForwarding
from core.law.workflow import RequirementItem
from core.law.workflow import allowed_acts
from core.law.workflow import blocked_acts
from core.law.workflow import plan_act
from core.law.workflow import plan_registration

S = CaseState
K = DeadlineKind
TODAY = dt.date(2026, 8, 3)

# Independent expectation, written from docs/workflow.md (not from core.law.workflow).
EXPECTED: dict[tuple[CaseState, Act], CaseState] = {
    (S.REGISTERED, Act.BEGIN_VERIFICATION): S.VERIFYING,
    (S.REGISTERED, Act.FORWARD_RESERVE_ONLY): S.FORWARDED,
    (S.VERIFYING, Act.VERIFY_REQUIREMENTS): S.VERIFIED,  # no protection request
    (S.VERIFYING, Act.REQUEST_SUBSANACION): S.OBSERVED,
    (S.OBSERVED, Act.RECEIVE_SUBSANACION): S.VERIFYING,
    (S.OBSERVED, Act.DECLARE_WITHDRAWAL): S.ARCHIVED_WITHDRAWAL,
    (S.VERIFIED, Act.FORWARD): S.FORWARDED,
    (S.EVALUATING_MEASURES, Act.FORWARD): S.FORWARDED,
    (S.FORWARDED, Act.FORWARD): S.FORWARDED,
    (S.FORWARDED, Act.CONCLUDE): S.CONCLUDED,
    (S.ARCHIVED_WITHDRAWAL, Act.REFER_ARCHIVED): S.ARCHIVED_WITHDRAWAL,  # DL 8.1 ¶2
}


def happy(state: CaseState, act: Act) -> tuple[CaseFacts, ActInputs]:
    """Facts and inputs that satisfy every guard of `act`."""
    facts = CaseFacts(
        state=state,
        today=TODAY,
        reserve_only=act is Act.FORWARD_RESERVE_ONLY,
        subsanacion_due=TODAY - dt.timedelta(days=1),
        missing_items=frozenset({RequirementItem.FACTS}),
    )
    inputs = ActInputs(
        reasoning="Motivación.",
        destination=Destination.STPAD,
        missing_items=frozenset({RequirementItem.COMMITMENT}),
    )
    return facts, inputs


@pytest.mark.parametrize(("state", "act"), list(itertools.product(CaseState, Act)))
def test_every_state_act_pair(state: CaseState, act: Act) -> None:
    facts, inputs = happy(state, act)
    expected = EXPECTED.get((state, act))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            plan_act(facts, act, inputs)
        assert refused.value.code == "act_not_allowed_in_state"
        assert act not in allowed_acts(state, facts)
    else:
        transition = plan_act(facts, act, inputs)
        assert transition.from_state is state
        assert transition.to_state is expected
        assert act in allowed_acts(state, facts)


def test_terminal_states_allow_nothing_but_passing_on_an_archived_complaint() -> None:
    """A concluded case allows no act; an archived one only passing its information on to a
    competent body (DL 8.1 ¶2), which leaves it archived."""
    facts = CaseFacts(state=S.CONCLUDED, today=TODAY)
    assert allowed_acts(S.CONCLUDED, facts) == []
    assert allowed_acts(S.ARCHIVED_WITHDRAWAL, facts) == [Act.REFER_ARCHIVED]


@pytest.mark.parametrize("act", list(Act))
def test_reasoning_is_always_required(act: Act) -> None:
    state = next((s for (s, a) in EXPECTED if a is act), S.REGISTERED)
    facts, inputs = happy(state, act)
    with pytest.raises(TransitionRefused) as refused:
        plan_act(
            facts,
            act,
            ActInputs(
                reasoning="   ", destination=inputs.destination, missing_items=inputs.missing_items
            ),
        )
    assert refused.value.code == "reasoning_required"


def test_verification_with_protection_goes_to_evaluation_and_opens_its_clock() -> None:
    facts = CaseFacts(state=S.VERIFYING, today=TODAY, protection_requested=True)
    t = plan_act(facts, Act.VERIFY_REQUIREMENTS, ActInputs(reasoning="ok"))
    assert t.to_state is S.EVALUATING_MEASURES
    assert t.opens == (K.EVALUATE_MEASURES,)
    assert t.closes == (K.VERIFY_REQUIREMENTS,)
    assert t.complainant_visible  # "requirements verified" is on the complainant's timeline


def test_verification_without_protection_goes_to_forwarding() -> None:
    t = plan_act(
        CaseFacts(state=S.VERIFYING, today=TODAY),
        Act.VERIFY_REQUIREMENTS,
        ActInputs(reasoning="ok"),
    )
    assert t.to_state is S.VERIFIED
    assert t.opens == ()
    assert allowed_acts(S.VERIFIED, CaseFacts(state=S.VERIFIED, today=TODAY)) == [Act.FORWARD]


def test_reserve_only_skips_verification() -> None:
    facts = CaseFacts(state=S.REGISTERED, today=TODAY, protection_requested=True, reserve_only=True)
    assert allowed_acts(S.REGISTERED, facts) == [Act.FORWARD_RESERVE_ONLY]
    with pytest.raises(TransitionRefused) as refused:
        plan_act(facts, Act.BEGIN_VERIFICATION, ActInputs(reasoning="x"))
    assert refused.value.code == "reserve_only_goes_to_stpad"
    t = plan_act(facts, Act.FORWARD_RESERVE_ONLY, ActInputs(reasoning="RG 4.2"))
    assert t.forwardings == (PlannedForwarding(Destination.STPAD),)
    ordinary = CaseFacts(state=S.REGISTERED, today=TODAY)
    assert allowed_acts(S.REGISTERED, ordinary) == [Act.BEGIN_VERIFICATION]
    with pytest.raises(TransitionRefused) as refused:
        plan_act(ordinary, Act.FORWARD_RESERVE_ONLY, ActInputs(reasoning="x"))
    assert refused.value.code == "not_reserve_only"


def test_subsanacion_request() -> None:
    facts = CaseFacts(state=S.VERIFYING, today=TODAY)
    t = plan_act(
        facts,
        Act.REQUEST_SUBSANACION,
        ActInputs(
            reasoning="x",
            missing_items=frozenset({RequirementItem.FACTS, RequirementItem.COMMITMENT}),
        ),
    )
    assert t.to_state is S.OBSERVED
    assert t.opens == (K.SUBSANACION,)
    assert t.closes == (K.VERIFY_REQUIREMENTS,)
    assert t.complainant_visible
    assert t.data == {"missing_items": [2, 3]}
    with pytest.raises(TransitionRefused) as refused:
        plan_act(facts, Act.REQUEST_SUBSANACION, ActInputs(reasoning="x"))
    assert refused.value.code == "missing_items_required"


def test_anonymous_complaint_cannot_be_asked_for_identity() -> None:
    facts = CaseFacts(state=S.VERIFYING, today=TODAY, modality=Modality.ANONYMOUS)
    with pytest.raises(TransitionRefused) as refused:
        plan_act(
            facts,
            Act.REQUEST_SUBSANACION,
            ActInputs(reasoning="x", missing_items=frozenset({RequirementItem.IDENTITY})),
        )
    assert refused.value.code == "identity_not_required_for_anonymous"


def test_receive_subsanacion_reopens_verification_and_notification() -> None:
    plain = plan_act(
        CaseFacts(state=S.OBSERVED, today=TODAY), Act.RECEIVE_SUBSANACION, ActInputs(reasoning="x")
    )
    assert plain.to_state is S.VERIFYING
    assert plain.closes == (K.SUBSANACION,)
    assert plain.opens == (K.VERIFY_REQUIREMENTS,)
    protected = plan_act(
        CaseFacts(state=S.OBSERVED, today=TODAY, protection_requested=True),
        Act.RECEIVE_SUBSANACION,
        ActInputs(reasoning="x"),
    )
    assert set(protected.closes) == {K.SUBSANACION, K.NOTIFY_MEASURES}
    assert set(protected.opens) == {K.VERIFY_REQUIREMENTS, K.NOTIFY_MEASURES}


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (dt.date(2026, 8, 4), False),  # the due day itself: the complainant still has it
        (dt.date(2026, 8, 5), True),
    ],
)
def test_withdrawal_only_after_the_subsanacion_deadline(today: dt.date, allowed: bool) -> None:
    facts = CaseFacts(
        state=S.OBSERVED,
        today=today,
        subsanacion_due=dt.date(2026, 8, 4),
        missing_items=frozenset({RequirementItem.FACTS}),
    )
    assert (Act.DECLARE_WITHDRAWAL in allowed_acts(S.OBSERVED, facts)) is allowed
    if allowed:
        plan_act(facts, Act.DECLARE_WITHDRAWAL, ActInputs(reasoning="x"))
    else:
        with pytest.raises(TransitionRefused) as refused:
            plan_act(facts, Act.DECLARE_WITHDRAWAL, ActInputs(reasoning="x"))
        assert refused.value.code == "subsanacion_period_open"


@pytest.mark.parametrize(
    ("missing", "forward", "outcome"),
    [
        ({RequirementItem.IDENTITY}, False, "stpad_forwarding_required"),
        ({RequirementItem.COMMITMENT}, False, "stpad_forwarding_required"),
        ({RequirementItem.PLACE_DATE_SIGNATURE}, False, "stpad_forwarding_required"),
        ({RequirementItem.FACTS, RequirementItem.COMMITMENT}, False, "stpad_forwarding_required"),
        ({RequirementItem.IDENTITY}, True, "stpad"),
        ({RequirementItem.FACTS}, False, "archived_only"),
        ({RequirementItem.FACTS}, True, "stpad"),
    ],
)
def test_withdrawal_and_stpad_forwarding_rg_4_5(
    missing: set[RequirementItem], forward: bool, outcome: str
) -> None:
    facts = CaseFacts(
        state=S.OBSERVED,
        today=TODAY,
        subsanacion_due=dt.date(2026, 7, 31),
        missing_items=frozenset(missing),
        protection_requested=True,
    )
    inputs = ActInputs(reasoning="x", forward_to_stpad=forward)
    if outcome == "stpad_forwarding_required":
        with pytest.raises(TransitionRefused) as refused:
            plan_act(facts, Act.DECLARE_WITHDRAWAL, inputs)
        assert refused.value.code == outcome
        return
    t = plan_act(facts, Act.DECLARE_WITHDRAWAL, inputs)
    assert t.to_state is S.ARCHIVED_WITHDRAWAL
    assert t.archives_measures
    assert t.complainant_visible
    assert K.SUBSANACION in t.closes
    assert {K.NOTIFY_MEASURES, K.GRANT_LIMIT} <= set(t.closes)
    expected = (PlannedForwarding(Destination.STPAD),) if outcome == "stpad" else ()
    assert t.forwardings == expected
    assert t.data["forwarded_to_stpad"] is (outcome == "stpad")


@pytest.mark.parametrize(
    ("destination", "name", "queja", "code", "visible"),
    [
        (None, "", False, "destination_required", None),
        (Destination.STPAD, "", False, None, True),
        (Destination.OCI, "", False, None, True),
        (Destination.PROCURADURIA, "", False, None, True),
        # RG 4.9: the titular receives complaints against the OII at registration, never by
        # an officer's forwarding (issue 11: a crafted POST passed).
        (Destination.TITULAR, "", False, "destination_not_allowed", None),
        (Destination.OTHER_ENTITY, "", False, "destination_name_required", None),
        (Destination.OTHER_ENTITY, "  ", False, "destination_name_required", None),
        (Destination.OTHER_ENTITY, "SUNAT", False, None, True),
        (Destination.NOT_APPLICABLE, "", False, "not_applicable_requires_queja_reclamo", None),
        (Destination.NOT_APPLICABLE, "", True, None, True),
    ],
)
def test_forward_destinations(
    destination: Destination | None,
    name: str,
    queja: bool,
    code: str | None,
    visible: bool | None,
) -> None:
    facts = CaseFacts(state=S.VERIFIED, today=TODAY)
    inputs = ActInputs(
        reasoning="x", destination=destination, destination_name=name, queja_reclamo=queja
    )
    if code is not None:
        with pytest.raises(TransitionRefused) as refused:
            plan_act(facts, Act.FORWARD, inputs)
        assert refused.value.code == code
        return
    assert destination is not None
    t = plan_act(facts, Act.FORWARD, inputs)
    assert t.to_state is S.FORWARDED
    assert t.complainant_visible is visible
    assert t.forwardings == (PlannedForwarding(destination, False, name.strip()),)
    expected: dict[str, str] = {"destination": destination.value}
    if destination is Destination.OTHER_ENTITY:
        expected["destination_name"] = name.strip()  # DL 8.3: the complainant learns which body
    assert t.data == expected


def test_forward_from_evaluation_waits_for_measure_decisions() -> None:
    pending = CaseFacts(
        state=S.EVALUATING_MEASURES, today=TODAY, protection_requested=True, measures_undecided=1
    )
    assert allowed_acts(S.EVALUATING_MEASURES, pending) == []
    with pytest.raises(TransitionRefused) as refused:
        plan_act(pending, Act.FORWARD, ActInputs(reasoning="x", destination=Destination.STPAD))
    assert refused.value.code == "measures_undecided"
    decided = CaseFacts(state=S.EVALUATING_MEASURES, today=TODAY, protection_requested=True)
    t = plan_act(decided, Act.FORWARD, ActInputs(reasoning="x", destination=Destination.STPAD))
    assert t.closes == (K.EVALUATE_MEASURES,)


def test_conclude_needs_every_clock_closed() -> None:
    facts = CaseFacts(state=S.FORWARDED, today=TODAY, open_deadlines=frozenset({K.NOTIFY_MEASURES}))
    assert allowed_acts(S.FORWARDED, facts) == [Act.FORWARD]
    with pytest.raises(TransitionRefused) as refused:
        plan_act(facts, Act.CONCLUDE, ActInputs(reasoning="x"))
    assert refused.value.code == "open_deadlines"


def test_allowed_acts_uses_the_given_state() -> None:
    facts = CaseFacts(state=S.REGISTERED, today=TODAY)
    assert allowed_acts(S.OBSERVED, facts) == [Act.RECEIVE_SUBSANACION]


def test_registration_without_protection() -> None:
    r = plan_registration(protection_requested=False, reserve_only=False)
    assert r.opens == (K.VERIFY_REQUIREMENTS,)
    assert r.forwardings == ()
    assert r.next_act is Act.BEGIN_VERIFICATION


def test_registration_with_protection_copies_oci_and_procuraduria() -> None:
    r = plan_registration(protection_requested=True, reserve_only=False)
    assert set(r.opens) == {K.VERIFY_REQUIREMENTS, K.NOTIFY_MEASURES, K.GRANT_LIMIT}
    assert r.forwardings == (
        PlannedForwarding(Destination.OCI, is_copy=True),
        PlannedForwarding(Destination.PROCURADURIA, is_copy=True),
    )
    assert r.next_act is Act.BEGIN_VERIFICATION


def test_registration_with_protection_but_facts_missing_sends_no_copies() -> None:
    r = plan_registration(protection_requested=True, reserve_only=False, facts_missing=True)
    assert r.forwardings == ()


def test_registration_reserve_only() -> None:
    r = plan_registration(protection_requested=True, reserve_only=True)
    assert r.opens == (K.NOTIFY_MEASURES,)
    assert r.next_act is Act.FORWARD_RESERVE_ONLY


def test_forwarding_twice_to_the_same_body_is_refused() -> None:
    from core.law.workflow import forwarding_key

    facts = CaseFacts(
        state=S.FORWARDED,
        today=TODAY,
        forwarded_to=frozenset(
            {forwarding_key(Destination.STPAD), forwarding_key(Destination.OTHER_ENTITY, "SUNAT")}
        ),
    )
    for destination, name in ((Destination.STPAD, ""), (Destination.OTHER_ENTITY, " sunat ")):
        with pytest.raises(TransitionRefused) as refused:
            plan_act(
                facts,
                Act.FORWARD,
                ActInputs(reasoning="x", destination=destination, destination_name=name),
            )
        assert refused.value.code == "already_forwarded"
    # Another body, or another competent entity, is still possible.
    plan_act(facts, Act.FORWARD, ActInputs(reasoning="x", destination=Destination.OCI))
    plan_act(
        facts,
        Act.FORWARD,
        ActInputs(reasoning="x", destination=Destination.OTHER_ENTITY, destination_name="OSCE"),
    )


def test_reasoning_is_bounded() -> None:
    from core.law.workflow import MAX_REASONING

    facts = CaseFacts(state=S.VERIFYING, today=TODAY)
    with pytest.raises(TransitionRefused) as refused:
        plan_act(facts, Act.VERIFY_REQUIREMENTS, ActInputs(reasoning="x" * (MAX_REASONING + 1)))
    assert refused.value.code == "reasoning_too_long"
    plan_act(facts, Act.VERIFY_REQUIREMENTS, ActInputs(reasoning="x" * MAX_REASONING))


def test_blocked_acts_name_the_guard_that_holds_each_back() -> None:
    facts = CaseFacts(state=S.EVALUATING_MEASURES, today=TODAY, measures_undecided=2)
    blocked = blocked_acts(S.EVALUATING_MEASURES, facts)
    assert [(act, guard.code) for act, guard in blocked] == [(Act.FORWARD, "measures_undecided")]
    assert Act.FORWARD not in allowed_acts(S.EVALUATING_MEASURES, facts)
    decided = CaseFacts(state=S.EVALUATING_MEASURES, today=TODAY, measures_undecided=0)
    assert blocked_acts(S.EVALUATING_MEASURES, decided) == []


def test_rg_4_8_forward_once_the_evaluation_period_has_ended() -> None:
    # Evaluation due Fri 31 Jul 2026; TODAY is Mon 3 Aug: the period has ended (RG 4.7, 4.8).
    base = CaseFacts(
        state=S.EVALUATING_MEASURES, today=TODAY, protection_requested=True, measures_undecided=1
    )
    inputs = ActInputs(reasoning="x", destination=Destination.STPAD)
    ended = replace(base, evaluation_due=dt.date(2026, 7, 31))
    assert plan_act(ended, Act.FORWARD, inputs).to_state is S.FORWARDED
    running = replace(base, evaluation_due=TODAY)  # the last day still belongs to the period
    with pytest.raises(TransitionRefused) as refused:
        plan_act(running, Act.FORWARD, inputs)
    assert refused.value.code == "measures_undecided"

"""The complaint workflow as an explicit transition table (docs/workflow.md).

Pure: no database, no Flask, no clock. `plan_act` checks a proposed act against `TABLE` and
returns a `Transition` describing what the service must record; `core.services.cases` applies it.

Why one module over 450 lines: it is one state table. A new act is an `Act`, its guards and
its `Row` in `TABLE`, written and reviewed together (docs/architecture.md, "Where do I add");
the guards and effects exist only for the rows below them, and the kernel that runs the table
is already its own module (core.law.kernel). Split, one act would be spread over three files.

Decisions on ambiguous points (for docs/):

- Requirements met and no protection request: the complaint goes to `verificada` (to be
  forwarded, RG 4.8). Only a complaint with a protection request goes to `en_evaluacion_medidas`.
- A subsanación received goes back to `en_verificacion` (a fresh 2-business-day verification
  clock, [INF]); the officer then verifies again. This keeps each decision a recorded act.
- A late subsanación (after the 3 days, before the withdrawal is declared) is accepted [INF].
- Withdrawal (DL 8.1) is declared only after the subsanación deadline has passed (the
  complainant has the whole last day), and never while an answer from the complainant to the
  latest request is waiting to be recorded as received (it may not complete the complaint;
  the officer records it, verifies again and, if still incomplete, asks again). Missing
  items 1, 3 or 4 make forwarding to the STPAD in the same act mandatory (RG 4.5: the act is
  refused without it); item 2 makes it optional (RG 4.6). Withdrawal archives the undecided
  protection requests (DL 8.1).
- "Reserve-only" means an explicit protection request whose only measure is identity reserve:
  it goes straight to the STPAD without verification (RG 4.2) and gets no OCI/Procuraduría copies
  (RG 4.3 is read as covering the other measures [INF]). The reserve presumed for identified
  complainants (RG 3.2) is not a request and follows the ordinary path.
- Copies to the OCI and the Procuraduría at registration (RG 4.3) unless the intake knows the
  facts (item 2) are missing.
- Forwarding from `en_evaluacion_medidas` waits until the evaluation period ends (RG 4.8):
  every requested measure decided, or the 5 business days of RG 4.7 over [INF: whichever comes
  first]. A measure still undecided then no longer holds the file: its grant-limit clock
  (RG 6) and a later request's own clocks stay open and show overdue. A forwarded complaint can
  be forwarded again to another body (the table's `derivada -> derivada` row).
- NOT_APPLICABLE (queja/reclamo) requires the officer's explicit classification as such;
  OTHER_ENTITY requires the body's name and is shown to the complainant (DL 8.3), as is
  NOT_APPLICABLE (the PDUDC tells the complainant, research §5 [S]).
- A case concludes only when none of its clocks is open: clocks stop only on recorded acts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from enum import IntEnum
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from core.law import kernel
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import Modality
from core.law.kernel import MAX_REASONING as MAX_REASONING


class Act(StrEnum):
    """Acts an officer (or the system, at filing) records on a complaint."""

    BEGIN_VERIFICATION = "begin_verification"
    VERIFY_REQUIREMENTS = "verify_requirements"
    REQUEST_SUBSANACION = "request_subsanacion"
    RECEIVE_SUBSANACION = "receive_subsanacion"
    DECLARE_WITHDRAWAL = "declare_withdrawal"
    FORWARD = "forward"
    FORWARD_RESERVE_ONLY = "forward_reserve_only"
    CONCLUDE = "conclude"
    # DL 8.1 second paragraph: a complaint archived by withdrawal whose information has merit
    # ("fundamento, materialidad o interés") may still be passed on to a competent body.
    REFER_ARCHIVED = "refer_archived"


class RequirementItem(IntEnum):
    """The four items of DL art. 7.1, numbered as in the law."""

    IDENTITY = 1
    FACTS = 2
    COMMITMENT = 3
    PLACE_DATE_SIGNATURE = 4


# RG 4.5: these missing items make forwarding to the STPAD mandatory on withdrawal.
STPAD_MANDATORY_ITEMS = frozenset(
    {RequirementItem.IDENTITY, RequirementItem.COMMITMENT, RequirementItem.PLACE_DATE_SIGNATURE}
)


class Input(StrEnum):
    """Inputs an act may require from the officer."""

    REASONING = "reasoning"
    DESTINATION = "destination"
    MISSING_ITEMS = "missing_items"


@dataclass(frozen=True)
class CaseFacts:
    """What the workflow needs to know about a case, read by the service."""

    state: CaseState
    today: dt.date
    modality: Modality = Modality.RESERVED
    protection_requested: bool = False
    reserve_only: bool = False
    subsanacion_due: dt.date | None = None
    # The complainant sent a subsanación answer after the latest request (a message of kind
    # "subsanación"), whether or not an officer has recorded it as received yet.
    subsanacion_answered: bool = False
    missing_items: frozenset[RequirementItem] = frozenset()
    measures_undecided: int = 0
    # Last day of the complaint's evaluation period (RG 4.7, the open or stopped case-level
    # EVALUATE_MEASURES clock), None when none was opened.
    evaluation_due: dt.date | None = None
    open_deadlines: frozenset[DeadlineKind] = frozenset()
    # (destination, entity name casefolded) of every forwarding act already recorded.
    forwarded_to: frozenset[tuple[Destination, str]] = frozenset()


def forwarding_key(destination: Destination, name: str = "") -> tuple[Destination, str]:
    """How two forwardings are compared: the body, and for another entity its name."""
    return destination, name.strip().casefold() if destination is Destination.OTHER_ENTITY else ""


@dataclass(frozen=True)
class ActInputs:
    """What the officer supplies with an act."""

    reasoning: str = ""
    destination: Destination | None = None
    destination_name: str = ""
    missing_items: frozenset[RequirementItem] = frozenset()
    forward_to_stpad: bool = False
    queja_reclamo: bool = False


@dataclass(frozen=True)
class PlannedForwarding:
    destination: Destination
    is_copy: bool = False
    destination_name: str = ""


@dataclass(frozen=True)
class Transition:
    """What an allowed act does; the service records exactly this."""

    act: Act
    from_state: CaseState
    to_state: CaseState
    opens: tuple[DeadlineKind, ...] = ()
    closes: tuple[DeadlineKind, ...] = ()
    forwardings: tuple[PlannedForwarding, ...] = ()
    complainant_visible: bool = False
    archives_measures: bool = False
    data: dict[str, Any] = field(default_factory=dict)


# A condition on a complaint with the error code returned when it fails (core.law.kernel).
Guard = kernel.Guard[CaseFacts, ActInputs]


@dataclass(frozen=True)
class Effects:
    """Effects that depend on the inputs (destination, missing items)."""

    forwardings: tuple[PlannedForwarding, ...] = ()
    complainant_visible: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row(kernel.Row[CaseFacts, ActInputs]):
    """One entry of the transition table (its guards: `fact_guards`, `input_guards`)."""

    target: CaseState
    target_if_protection: CaseState | None = None
    opens: frozenset[DeadlineKind] = frozenset()
    opens_if_protection: frozenset[DeadlineKind] = frozenset()
    closes: frozenset[DeadlineKind] = frozenset()
    closes_if_protection: frozenset[DeadlineKind] = frozenset()
    complainant_visible: bool = False
    requires: frozenset[Input] = frozenset({Input.REASONING})
    forwardings: tuple[PlannedForwarding, ...] = ()
    effects: Callable[[CaseFacts, ActInputs], Effects] | None = None
    archives_measures: bool = False


# --- guards ----------------------------------------------------------------------------------

NOT_RESERVE_ONLY = Guard(
    "reserve_only_goes_to_stpad",
    "A complaint whose only request is identity reserve goes straight to the STPAD (RG 4.2).",
    lambda f, i: not f.reserve_only,
)
IS_RESERVE_ONLY = Guard(
    "not_reserve_only",
    "Only a complaint whose only request is identity reserve skips verification (RG 4.2).",
    lambda f, i: f.reserve_only,
)
SUBSANACION_EXPIRED = Guard(
    "subsanacion_period_open",
    "Withdrawal can be declared only after the subsanación term has run: 3 business days from "
    "the day the complainant opened the request (RG 4.4, DL 8.1).",
    lambda f, i: f.subsanacion_due is not None and f.today > f.subsanacion_due,
)
NOT_ANSWERED = Guard(
    "subsanacion_answered",
    "The complainant answered the subsanación request: record it as received and verify again "
    "(DL 8.1 archives only a complaint that was not completed).",
    lambda f, i: not f.subsanacion_answered,
)
# RG 4.8: the complaint goes on once the evaluation period has ended: every requested measure
# decided, or the 5 business days of RG 4.7 run out (the day after the last day). A measure
# still undecided then does not hold the file; its clocks stay open and show overdue.
EVALUATION_ENDED = Guard(
    "measures_undecided",
    "Forward once every requested protection measure is decided or the evaluation period "
    "(RG 4.7, 5 business days) has ended (RG 4.8).",
    lambda f, i: (
        f.measures_undecided == 0 or (f.evaluation_due is not None and f.today > f.evaluation_due)
    ),
)
NO_OPEN_CLOCKS = Guard(
    "open_deadlines",
    "The case still has open deadlines; record the acts that close them first.",
    lambda f, i: not f.open_deadlines,
)
MISSING_ITEMS_GIVEN = Guard(
    "missing_items_required",
    "Name the missing requirements (DL art. 7.1 items 1-4).",
    lambda f, i: bool(i.missing_items),
)
IDENTITY_NOT_REQUIRED_IF_ANONYMOUS = Guard(
    "identity_not_required_for_anonymous",
    "An anonymous complaint does not need the complainant's identity (DL 7.3).",
    lambda f, i: (
        not (f.modality is Modality.ANONYMOUS and RequirementItem.IDENTITY in i.missing_items)
    ),
)
STPAD_WHEN_MANDATORY = Guard(
    "stpad_forwarding_required",
    "With items 1, 3 or 4 missing, the complaint must go to the STPAD in the same act (RG 4.5).",
    lambda f, i: i.forward_to_stpad or not (f.missing_items & STPAD_MANDATORY_ITEMS),
)
DESTINATION_GIVEN = Guard(
    "destination_required",
    "Choose where the complaint is forwarded.",
    lambda f, i: i.destination is not None,
)
NOT_APPLICABLE_ONLY_FOR_QUEJA = Guard(
    "not_applicable_requires_queja_reclamo",
    "'No corresponde' is only for a queja or reclamo that is not an act of corruption.",
    lambda f, i: i.destination is not Destination.NOT_APPLICABLE or i.queja_reclamo,
)
OTHER_ENTITY_NAMED = Guard(
    "destination_name_required",
    "Name the competent entity the complaint is forwarded to (DL 8.3).",
    lambda f, i: i.destination is not Destination.OTHER_ENTITY or bool(i.destination_name.strip()),
)

# Where each act may send the complaint (DL 8.3: nothing leaves the office but by an act).
# `titular` is not a destination an OII officer chooses: a complaint against the OII's own
# staff goes to the entity's titular at registration (RG 4.9), not by forwarding. An archived
# complaint is passed on only to a body competent to act on it (DL 8.1 ¶2) [INF]: the STPAD,
# the OCI, the Procuraduría or another entity, never "no corresponde".
ACT_DESTINATIONS: MappingProxyType[Act, tuple[Destination, ...]] = MappingProxyType(
    {
        Act.FORWARD: tuple(d for d in Destination if d is not Destination.TITULAR),
        Act.REFER_ARCHIVED: (
            Destination.STPAD,
            Destination.OCI,
            Destination.PROCURADURIA,
            Destination.OTHER_ENTITY,
        ),
    }
)


def allowed_destinations(act: Act) -> tuple[Destination, ...]:
    """The destinations `act` may send the complaint to (empty: the act sends nothing)."""
    return ACT_DESTINATIONS.get(act, ())


def _destination_allowed(act: Act) -> Guard:
    return Guard(
        "destination_not_allowed",
        "That destination is not allowed for this act.",
        lambda f, i: i.destination is None or i.destination in ACT_DESTINATIONS[act],
    )


NOT_FORWARDED_THERE_YET = Guard(
    "already_forwarded",
    "The complaint was already forwarded to that body; export its package again instead.",
    lambda f, i: (
        i.destination is None
        or forwarding_key(i.destination, i.destination_name) not in f.forwarded_to
    ),
)

_FORWARD_INPUT_GUARDS = (
    DESTINATION_GIVEN,
    _destination_allowed(Act.FORWARD),
    NOT_APPLICABLE_ONLY_FOR_QUEJA,
    OTHER_ENTITY_NAMED,
    NOT_FORWARDED_THERE_YET,
)


# --- input-dependent effects -------------------------------------------------------------------


def _forward_effects(facts: CaseFacts, inputs: ActInputs) -> Effects:
    destination = inputs.destination
    assert destination is not None  # checked by DESTINATION_GIVEN
    # DL 8.3 requires telling the complainant when the matter goes to another body, and the
    # PDUDC tells them when it is not corruption (research §5). Integra shows every
    # forwarding: "forwarded to whom" is part of the follow-up timeline the complainant
    # relies on, and the destination is a body, never a person.
    name = inputs.destination_name.strip()
    data: dict[str, Any] = {"destination": destination.value}
    if destination is Destination.OTHER_ENTITY:
        # DL 8.3: the complainant is told which body now holds the matter. Only the other
        # entity's name is shown; the internal bodies are named by their destination.
        data["destination_name"] = name
    return Effects(
        forwardings=(PlannedForwarding(destination, False, name),),
        complainant_visible=True,
        data=data,
    )


def _subsanacion_effects(facts: CaseFacts, inputs: ActInputs) -> Effects:
    return Effects(data={"missing_items": sorted(int(i) for i in inputs.missing_items)})


def _withdrawal_effects(facts: CaseFacts, inputs: ActInputs) -> Effects:
    mandatory = bool(facts.missing_items & STPAD_MANDATORY_ITEMS)
    to_stpad = inputs.forward_to_stpad or mandatory
    return Effects(
        forwardings=(PlannedForwarding(Destination.STPAD),) if to_stpad else (),
        complainant_visible=True,
        data={
            "missing_items": sorted(int(i) for i in facts.missing_items),
            "forwarded_to_stpad": to_stpad,
            "stpad_mandatory": mandatory,
        },
    )


# --- the table ---------------------------------------------------------------------------------

_REASONING = frozenset({Input.REASONING})
_S = CaseState
_A = Act
_D = DeadlineKind

TABLE: MappingProxyType[tuple[CaseState, Act], Row] = MappingProxyType(
    {
        (_S.REGISTERED, _A.BEGIN_VERIFICATION): Row(
            target=_S.VERIFYING, fact_guards=(NOT_RESERVE_ONLY,)
        ),
        (_S.REGISTERED, _A.FORWARD_RESERVE_ONLY): Row(
            target=_S.FORWARDED,
            fact_guards=(IS_RESERVE_ONLY,),
            forwardings=(PlannedForwarding(Destination.STPAD),),
            complainant_visible=True,
            effects=lambda f, i: Effects(data={"destination": Destination.STPAD.value}),
        ),
        (_S.VERIFYING, _A.VERIFY_REQUIREMENTS): Row(
            target=_S.VERIFIED,
            target_if_protection=_S.EVALUATING_MEASURES,
            closes=frozenset({_D.VERIFY_REQUIREMENTS}),
            opens_if_protection=frozenset({_D.EVALUATE_MEASURES}),
            complainant_visible=True,
        ),
        (_S.VERIFYING, _A.REQUEST_SUBSANACION): Row(
            target=_S.OBSERVED,
            closes=frozenset({_D.VERIFY_REQUIREMENTS}),
            opens=frozenset({_D.SUBSANACION}),
            complainant_visible=True,
            requires=frozenset({Input.REASONING, Input.MISSING_ITEMS}),
            input_guards=(MISSING_ITEMS_GIVEN, IDENTITY_NOT_REQUIRED_IF_ANONYMOUS),
            effects=_subsanacion_effects,
        ),
        (_S.OBSERVED, _A.RECEIVE_SUBSANACION): Row(
            target=_S.VERIFYING,
            closes=frozenset({_D.SUBSANACION}),
            opens=frozenset({_D.VERIFY_REQUIREMENTS}),
            # RG 5.1: the notification clock runs again from the end of the subsanación.
            closes_if_protection=frozenset({_D.NOTIFY_MEASURES}),
            opens_if_protection=frozenset({_D.NOTIFY_MEASURES}),
            complainant_visible=True,
        ),
        (_S.OBSERVED, _A.DECLARE_WITHDRAWAL): Row(
            target=_S.ARCHIVED_WITHDRAWAL,
            closes=frozenset(
                {_D.SUBSANACION, _D.NOTIFY_MEASURES, _D.GRANT_LIMIT, _D.EVALUATE_MEASURES}
            ),
            fact_guards=(SUBSANACION_EXPIRED, NOT_ANSWERED),
            input_guards=(STPAD_WHEN_MANDATORY,),
            effects=_withdrawal_effects,
            archives_measures=True,
        ),
        (_S.VERIFIED, _A.FORWARD): Row(
            target=_S.FORWARDED,
            requires=frozenset({Input.REASONING, Input.DESTINATION}),
            input_guards=_FORWARD_INPUT_GUARDS,
            effects=_forward_effects,
        ),
        (_S.EVALUATING_MEASURES, _A.FORWARD): Row(
            target=_S.FORWARDED,
            closes=frozenset({_D.EVALUATE_MEASURES}),
            requires=frozenset({Input.REASONING, Input.DESTINATION}),
            fact_guards=(EVALUATION_ENDED,),
            input_guards=_FORWARD_INPUT_GUARDS,
            effects=_forward_effects,
        ),
        (_S.FORWARDED, _A.FORWARD): Row(
            target=_S.FORWARDED,
            requires=frozenset({Input.REASONING, Input.DESTINATION}),
            input_guards=_FORWARD_INPUT_GUARDS,
            effects=_forward_effects,
        ),
        # DL 8.1 ¶2: the archived complaint stays archived; what left, to whom and why is a
        # recorded act that the complainant sees (DL 8.3).
        (_S.ARCHIVED_WITHDRAWAL, _A.REFER_ARCHIVED): Row(
            target=_S.ARCHIVED_WITHDRAWAL,
            requires=frozenset({Input.REASONING, Input.DESTINATION}),
            input_guards=(
                DESTINATION_GIVEN,
                _destination_allowed(Act.REFER_ARCHIVED),
                OTHER_ENTITY_NAMED,
                NOT_FORWARDED_THERE_YET,
            ),
            effects=_forward_effects,
        ),
        (_S.FORWARDED, _A.CONCLUDE): Row(
            target=_S.CONCLUDED, fact_guards=(NO_OPEN_CLOCKS,), complainant_visible=True
        ),
    }
)


def _in_state(facts: CaseFacts, state: CaseState) -> CaseFacts:
    return facts if facts.state is state else replace(facts, state=state)


def allowed_acts(
    state: CaseState, facts: CaseFacts, table: Mapping[tuple[CaseState, Act], Row] = TABLE
) -> list[Act]:
    """Acts the UI may offer in `state`, given what is known before any input."""
    return kernel.allowed(table, Act, state, _in_state(facts, state), ActInputs())


def blocked_acts(
    state: CaseState, facts: CaseFacts, table: Mapping[tuple[CaseState, Act], Row] = TABLE
) -> list[tuple[Act, Guard]]:
    """Acts of `state` that a fact guard holds back now, each with the first guard that fails,
    so the UI can say why an act is not offered (e.g. forwarding before measures are decided)."""
    return kernel.blocked(table, Act, state, _in_state(facts, state), ActInputs())


def plan_act(
    facts: CaseFacts,
    act: Act,
    inputs: ActInputs,
    table: Mapping[tuple[CaseState, Act], Row] = TABLE,
) -> Transition:
    """Check `act` against the table and return what it does, or raise TransitionRefused."""
    refused = f"'{act}' is not allowed in state '{facts.state}'."
    row = kernel.find_row(table, facts.state, act, facts, inputs, refused=refused)

    protection = facts.protection_requested
    target = row.target_if_protection if protection and row.target_if_protection else row.target
    opens = row.opens | (row.opens_if_protection if protection else frozenset())
    closes = row.closes | (row.closes_if_protection if protection else frozenset())
    effects = row.effects(facts, inputs) if row.effects else Effects()
    return Transition(
        act=act,
        from_state=facts.state,
        to_state=target,
        opens=tuple(sorted(opens)),
        closes=tuple(sorted(closes)),
        forwardings=row.forwardings + effects.forwardings,
        complainant_visible=row.complainant_visible or effects.complainant_visible,
        archives_measures=row.archives_measures,
        data=effects.data,
    )


# --- registration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """What happens automatically when a complaint is filed."""

    opens: tuple[DeadlineKind, ...]
    forwardings: tuple[PlannedForwarding, ...]
    next_act: Act


def plan_registration(
    *, protection_requested: bool, reserve_only: bool, facts_missing: bool = False
) -> Registration:
    """Clocks, automatic copies and the automatic act for a new filing (RG 4.1-4.4, 5.1, 6)."""
    if reserve_only:
        # RG 4.2: straight to the STPAD; the reserve is in force at once, and the complainant
        # is told within 7 business days (RG 5.1).
        return Registration(
            opens=(DeadlineKind.NOTIFY_MEASURES,),
            forwardings=(),  # the FORWARD_RESERVE_ONLY act creates the STPAD forwarding
            next_act=Act.FORWARD_RESERVE_ONLY,
        )
    if not protection_requested:
        return Registration(
            opens=(DeadlineKind.VERIFY_REQUIREMENTS,),
            forwardings=(),
            next_act=Act.BEGIN_VERIFICATION,
        )
    copies: tuple[PlannedForwarding, ...] = ()
    if not facts_missing:
        copies = (
            PlannedForwarding(Destination.OCI, is_copy=True),
            PlannedForwarding(Destination.PROCURADURIA, is_copy=True),
        )
    return Registration(
        opens=tuple(
            sorted(
                {
                    DeadlineKind.VERIFY_REQUIREMENTS,
                    DeadlineKind.NOTIFY_MEASURES,
                    DeadlineKind.GRANT_LIMIT,
                }
            )
        ),
        forwardings=copies,
        next_act=Act.BEGIN_VERIFICATION,
    )

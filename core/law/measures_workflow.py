"""The protection-measure lifecycle as an explicit transition table (docs/workflow.md).

Pure: no database, no Flask. `plan_measure_act` checks a proposed act against `TABLE`;
`core.services.measures` applies the result. Acts that need the head role declare the capability
`DECIDE_MEASURES`; the service checks it against the officer.

Why one module over 450 lines: like core.law.workflow it is one state table. A measure act is
a `MeasureAct`, its guards and its `MRow` in `TABLE`, read and changed together; the
catalogue sets above the table (labour, HR-executed, PAD-bound measures) are what the guards
test. The kernel that runs it is core.law.kernel.

Decisions on ambiguous points (for docs/):

- Identity reserve requested for the complainant or a witness is in force at once (RG 5.2):
  `request` goes straight to `vigente`. Extending any measure to a third person (DL 10; RG 8)
  needs an HR feasibility report, identity reserve included.
- Measures executed by HR (transfers, contract renewal, paid leave, attendance exemption) need
  the HR feasibility report before they are granted (RG 5.2, 5.3). Procurement removal, bidder
  guarantee and "other" do not, but may ask for one [INF].
- Granting needs trascendencia, gravedad and verosimilitud assessed (RG 7.1: weighed, not each
  required to hold [INF]); labour measures also need the subordination relationship to hold
  (RG 7.2). An unfavourable HR report does not block a grant: it informs it [INF].
- Variation and suspension open the 5-business-day alegaciones clock and
  the decision clock (10 days after alegaciones end) in the same act (RG 9, RG 11). The decision
  is refused while the alegaciones period is open, unless the alegaciones were already received.
  A decision that does not uphold the intended change returns the measure to `vigente`.
- Bad faith is a procedure on the complaint and the person (core.law.bad_faith), one per person,
  whether or not a measure is in force; upheld, it excludes every measure of the person through
  `exclude_for_bad_faith` (DL 14). A measure left in the old per-measure procedure
  (`en_cese_mala_fe`) can still record alegaciones and be decided.
- `cease` (danger extinguished, end of the PAD) applies to any active measure, but not during a
  bad-faith procedure, which must be decided first so its consequences are not bypassed [INF].
- A suspension decided can be lifted by the head: the measure is in force again (DL 12.1) [INF].
- Apartamiento from a procurement is granted only when DL 9.3's three conditions hold
  (reasonable indications, decisive post, risk of retaliation), recorded with the criteria.
- Transfers, paid leave and attendance exemption are granted only while the PAD lasts (RG 6.2):
  once its end is recorded (core.services.obligations) they cannot be granted.
- Archiving by desistimiento (DL 8.1) applies to undecided requests only: an identity reserve
  already in force stays in force (DL 6.1; RG 3.2 presumes the reserve) [INF].
- Notifying the complainant applies to granted, in-force and denied measures, once each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from core.law import kernel
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import Role
from core.law.workflow import PlannedForwarding


class MeasureAct(StrEnum):
    REQUEST = "request"
    REQUEST_HR_REPORT = "request_hr_report"
    RECORD_HR_REPORT = "record_hr_report"
    GRANT = "grant"
    DENY = "deny"
    NOTIFY_COMPLAINANT = "notify_complainant"
    ENTER_INTO_FORCE = "enter_into_force"
    START_VARIATION = "start_variation"
    START_SUSPENSION = "start_suspension"
    START_BAD_FAITH_CESSATION = "start_bad_faith_cessation"
    RECORD_ALEGACIONES = "record_alegaciones"
    DECIDE_VARIATION = "decide_variation"
    DECIDE_SUSPENSION = "decide_suspension"
    DECIDE_CESSATION = "decide_cessation"
    LIFT_SUSPENSION = "lift_suspension"
    EXCLUDE_FOR_BAD_FAITH = "exclude_for_bad_faith"
    CEASE = "cease"
    ARCHIVE = "archive"


class Capability(StrEnum):
    DECIDE_MEASURES = "decide_measures"  # grant, deny, vary, suspend, exclude, cease


ROLE_CAPABILITIES: Mapping[Role, frozenset[Capability]] = MappingProxyType(
    {
        Role.HEAD: frozenset({Capability.DECIDE_MEASURES}),
        # RG 4.9: in a complaint against the OII the titular takes the head's place.
        Role.TITULAR: frozenset({Capability.DECIDE_MEASURES}),
        Role.OFFICER: frozenset(),
        Role.AUDITOR: frozenset(),
        Role.ADMIN: frozenset(),
    }
)


class CeaseGround(StrEnum):
    DANGER_EXTINGUISHED = "peligro_extinguido"  # DL 10
    PAD_ENDED = "fin_pad"  # RG 6.2, last paragraph
    OTHER = "otro"


class Criterion(StrEnum):
    """RG 7."""

    TRASCENDENCIA = "trascendencia"
    GRAVEDAD = "gravedad"
    VEROSIMILITUD = "verosimilitud"
    SUBORDINACION = "subordinacion"  # labour measures only (RG 7.2)
    # Apartamiento from a procurement (DL 9.3; RG 6.3) needs all three:
    INDICIOS_RAZONABLES = "indicios_razonables"  # (a) enough reasonable indications
    CARGO_DETERMINANTE = "cargo_determinante"  # (b) the post decides the selection/contract
    RIESGO_REPRESALIA = "riesgo_represalia"  # (c) knows of the complaint, may retaliate


APARTAMIENTO_CONDITIONS = frozenset(
    {Criterion.INDICIOS_RAZONABLES, Criterion.CARGO_DETERMINANTE, Criterion.RIESGO_REPRESALIA}
)


BASE_CRITERIA = frozenset({Criterion.TRASCENDENCIA, Criterion.GRAVEDAD, Criterion.VEROSIMILITUD})

LABOUR_MEASURES = frozenset(
    {
        MeasureType.TRANSFER_COMPLAINANT,
        MeasureType.TRANSFER_REPORTED,
        MeasureType.CONTRACT_RENEWAL,
        MeasureType.PAID_LEAVE_REPORTED,
        MeasureType.ATTENDANCE_EXEMPTION_REPORTED,
    }
)
HR_EXECUTED_MEASURES = LABOUR_MEASURES
# Granted only while the PAD lasts, and ended with it (RG 6.2, last paragraph).
PAD_BOUND_MEASURES = frozenset(
    {
        MeasureType.TRANSFER_COMPLAINANT,
        MeasureType.TRANSFER_REPORTED,
        MeasureType.PAID_LEAVE_REPORTED,
        MeasureType.ATTENDANCE_EXEMPTION_REPORTED,
    }
)

ACTIVE_STATES = frozenset(
    {
        MeasureState.GRANTED,
        MeasureState.IN_FORCE,
        MeasureState.VARIED,
        MeasureState.SUSPENDED,
        MeasureState.VARIATION,
        MeasureState.SUSPENSION,
    }
)
UNDECIDED_STATES = frozenset({MeasureState.REQUESTED, MeasureState.HR_FEASIBILITY})


def needs_hr_report(measure_type: MeasureType, beneficiary: Beneficiary) -> bool:
    """RG 5.2-5.3 for HR-executed measures; DL 10 / RG 8 for third persons."""
    return measure_type in HR_EXECUTED_MEASURES or beneficiary is Beneficiary.THIRD_PARTY


def in_force_on_request(measure_type: MeasureType, beneficiary: Beneficiary) -> bool:
    """Identity reserve applies immediately, without feasibility (RG 5.2)."""
    return measure_type is MeasureType.IDENTITY_RESERVE and beneficiary is not (
        Beneficiary.THIRD_PARTY
    )


@dataclass(frozen=True)
class MeasureFacts:
    state: MeasureState | None  # None: not requested yet
    measure_type: MeasureType
    beneficiary: Beneficiary = Beneficiary.COMPLAINANT
    today: dt.date = dt.date.min
    hr_report_recorded: bool = False
    notified: bool = False
    alegaciones_due: dt.date | None = None
    alegaciones_received: bool = False
    # A bad-faith procedure on the complaint and the person is open / was upheld (DL 14; RG 11).
    bad_faith_pending: bool = False
    bad_faith_upheld: bool = False
    pad_ended: bool = False  # the PAD's end is recorded (RG 6.2)


@dataclass(frozen=True)
class MeasureInputs:
    reasoning: str = ""
    criteria: Mapping[Criterion, bool] = field(default_factory=dict)
    hr_feasible: bool | None = None
    bad_faith_type: BadFaithType | None = None
    upheld: bool = True
    cease_ground: CeaseGround | None = None


@dataclass(frozen=True)
class MeasureTransition:
    act: MeasureAct
    from_state: MeasureState | None
    to_state: MeasureState
    opens: tuple[DeadlineKind, ...] = ()
    closes: tuple[DeadlineKind, ...] = ()
    forwardings: tuple[PlannedForwarding, ...] = ()
    complainant_visible: bool = False
    capability: Capability | None = None
    decides: bool = False  # the request is now granted or denied (GRANT_LIMIT, EVALUATE)
    notifies: bool = False  # the complainant was told (NOTIFY_MEASURES, RG 5.1)
    data: dict[str, Any] = field(default_factory=dict)


# A condition on a measure with the error code returned when it fails (core.law.kernel).
MGuard = kernel.Guard[MeasureFacts, MeasureInputs]


@dataclass(frozen=True)
class MRow(kernel.Row[MeasureFacts, MeasureInputs]):
    """One entry of the table (its guards: `fact_guards`, `input_guards`)."""

    target: MeasureState
    # Alternative target when the act's condition says so (see `_target`).
    alt_target: MeasureState | None = None
    opens: frozenset[DeadlineKind] = frozenset()
    closes: frozenset[DeadlineKind] = frozenset()
    forwardings_if_upheld: tuple[PlannedForwarding, ...] = ()
    complainant_visible: bool = False
    capability: Capability | None = None
    decides: bool = False
    notifies: bool = False


# --- guards ----------------------------------------------------------------------------------

NOT_YET_NOTIFIED = MGuard(
    "already_notified", "The complainant was already notified.", lambda f, i: not f.notified
)
HR_REPORT_NOT_RECORDED = MGuard(
    "hr_report_already_recorded",
    "The HR feasibility report is already recorded.",
    lambda f, i: not f.hr_report_recorded,
)
HR_REPORT_IF_NEEDED = MGuard(
    "hr_report_required",
    "This measure needs the HR feasibility report first (RG 5.2; DL 10).",
    lambda f, i: f.hr_report_recorded or not needs_hr_report(f.measure_type, f.beneficiary),
)
ALEGACIONES_OVER = MGuard(
    "alegaciones_period_open",
    "Decide only after the alegaciones period ends or the alegaciones are received (RG 9, 11).",
    lambda f, i: (
        f.alegaciones_received or (f.alegaciones_due is not None and f.today > f.alegaciones_due)
    ),
)
ALEGACIONES_NOT_RECORDED = MGuard(
    "alegaciones_already_recorded",
    "The alegaciones are already recorded.",
    lambda f, i: not f.alegaciones_received,
)
HR_RESULT_GIVEN = MGuard(
    "hr_result_required",
    "Record whether HR found the measure feasible.",
    lambda f, i: i.hr_feasible is not None,
)
CRITERIA_ASSESSED = MGuard(
    "criteria_required",
    "Assess trascendencia, gravedad and verosimilitud (RG 7.1).",
    lambda f, i: set(i.criteria) >= BASE_CRITERIA,
)
SUBORDINATION_HOLDS = MGuard(
    "subordination_required",
    "Labour measures need a relationship of subordination or hierarchy (RG 7.2).",
    lambda f, i: (
        f.measure_type not in LABOUR_MEASURES or i.criteria.get(Criterion.SUBORDINACION) is True
    ),
)
APARTAMIENTO_CONDITIONS_HOLD = MGuard(
    "apartamiento_conditions_required",
    "Apartamiento needs reasonable indications, a decisive post and a risk of retaliation "
    "(DL 9.3; RG 6.3).",
    lambda f, i: (
        f.measure_type is not MeasureType.PROCUREMENT_REMOVAL
        or all(i.criteria.get(c) is True for c in APARTAMIENTO_CONDITIONS)
    ),
)
PAD_NOT_ENDED = MGuard(
    "pad_ended",
    "Transfers, paid leave and attendance exemption last only while the PAD lasts (RG 6.2).",
    lambda f, i: f.measure_type not in PAD_BOUND_MEASURES or not f.pad_ended,
)
NO_BAD_FAITH_PENDING = MGuard(
    "bad_faith_pending",
    "A bad-faith procedure is open: decide it first (DL 14; RG 11).",
    lambda f, i: not f.bad_faith_pending,
)
BAD_FAITH_UPHELD = MGuard(
    "bad_faith_not_upheld",
    "Only a decision upholding bad faith excludes the measures (DL 14; RG 11).",
    lambda f, i: f.bad_faith_upheld,
)
CEASE_GROUND_GIVEN = MGuard(
    "cease_ground_required",
    "Give the ground for ceasing the measure (danger extinguished, end of the PAD...).",
    lambda f, i: i.cease_ground is not None,
)
# --- the table ---------------------------------------------------------------------------------

_M = MeasureState
_A = MeasureAct
_D = DeadlineKind
_DECIDE = Capability.DECIDE_MEASURES
_PROCEDURE_CLOCKS = frozenset({_D.ALEGACIONES, _D.DECISION})
_EXCLUSION_FORWARDINGS = (
    PlannedForwarding(Destination.PROCURADURIA),
    PlannedForwarding(Destination.STPAD),
)


def _rows(
    states: tuple[MeasureState | None, ...], act: MeasureAct, row: MRow
) -> dict[tuple[MeasureState | None, MeasureAct], MRow]:
    return {(state, act): row for state in states}


_grant = MRow(
    target=_M.GRANTED,
    closes=frozenset({_D.HR_FEASIBILITY}),
    capability=_DECIDE,
    input_guards=(CRITERIA_ASSESSED, SUBORDINATION_HOLDS, APARTAMIENTO_CONDITIONS_HOLD),
    fact_guards=(HR_REPORT_IF_NEEDED, PAD_NOT_ENDED),
    decides=True,
)
_deny = MRow(
    target=_M.DENIED,
    closes=frozenset({_D.HR_FEASIBILITY}),
    capability=_DECIDE,
    decides=True,
)
_notify = MRow(
    target=_M.GRANTED,  # self-loop: `_target` keeps the current state
    complainant_visible=True,
    fact_guards=(NOT_YET_NOTIFIED,),
    notifies=True,
)
_start = MRow(
    target=_M.VARIATION, opens=_PROCEDURE_CLOCKS, complainant_visible=True
)  # target replaced per act below
_record_alegaciones = MRow(
    target=_M.VARIATION, closes=frozenset({_D.ALEGACIONES}), fact_guards=(ALEGACIONES_NOT_RECORDED,)
)
_IN_FORCE_LIKE = (_M.IN_FORCE, _M.VARIED)
_PROCEDURES = (_M.VARIATION, _M.SUSPENSION, _M.BAD_FAITH_CESSATION)

TABLE: MappingProxyType[tuple[MeasureState | None, MeasureAct], MRow] = MappingProxyType(
    {
        (None, _A.REQUEST): MRow(target=_M.REQUESTED, alt_target=_M.IN_FORCE),
        (_M.REQUESTED, _A.REQUEST_HR_REPORT): MRow(
            target=_M.HR_FEASIBILITY, opens=frozenset({_D.HR_FEASIBILITY})
        ),
        (_M.HR_FEASIBILITY, _A.RECORD_HR_REPORT): MRow(
            target=_M.HR_FEASIBILITY,
            closes=frozenset({_D.HR_FEASIBILITY}),
            fact_guards=(HR_REPORT_NOT_RECORDED,),
            input_guards=(HR_RESULT_GIVEN,),
        ),
        **_rows((_M.REQUESTED, _M.HR_FEASIBILITY), _A.GRANT, _grant),
        **_rows((_M.REQUESTED, _M.HR_FEASIBILITY), _A.DENY, _deny),
        **_rows((_M.GRANTED, _M.IN_FORCE, _M.VARIED, _M.DENIED), _A.NOTIFY_COMPLAINANT, _notify),
        (_M.GRANTED, _A.ENTER_INTO_FORCE): MRow(target=_M.IN_FORCE),
        **_rows(_IN_FORCE_LIKE, _A.START_VARIATION, replace(_start, target=_M.VARIATION)),
        **_rows(_IN_FORCE_LIKE, _A.START_SUSPENSION, replace(_start, target=_M.SUSPENSION)),
        # Bad faith is a procedure on the complaint and the person (core.law.bad_faith), not
        # on one measure: START_BAD_FAITH_CESSATION has no row any more. The rows below let a
        # measure already in the old per-measure procedure (`en_cese_mala_fe`) finish it.
        **{
            (state, _A.RECORD_ALEGACIONES): replace(_record_alegaciones, target=state)
            for state in _PROCEDURES
        },
        (_M.VARIATION, _A.DECIDE_VARIATION): MRow(
            target=_M.VARIED,
            alt_target=_M.IN_FORCE,
            closes=_PROCEDURE_CLOCKS,
            complainant_visible=True,
            capability=_DECIDE,
            fact_guards=(ALEGACIONES_OVER,),
        ),
        (_M.SUSPENSION, _A.DECIDE_SUSPENSION): MRow(
            target=_M.SUSPENDED,
            alt_target=_M.IN_FORCE,
            closes=_PROCEDURE_CLOCKS,
            complainant_visible=True,
            capability=_DECIDE,
            fact_guards=(ALEGACIONES_OVER,),
        ),
        (_M.BAD_FAITH_CESSATION, _A.DECIDE_CESSATION): MRow(
            target=_M.EXCLUDED,
            alt_target=_M.IN_FORCE,
            closes=_PROCEDURE_CLOCKS,
            forwardings_if_upheld=_EXCLUSION_FORWARDINGS,
            complainant_visible=True,
            capability=_DECIDE,
            fact_guards=(ALEGACIONES_OVER,),
        ),
        # RG 9: a suspension decided is lifted by a reasoned decision; the measure is in force
        # again [INF] (DL 12.1 allows varying or suspending, so also ending the suspension).
        (_M.SUSPENDED, _A.LIFT_SUSPENSION): MRow(
            target=_M.IN_FORCE, complainant_visible=True, capability=_DECIDE
        ),
        **_rows(
            tuple(sorted(ACTIVE_STATES)),
            _A.CEASE,
            MRow(
                target=_M.CEASED,
                closes=_PROCEDURE_CLOCKS,
                complainant_visible=True,
                capability=_DECIDE,
                fact_guards=(NO_BAD_FAITH_PENDING,),
                input_guards=(CEASE_GROUND_GIVEN,),
            ),
        ),
        # DL 14: bad faith upheld (core.services.badfaith) excludes the person at once from
        # every measure, decided or not; every clock of the measure stops.
        **_rows(
            tuple(sorted(ACTIVE_STATES | UNDECIDED_STATES | {_M.BAD_FAITH_CESSATION})),
            _A.EXCLUDE_FOR_BAD_FAITH,
            MRow(
                target=_M.EXCLUDED,
                closes=frozenset(_D) - {_D.VERIFY_REQUIREMENTS, _D.SUBSANACION},
                complainant_visible=True,
                capability=_DECIDE,
                fact_guards=(BAD_FAITH_UPHELD,),
            ),
        ),
        **_rows(
            (_M.REQUESTED, _M.HR_FEASIBILITY),
            _A.ARCHIVE,
            MRow(target=_M.ARCHIVED, closes=frozenset({_D.HR_FEASIBILITY})),
        ),
    }
)

_SELF_LOOPS = frozenset({_A.NOTIFY_COMPLAINANT, _A.RECORD_HR_REPORT, _A.RECORD_ALEGACIONES})
_DECISIONS = frozenset({_A.DECIDE_VARIATION, _A.DECIDE_SUSPENSION, _A.DECIDE_CESSATION})


def _target(row: MRow, facts: MeasureFacts, act: MeasureAct, inputs: MeasureInputs) -> MeasureState:
    if act in _SELF_LOOPS and facts.state is not None:
        return facts.state
    if act is MeasureAct.REQUEST and in_force_on_request(facts.measure_type, facts.beneficiary):
        assert row.alt_target is not None
        return row.alt_target
    if act in _DECISIONS and not inputs.upheld:
        assert row.alt_target is not None
        return row.alt_target
    return row.target


def allowed_measure_acts(
    state: MeasureState | None,
    facts: MeasureFacts,
    table: Mapping[tuple[MeasureState | None, MeasureAct], MRow] = TABLE,
) -> list[MeasureAct]:
    """Acts the UI may offer for a measure in `state` (capability not considered)."""
    facts_in_state = facts if facts.state is state else replace(facts, state=state)
    return kernel.allowed(table, MeasureAct, state, facts_in_state, MeasureInputs())


def plan_measure_act(
    facts: MeasureFacts,
    act: MeasureAct,
    inputs: MeasureInputs,
    table: Mapping[tuple[MeasureState | None, MeasureAct], MRow] = TABLE,
) -> MeasureTransition:
    """Check `act` against the table; return what it does or raise TransitionRefused."""
    state = facts.state.value if facts.state is not None else "(none)"
    refused = f"'{act}' is not allowed for a measure in state '{state}'."
    row = kernel.find_row(table, facts.state, act, facts, inputs, refused=refused)

    upheld = inputs.upheld if act in _DECISIONS else True
    data: dict[str, Any] = {"measure_type": facts.measure_type.value}
    if act in _DECISIONS:
        data["upheld"] = upheld
    if act is MeasureAct.GRANT:
        data["criteria"] = {str(k): v for k, v in sorted(inputs.criteria.items())}
    if act is MeasureAct.RECORD_HR_REPORT:
        data["hr_feasible"] = inputs.hr_feasible
    if act is MeasureAct.CEASE and inputs.cease_ground is not None:
        data["cease_ground"] = inputs.cease_ground.value
    return MeasureTransition(
        act=act,
        from_state=facts.state,
        to_state=_target(row, facts, act, inputs),
        opens=tuple(sorted(row.opens)),
        closes=tuple(sorted(row.closes)),
        forwardings=row.forwardings_if_upheld if upheld else (),
        complainant_visible=row.complainant_visible,
        capability=row.capability,
        decides=row.decides,
        notifies=row.notifies,
        data=data,
    )

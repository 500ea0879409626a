"""Bad faith as a procedure on the complaint and the person (DL 14; RG 2.1.3, RG 11).

Pure: no database. `plan_bad_faith_act` checks an act against `TABLE`;
`core.services.badfaith` applies it.

- The OII evaluates whether a complaint was filed in bad faith (RG 2.1.3), whether or not a
  measure is in force: the procedure belongs to the complaint and the person who filed it, not
  to a measure. At most one is open per person; measures requested or granted while it runs
  are still decided on their own merits [INF].
- Only the complainant can be the subject: the four kinds of bad faith (DL 4.5) are ways of
  filing a complaint [INF].
- RG 11: (1) notice of the intent, with its grounds, visible to the complainant; (2) 5 business
  days of alegaciones; (3) a reasoned decision within 10 days after them (business days,
  LPAG [INF], as for RG 9); the decision is refused while the alegaciones period is open
  unless they were received. (4) Upheld: the file goes to the Procuraduría and the STPAD
  (RG 11.4) and the person is excluded at once from every measure (DL 14), decided or not, of
  them or extended on their account to a third person [INF]; a witness's measures stay.
- Not upheld: nothing changes; the person may be subject to a new procedure on new facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from core.errors import TransitionRefused
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.workflow import MAX_REASONING
from core.law.workflow import PlannedForwarding


class BadFaithAct(StrEnum):
    START = "start"
    RECORD_ALEGACIONES = "record_alegaciones"
    DECIDE = "decide"


class ProcedureStage(StrEnum):
    NONE = "none"  # no open procedure for the person
    ALEGACIONES = "alegaciones"  # open: notice given


@dataclass(frozen=True)
class BadFaithFacts:
    stage: ProcedureStage
    person: Beneficiary = Beneficiary.COMPLAINANT
    today: dt.date = dt.date.min
    alegaciones_due: dt.date | None = None
    alegaciones_received: bool = False
    legacy_measure_procedure: bool = False  # a measure is in the old per-measure procedure


@dataclass(frozen=True)
class BadFaithInputs:
    reasoning: str = ""
    bad_faith_type: BadFaithType | None = None
    upheld: bool | None = None


@dataclass(frozen=True)
class BadFaithTransition:
    act: BadFaithAct
    opens: tuple[DeadlineKind, ...] = ()
    closes: tuple[DeadlineKind, ...] = ()
    forwardings: tuple[PlannedForwarding, ...] = ()
    excludes_measures: bool = False
    complainant_visible: bool = False
    decides_capability: bool = False  # head only (core.law.measures_workflow.Capability)
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Row:
    opens: frozenset[DeadlineKind] = frozenset()
    closes: frozenset[DeadlineKind] = frozenset()
    complainant_visible: bool = False
    head_only: bool = False


_D = DeadlineKind
_CLOCKS = frozenset({_D.ALEGACIONES, _D.DECISION})
TABLE = MappingProxyType(
    {
        (ProcedureStage.NONE, BadFaithAct.START): _Row(opens=_CLOCKS, complainant_visible=True),
        (ProcedureStage.ALEGACIONES, BadFaithAct.RECORD_ALEGACIONES): _Row(
            closes=frozenset({_D.ALEGACIONES})
        ),
        (ProcedureStage.ALEGACIONES, BadFaithAct.DECIDE): _Row(
            closes=_CLOCKS, complainant_visible=True, head_only=True
        ),
    }
)
# RG 11.4: the file goes to the Procurador Público and the Secretaría Técnica.
EXCLUSION_FORWARDINGS = (
    PlannedForwarding(Destination.PROCURADURIA),
    PlannedForwarding(Destination.STPAD),
)


def _refuse(code: str, message: str) -> TransitionRefused:
    return TransitionRefused(code, message)


def plan_bad_faith_act(
    facts: BadFaithFacts, act: BadFaithAct, inputs: BadFaithInputs
) -> BadFaithTransition:
    """Check `act`; return what it does, or raise TransitionRefused."""
    row = TABLE.get((facts.stage, act))
    if row is None:
        if act is BadFaithAct.START:
            raise _refuse(
                "bad_faith_already_open",
                "A bad-faith procedure on this person is already open (one per person).",
            )
        raise _refuse("no_bad_faith_procedure", "There is no open bad-faith procedure.")
    if not inputs.reasoning.strip():
        raise _refuse("reasoning_required", "Every act needs its reasoning.")
    if len(inputs.reasoning) > MAX_REASONING:
        raise _refuse("reasoning_too_long", "The reasoning is too long.")
    data: dict[str, Any] = {}
    if act is BadFaithAct.START:
        if facts.person is not Beneficiary.COMPLAINANT:
            raise _refuse(
                "bad_faith_person", "Bad faith concerns the person who filed (DL 4.5, DL 14)."
            )
        if facts.legacy_measure_procedure:
            raise _refuse(
                "bad_faith_already_open",
                "A bad-faith procedure on a measure of this person is already open.",
            )
        if inputs.bad_faith_type is None:
            raise _refuse("bad_faith_type_required", "Name the kind of bad faith (DL 4.5).")
        data["bad_faith_type"] = inputs.bad_faith_type.value
    if act is BadFaithAct.RECORD_ALEGACIONES and facts.alegaciones_received:
        raise _refuse("alegaciones_already_recorded", "The alegaciones are already recorded.")
    upheld = False
    if act is BadFaithAct.DECIDE:
        over = facts.alegaciones_received or (
            facts.alegaciones_due is not None and facts.today > facts.alegaciones_due
        )
        if not over:
            raise _refuse(
                "alegaciones_period_open",
                "Decide only after the alegaciones period ends or the alegaciones are "
                "received (RG 11).",
            )
        if inputs.upheld is None:
            raise _refuse("upheld_required", "Say whether bad faith is established.")
        upheld = inputs.upheld
        data["upheld"] = upheld
    return BadFaithTransition(
        act=act,
        opens=tuple(sorted(row.opens)),
        closes=tuple(sorted(row.closes)),
        forwardings=EXCLUSION_FORWARDINGS if upheld else (),
        excludes_measures=upheld,
        complainant_visible=row.complainant_visible,
        decides_capability=row.head_only,
        data=data,
    )

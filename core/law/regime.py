"""The legal regime a complaint is handled under, fixed when it is filed (docs/workflow.md).

A `Regime` bundles everything a reform of the integrity rules can change: the deadline rules
(`core.law.rules`), the complaint transition table (`core.law.workflow`), the protection-measure
table (`core.law.measures_workflow`), the requirement items of DL art. 7.1 and the catalogue of
protection measures. Regimes are versioned by the day they take effect.

Transitional rule. A case keeps the regime in force on its filing day for every act and every
clock opened later, also after a reform takes effect: the procedure goes on under the rules it
began with [INF] (legal certainty and non-retroactivity; docs/workflow.md gives the basis). The
regime's id is stored on the case (`Case.regime`). A reform whose own transitional provisions
say otherwise declares it here: `applies_to_pending` makes it govern, from its entry into force,
the acts and clocks of cases filed earlier (clocks already running keep their due date).

Pure: no database, no Flask, no clock. A reform is one more `Regime` in `REGIMES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass

from core.errors import DomainError
from core.law import measures_workflow
from core.law import workflow
from core.law.enums import CaseState
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.measures_workflow import MeasureAct
from core.law.measures_workflow import MRow
from core.law.rules import DS_002_2020_JUS
from core.law.rules import RuleSet
from core.law.workflow import Act
from core.law.workflow import RequirementItem
from core.law.workflow import Row


class NoRegime(DomainError):
    """No regime covers the day, or a case names a regime this version does not know."""

    code = "no_regime"


@dataclass(frozen=True)
class Regime:
    """One version of the rules a complaint is handled under."""

    id: str
    effective_from: dt.date
    source: str
    rules: RuleSet
    case_table: Mapping[tuple[CaseState, Act], Row]
    measure_table: Mapping[tuple[MeasureState | None, MeasureAct], MRow]
    requirement_items: frozenset[RequirementItem]
    measure_types: tuple[MeasureType, ...]
    # Transitional provision of the reform itself: from `effective_from` it also governs the
    # cases filed before it (default: it governs only the cases filed while it is in force).
    applies_to_pending: bool = False


DS_002_2020_JUS_REGIME = Regime(
    id=DS_002_2020_JUS.version,
    effective_from=DS_002_2020_JUS.effective_from,
    source=DS_002_2020_JUS.source,
    rules=DS_002_2020_JUS,
    case_table=workflow.TABLE,
    measure_table=measures_workflow.TABLE,
    requirement_items=frozenset(RequirementItem),
    measure_types=tuple(MeasureType),
)

# Oldest first. A reform adds its Regime here (tests register fictitious ones by replacing this).
REGIMES: tuple[Regime, ...] = (DS_002_2020_JUS_REGIME,)


def _registered(regimes: Iterable[Regime] | None) -> tuple[Regime, ...]:
    return tuple(REGIMES if regimes is None else regimes)


def regime_in_force(day: dt.date, regimes: Iterable[Regime] | None = None) -> Regime:
    """The latest regime whose effective date is not after `day`."""
    candidates = [r for r in _registered(regimes) if r.effective_from <= day]
    if not candidates:
        raise NoRegime(f"no regime in force on {day.isoformat()}")
    return max(candidates, key=lambda r: r.effective_from)


def regime_at_filing(filing_day: dt.date, regimes: Iterable[Regime] | None = None) -> Regime:
    """The regime stored on a case filed (received) on `filing_day`."""
    return regime_in_force(filing_day, regimes)


def regime_by_id(regime_id: str, regimes: Iterable[Regime] | None = None) -> Regime:
    for regime in _registered(regimes):
        if regime.id == regime_id:
            return regime
    raise NoRegime(f"unknown regime {regime_id!r}")


def regime_of_case(
    case_regime: str, day: dt.date, regimes: Iterable[Regime] | None = None
) -> Regime:
    """The regime an act recorded on `day` follows, for a case filed under `case_regime`.

    The case's own regime, unless a later regime in force on `day` applies to pending cases
    by its own transitional provision (then the latest such one).
    """
    registered = _registered(regimes)
    own = regime_by_id(case_regime, registered)
    takeovers = [
        r
        for r in registered
        if r.applies_to_pending and own.effective_from < r.effective_from <= day
    ]
    return max(takeovers, key=lambda r: r.effective_from) if takeovers else own

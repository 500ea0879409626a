"""Statutory deadline rules as versioned data (docs/workflow.md).

The law changes (a unified SIP regime is announced), so every rule set names its source and
the day it took effect. A rule set belongs to a regime (`core.law.regime`), and a case follows
the rules of the regime fixed at its filing, whenever a clock opens; a deadline row records the
regime that computed it. `rules_for` answers only which rule set was in force on a day.

Trigger days. Every clock is counted from a trigger day with `BusinessCalendar.add_business_days`,
which already starts counting the day AFTER the trigger (LPAG). What the trigger is for each
rule is written in `Rule.counted_from`:

- "filing": the day the complaint was received.
- "act": the day the act that opens the clock is recorded (verification, HR request, notice of
  an intended variation/cessation, receipt of a subsanación).
- "notification": the day the complainant is notified (subsanación request).
- "alegaciones_end": the last day of the alegaciones period opened in the same act.

Decisions on ambiguous points (for docs/):

- GRANT_LIMIT, "15 business days counted from the day after filing" (RG 6): under the LPAG a
  period "counted from the day after" makes that day day 1 (if a business day). That is exactly
  `add_business_days(filing, 15)`. `add_business_days(filing + 1 day, 15)` would skip the day
  after filing and give the 16th business day, one day late; we do not do that.
- NOTIFY_MEASURES, "7 business days from filing or from the end of the subsanación period"
  (RG 5.1): opened from filing; when a subsanación is received the clock is reopened from the
  day of receipt ([INF] the period ends when the complainant completes it; counting from the
  receipt is the earlier, safer date for the office).
- SUBSANACION is the complainant's clock. A notification on a non-business day is deemed made
  on the next business day ([INF] the complainant-favourable reading; `rolls_to_business_day`).
  Office clocks never roll: a filing on a Saturday makes Monday day 1 (the earlier, safer date
  for the office).
- DECISION, "10 días" after the alegaciones period (RG 9, RG 11): the text does not say
  business days; [INF] the LPAG counts administrative periods in business days by default.
- A calendar-day rule (`business=False`) whose last day is not a business day ends on the
  next business day (TUO LPAG art. 145.3); [INF] the same roll for every calendar-day term.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from core.errors import DomainError
from core.law.calendar import BusinessCalendar
from core.law.enums import DeadlineKind

COUNTED_FROM = frozenset({"filing", "act", "notification", "alegaciones_end"})


class NoRuleSetInForce(DomainError):
    """No deadline rule set covers the given day."""

    code = "no_rule_set_in_force"


@dataclass(frozen=True)
class Rule:
    """One clock: `days` (business or calendar) counted from the trigger named by `counted_from`."""

    days: int
    business: bool
    counted_from: str
    party: str = "office"  # whose clock: "office" or "complainant"
    rolls_to_business_day: bool = False  # a trigger on a non-business day moves forward
    source: str = ""

    def __post_init__(self) -> None:
        if self.counted_from not in COUNTED_FROM:
            raise ValueError(f"unknown trigger {self.counted_from!r}")
        if self.days < 0:
            raise ValueError("a rule cannot count backwards")


@dataclass(frozen=True)
class RuleSet:
    """The rules in force from `effective_from` until a later set takes over."""

    version: str
    effective_from: dt.date
    source: str
    rules: Mapping[DeadlineKind, Rule]

    def rule(self, kind: DeadlineKind) -> Rule:
        try:
            return self.rules[kind]
        except KeyError:
            raise NoRuleSetInForce(f"rule set {self.version} has no rule for {kind}") from None


DS_002_2020_JUS = RuleSet(
    version="DS-002-2020-JUS",
    # Published in El Peruano on 5 Feb 2020; in force the day after (Constitution art. 109) [INF].
    effective_from=dt.date(2020, 2, 6),
    source="D.Leg. 1327; D.S. 010-2017-JUS as amended by D.S. 002-2020-JUS",
    rules=MappingProxyType(
        {
            DeadlineKind.VERIFY_REQUIREMENTS: Rule(2, True, "filing", source="RG 4.4"),
            DeadlineKind.SUBSANACION: Rule(
                3,
                True,
                "notification",
                party="complainant",
                rolls_to_business_day=True,
                source="RG 4.4",
            ),
            DeadlineKind.EVALUATE_MEASURES: Rule(5, True, "act", source="RG 4.7"),
            DeadlineKind.HR_FEASIBILITY: Rule(3, True, "act", source="RG 5.2; DL 11.1"),
            DeadlineKind.NOTIFY_MEASURES: Rule(7, True, "filing", source="RG 5.1"),
            DeadlineKind.GRANT_LIMIT: Rule(15, True, "filing", source="RG 6"),
            DeadlineKind.ALEGACIONES: Rule(5, True, "act", source="RG 9; RG 11"),
            # [INF] "10 días": business days by default under the LPAG.
            DeadlineKind.DECISION: Rule(10, True, "alegaciones_end", source="RG 9; RG 11"),
        }
    ),
)

RULE_SETS: tuple[RuleSet, ...] = (DS_002_2020_JUS,)


def rules_for(day: dt.date, rule_sets: Iterable[RuleSet] = RULE_SETS) -> RuleSet:
    """The rule set in force on `day`: the latest whose effective date is not after it."""
    candidates = [rs for rs in rule_sets if rs.effective_from <= day]
    if not candidates:
        raise NoRuleSetInForce(f"no deadline rule set in force on {day.isoformat()}")
    return max(candidates, key=lambda rs: rs.effective_from)


def compute_due(
    rule_set: RuleSet, kind: DeadlineKind, trigger_day: dt.date, calendar: BusinessCalendar
) -> dt.date:
    """The last day of the clock `kind` triggered on `trigger_day`."""
    rule = rule_set.rule(kind)
    start = trigger_day
    if rule.rolls_to_business_day and not calendar.is_business_day(start):
        start = calendar.next_business_day(start)
    if rule.business:
        return calendar.add_business_days(start, rule.days)
    end = start + dt.timedelta(days=rule.days)
    # TUO LPAG art. 145.3: a term whose last day is not a business day is extended to the
    # first business day after it ([INF] applied to every calendar-day term of this regime).
    return end if calendar.is_business_day(end) else calendar.next_business_day(end)


def compute_opened(
    rule_set: RuleSet,
    kinds: Iterable[DeadlineKind],
    *,
    act_day: dt.date,
    filing_day: dt.date,
    calendar: BusinessCalendar,
) -> dict[DeadlineKind, tuple[dt.date, dt.date]]:
    """(trigger day, due day) for each clock an act opens on `act_day`.

    "filing" rules use `filing_day` when opened at registration; reopened later (e.g. the
    notification clock after a subsanación) the service passes the act day as `filing_day`.
    "alegaciones_end" needs the ALEGACIONES clock opened in the same act.
    """
    out: dict[DeadlineKind, tuple[dt.date, dt.date]] = {}
    ordered = sorted(set(kinds), key=lambda k: rule_set.rule(k).counted_from == "alegaciones_end")
    for kind in ordered:
        counted_from = rule_set.rule(kind).counted_from
        if counted_from == "filing":
            trigger = filing_day
        elif counted_from == "alegaciones_end":
            if DeadlineKind.ALEGACIONES not in out:
                raise ValueError(f"{kind} needs the alegaciones clock opened in the same act")
            trigger = out[DeadlineKind.ALEGACIONES][1]
        else:
            trigger = act_day
        out[kind] = (trigger, compute_due(rule_set, kind, trigger, calendar))
    return out

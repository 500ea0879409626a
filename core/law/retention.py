"""Retention of ended cases: how long each outcome is kept (docs/workflow.md "Retention").

Data, not code: the defaults below apply when an entity has no `retention_rules` row for an
outcome. The entity's own records retention schedule, approved under the national archives
system, prevails: set the rows to match it.

Basis of the defaults (a starting point, not legal advice):
- a case *concluded* after forwarding (CONCLUDED) is kept 10 years after its conclusion: long
  enough to outlast the administrative-disciplinary terms (Ley 30057, art. 94: 3 years from the
  act, 1 year from its knowledge) with margin for criminal proceedings, where prescription for
  officials' offences against the State's patrimony is doubled (Código Penal, art. 80);
- a case *archived* because the complainant withdrew or did not remedy it
  (ARCHIVED_WITHDRAWAL) was never forwarded: 5 years after archiving, enough to answer a later
  complaint about the same facts or a request about how it was handled.
A case with an active legal hold or an open clock is never due, whatever its age.
"""

from __future__ import annotations

import datetime as dt

from core.law.enums import CaseState

DEFAULT_KEEP_YEARS: dict[CaseState, int] = {
    CaseState.CONCLUDED: 10,
    CaseState.ARCHIVED_WITHDRAWAL: 5,
}
ENDED_STATES = frozenset(DEFAULT_KEEP_YEARS)
MAX_KEEP_YEARS = 100


def keep_until(ended_on: dt.date, keep_years: int) -> dt.date:
    """The last day a case that ended on `ended_on` is kept (29 February -> 28 February)."""
    year = ended_on.year + keep_years
    try:
        return ended_on.replace(year=year)
    except ValueError:
        return ended_on.replace(year=year, day=28)

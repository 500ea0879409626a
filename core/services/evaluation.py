"""Protection requests still undecided after their evaluation period (RG 4.7, RG 4.8).

RG 4.8 sends the complaint on once the evaluation period has ended; a measure not decided by
then does not hold the file (core.law.workflow, EVALUATION_ENDED), but it is flagged: this
module names each such measure with the last day of its evaluation period, so the case page
can say it is overdue. A request made with the filing is evaluated within the complaint's
period (the case-level clock); a later request (RG 4.10) within its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import DeadlineKind
from core.law.measures_workflow import UNDECIDED_STATES
from core.storage.models import Case
from core.storage.models import Deadline
from core.storage.models import Measure


@dataclass(frozen=True)
class OverdueEvaluation:
    measure: Measure
    evaluation_due: dt.date


def overdue_evaluations(session: Session, case: Case, *, today: dt.date) -> list[OverdueEvaluation]:
    """Undecided measures of `case` whose evaluation period ended before `today`."""
    dues: dict[int | None, dt.date] = {}
    for measure_id, due_on in session.execute(
        select(Deadline.measure_id, Deadline.due_on)
        .where(Deadline.case_id == case.id, Deadline.kind == DeadlineKind.EVALUATE_MEASURES)
        .order_by(Deadline.id)
    ).all():
        dues[measure_id] = due_on  # the latest clock of each scope wins
    out = []
    for measure in session.scalars(
        select(Measure)
        .where(Measure.case_id == case.id, Measure.state.in_(UNDECIDED_STATES))
        .order_by(Measure.id)
    ).all():
        due = dues.get(measure.id, dues.get(None))
        if due is not None and today > due:
            out.append(OverdueEvaluation(measure, due))
    return out

"""The automatic first act of a filing plans on facts computed from what the registration just
wrote (core.services.cases.registration_facts), not read back from the database: they must be
exactly what `case_facts` reads at that moment, for every kind of registration."""

from __future__ import annotations

from typing import Any

import pytest
from case_builders import World
from case_builders import at_lima
from case_builders import make_case

from core.law.calendar import local_day
from core.law.enums import Modality
from core.services import cases


@pytest.mark.parametrize(
    ("protection", "reserve_only", "facts_missing", "modality"),
    [
        (False, False, False, Modality.ANONYMOUS),
        (False, False, True, Modality.RESERVED),
        (True, False, False, Modality.RESERVED),
        (True, False, True, Modality.UNRESERVED),
        (True, True, False, Modality.RESERVED),
    ],
)
def test_registration_facts_are_what_case_facts_reads(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    protection: bool,
    reserve_only: bool,
    facts_missing: bool,
    modality: Modality,
) -> None:
    filed_at = at_lima(2026, 7, 27)  # Mon; Tue 28 and Wed 29 are holidays
    case = make_case(
        world.session,
        world.entity,
        filed_at=filed_at,
        protection=protection,
        reserve_only=reserve_only,
        modality=modality,
    )
    seen: list[tuple[Any, Any]] = []
    original = cases._record_act

    def checked(session: Any, case_: Any, act: Any, facts: Any, *args: Any, **kw: Any) -> Any:
        seen.append((facts, cases.case_facts(session, case_, today=local_day(kw["now"]))))
        return original(session, case_, act, facts, *args, **kw)

    monkeypatch.setattr(cases, "_record_act", checked)
    cases.register_case_deadlines(
        world.session, case, world.calendar, filed_at, facts_missing=facts_missing
    )
    assert len(seen) == 1
    given, read = seen[0]
    assert given == read
    assert given.open_deadlines  # the registration opened a clock
    # The case row ends as if the act had read everything: its next deadline is set.
    assert case.next_deadline_on is not None

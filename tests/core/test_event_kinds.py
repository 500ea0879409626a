"""What leaves the office is an allow-list (issue 11 item 9; DL 6.1, RG 3.1-3.3).

Every event kind is enumerated and classified for both exits: the forwarding package and the
complainant's timeline. A new kind that nobody classified fails here.
"""

from __future__ import annotations

import pytest

from core.law import event_kinds
from core.law.event_kinds import EventKind
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.services import forwarding
from core.services import messages
from core.services import vault
from core.services.cases import SUBSANACION_ANSWER_EVENT

ALL = frozenset(EventKind)


@pytest.mark.parametrize(
    ("allowed", "withheld"),
    [
        (event_kinds.PACKAGE, event_kinds.PACKAGE_WITHHELD),
        (event_kinds.TIMELINE, event_kinds.TIMELINE_WITHHELD),
    ],
    ids=["package", "timeline"],
)
def test_every_kind_is_classified_exactly_once(allowed, withheld) -> None:  # type: ignore[no-untyped-def]
    assert set(allowed).isdisjoint(withheld)
    assert set(allowed) | withheld == ALL, sorted(ALL - set(allowed) - withheld)


def test_every_act_of_both_workflows_is_an_enumerated_kind() -> None:
    """A new act of either transition table is a new kind: it must be enumerated (and so
    classified above) before it can be recorded."""
    for act in Act:
        EventKind(f"case.{act.value}")
    for mact in MeasureAct:
        EventKind(f"measure.{mact.value}")
    for kind in (
        *messages.EVENT_FOR.values(),
        forwarding.EXPORT_EVENT,
        vault.ACCESS_EVENT,
        vault.REFUSAL_EVENT,
        SUBSANACION_ANSWER_EVENT,
    ):
        EventKind(kind)


def test_evidence_added_no_longer_reaches_a_package() -> None:
    """The old deny-list let `evidence_added` (attachment ids, and the timing of what the
    complainant sent) into actuaciones.json."""
    assert event_kinds.package_data("evidence_added", {"attachments": [1, 2]}) is None


@pytest.mark.parametrize("kind", sorted(ALL))
def test_each_exit_keeps_only_its_fields(kind: EventKind) -> None:
    data = {"officer": 7, "message": 3, "attachments": [1], "criteria": {}, "copies": ["oci"]}
    data |= {f: "x" for f in event_kinds.PACKAGE.get(kind, frozenset())}
    data |= {f: "x" for f in event_kinds.TIMELINE.get(kind, frozenset())}
    for allowed, picked in (
        (event_kinds.PACKAGE, event_kinds.package_data(kind, data)),
        (event_kinds.TIMELINE, event_kinds.timeline_data(kind, data)),
    ):
        if kind in allowed:
            assert picked is not None and set(picked) == set(allowed[kind])
        else:
            assert picked is None


def test_an_unknown_kind_leaves_by_neither_exit() -> None:
    assert event_kinds.package_data("registered", {}) is None
    assert event_kinds.timeline_data("something_new", {}) is None

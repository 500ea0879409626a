"""The transition-table kernel both state machines run on (core/law/kernel.py).

A toy machine, independent of the law, pins what the kernel itself guarantees: an act without
a row is refused, the reasoning is checked before the row's guards, fact guards before input
guards in their order, and which acts a state offers or holds back (with the guard that holds
each back). The complaint and measure tables are tested in test_workflow.py and
test_measures_workflow.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest

from core.errors import TransitionRefused
from core.law import kernel


class St(StrEnum):
    OPEN = "open"
    SHUT = "shut"


class Do(StrEnum):
    CLOSE = "close"
    NOTE = "note"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Facts:
    locked: bool = False


@dataclass(frozen=True)
class Inputs:
    reasoning: str = ""
    key: str = ""


NOT_LOCKED = kernel.Guard[Facts, Inputs]("locked", "It is locked.", lambda f, i: not f.locked)
KEY_GIVEN = kernel.Guard[Facts, Inputs]("key_required", "Give the key.", lambda f, i: bool(i.key))


@dataclass(frozen=True)
class ToyRow(kernel.Row[Facts, Inputs]):
    target: St


TABLE = {
    (St.OPEN, Do.CLOSE): ToyRow(
        target=St.SHUT, fact_guards=(NOT_LOCKED,), input_guards=(KEY_GIVEN,)
    ),
    (St.OPEN, Do.NOTE): ToyRow(target=St.OPEN),
    (St.SHUT, Do.REOPEN): ToyRow(target=St.OPEN, fact_guards=(NOT_LOCKED,)),
}


def _refusal(facts: Facts, act: Do, inputs: Inputs, state: St = St.OPEN) -> str:
    with pytest.raises(TransitionRefused) as refused:
        kernel.find_row(TABLE, state, act, facts, inputs, refused="no row")
    return refused.value.code


def test_find_row_checks_the_row_then_reasoning_then_fact_then_input_guards() -> None:
    assert _refusal(Facts(), Do.REOPEN, Inputs(reasoning="x")) == "act_not_allowed_in_state"
    assert _refusal(Facts(locked=True), Do.CLOSE, Inputs(reasoning=" ")) == "reasoning_required"
    long = "x" * (kernel.MAX_REASONING + 1)
    assert _refusal(Facts(), Do.CLOSE, Inputs(reasoning=long, key="k")) == "reasoning_too_long"
    assert _refusal(Facts(locked=True), Do.CLOSE, Inputs(reasoning="x")) == "locked"
    assert _refusal(Facts(), Do.CLOSE, Inputs(reasoning="x")) == "key_required"
    row = kernel.find_row(
        TABLE, St.OPEN, Do.CLOSE, Facts(), Inputs(reasoning="x", key="k"), refused="no row"
    )
    assert row.target is St.SHUT


def test_allowed_and_blocked_read_only_the_fact_guards() -> None:
    # Input guards wait for the form: closing is offered before the key is typed.
    assert kernel.allowed(TABLE, Do, St.OPEN, Facts(), Inputs()) == [Do.CLOSE, Do.NOTE]
    assert kernel.blocked(TABLE, Do, St.OPEN, Facts(), Inputs()) == []
    locked = Facts(locked=True)
    assert kernel.allowed(TABLE, Do, St.OPEN, locked, Inputs()) == [Do.NOTE]
    assert kernel.blocked(TABLE, Do, St.OPEN, locked, Inputs()) == [(Do.CLOSE, NOT_LOCKED)]
    assert kernel.allowed(TABLE, Do, St.SHUT, locked, Inputs()) == []

"""The transition-table kernel both state machines share (docs/workflow.md).

A state machine here is a table keyed by (state, act) whose rows say what the act does. The
kernel knows only what every row has: the guards on the facts (known before the officer types
anything) and the guards on the inputs (what the officer supplies). It finds the row, runs the
guards in order (reasoning first) and answers which acts a state offers or holds back. What a
row then does (target state, clocks, forwardings) is each machine's own business:
`core.law.workflow` for complaints, `core.law.measures_workflow` for protection measures.

Pure: no database, no Flask, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic
from typing import Protocol
from typing import TypeVar

from core.errors import TransitionRefused

# Same bound as an internal note (core.services.casefile.MAX_NOTE): a reasoning is read on
# every view.
MAX_REASONING = 20_000

F = TypeVar("F")  # the facts a machine reads
In = TypeVar("In", bound="HasReasoning")  # the inputs an officer supplies with an act
S = TypeVar("S")  # the state (None: not created yet)
A = TypeVar("A")  # the act


class HasReasoning(Protocol):
    @property
    def reasoning(self) -> str: ...


@dataclass(frozen=True)
class Guard(Generic[F, In]):
    """A condition with the error code returned when it fails."""

    code: str
    message: str
    ok: Callable[[F, In], bool]


@dataclass(frozen=True, kw_only=True)
class Row(Generic[F, In]):
    """What every row of a table has: guards on the facts, then on the inputs."""

    fact_guards: tuple[Guard[F, In], ...] = ()
    input_guards: tuple[Guard[F, In], ...] = ()


R = TypeVar("R", bound=Row)  # type: ignore[type-arg]

REASONING_REQUIRED: Guard[object, HasReasoning] = Guard(
    "reasoning_required",
    "Every act needs its reasoning.",
    lambda f, i: bool(i.reasoning.strip()),
)
REASONING_BOUNDED: Guard[object, HasReasoning] = Guard(
    "reasoning_too_long",
    f"The reasoning is longer than {MAX_REASONING} characters.",
    lambda f, i: len(i.reasoning) <= MAX_REASONING,
)


def find_row(
    table: Mapping[tuple[S, A], R],
    state: S,
    act: A,
    facts: F,
    inputs: In,
    *,
    refused: str,
) -> R:
    """The row for `act` in `state` once every guard holds (reasoning first, then the row's
    fact and input guards, in order); TransitionRefused with the failing guard's code
    otherwise, or with `refused` when the table has no such row."""
    row = table.get((state, act))
    if row is None:
        raise TransitionRefused("act_not_allowed_in_state", refused)
    for common in (REASONING_REQUIRED, REASONING_BOUNDED):
        if not common.ok(facts, inputs):
            raise TransitionRefused(common.code, common.message)
    for guard in (*row.fact_guards, *row.input_guards):
        if not guard.ok(facts, inputs):
            raise TransitionRefused(guard.code, guard.message)
    return row


def blocked(
    table: Mapping[tuple[S, A], R], acts: Iterable[A], state: S, facts: F, empty: In
) -> list[tuple[A, Guard[F, In]]]:
    """Acts of `state` that a fact guard holds back before any input (`empty`), each with the
    first guard that fails."""
    out = []
    for act in acts:
        row = table.get((state, act))
        if row is None:
            continue
        failing = next((g for g in row.fact_guards if not g.ok(facts, empty)), None)
        if failing is not None:
            out.append((act, failing))
    return out


def allowed(
    table: Mapping[tuple[S, A], R], acts: Iterable[A], state: S, facts: F, empty: In
) -> list[A]:
    """Acts of `state` whose fact guards all hold before any input (`empty`)."""
    acts = list(acts)
    held = {act for act, _ in blocked(table, acts, state, facts, empty)}
    return [act for act in acts if (state, act) in table and act not in held]

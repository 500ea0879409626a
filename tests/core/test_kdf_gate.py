"""The argon2id gate: bounded slots, and a complainant coming back goes before new filings
waiting for a slot (docs/threat-model.md, "Floods")."""

from __future__ import annotations

import threading
import time

import pytest

from core.services.receipt_keys import KdfGate


def _wait_until(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_slots_are_bounded_and_released() -> None:
    gate = KdfGate(2)
    assert gate.acquire(blocking=False) and gate.acquire(blocking=False)
    assert not gate.acquire(blocking=False)
    assert not gate.acquire(timeout=0.01)
    gate.release()
    assert gate.acquire(blocking=False)
    gate.release()
    gate.release()
    with pytest.raises(ValueError):
        gate.release()


def test_an_urgent_waiter_gets_the_next_slot_before_earlier_ordinary_ones() -> None:
    gate = KdfGate(1)
    assert gate.acquire()  # a derivation is running
    order: list[str] = []
    lock = threading.Lock()

    def waiter(name: str, urgent: bool) -> None:
        assert gate.acquire(timeout=10, urgent=urgent)
        with lock:
            order.append(name)
        time.sleep(0.02)
        gate.release()

    # Three new filings queue first, then a complainant logs in with a receipt.
    filings = [threading.Thread(target=waiter, args=(f"filing{i}", False)) for i in range(3)]
    for t in filings:
        t.start()
    _wait_until(lambda: len(gate._cond._waiters) == 3)  # type: ignore[attr-defined]
    followup = threading.Thread(target=waiter, args=("follow-up", True))
    followup.start()
    _wait_until(lambda: gate._urgent_waiting == 1)
    gate.release()
    for t in [*filings, followup]:
        t.join(timeout=10)
    assert order[0] == "follow-up"
    assert sorted(order[1:]) == ["filing0", "filing1", "filing2"]


def test_an_ordinary_waiter_still_times_out_while_urgent_ones_keep_the_slot() -> None:
    gate = KdfGate(1)
    assert gate.acquire(urgent=True)
    started = time.monotonic()
    assert not gate.acquire(timeout=0.05)
    assert time.monotonic() - started >= 0.05
    gate.release()

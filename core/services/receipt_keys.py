"""The complainant's key from the receipt: argon2id derivation behind a process-wide gate.

Filing derives the complainant's identity from a fresh receipt (core.services.intake);
coming back with the receipt derives it again (`complainant_identity`). Both hold a slot of
the gate (`kdf_slot`), which bounds memory and cores under a flood and lets a complainant
coming back go before new filings (docs/threat-model.md, "Floods").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import crypto
from config import Settings
from core.services.documents import ComplainantIdentity as ComplainantIdentity
from core.services.documents import ProtectionRequest as ProtectionRequest
from core.services.documents import ReportedPerson as ReportedPerson
from core.storage.models import Case


def kdf_profile(settings: Settings) -> crypto.KdfProfile:
    return crypto.KdfProfile(
        settings.kdf.time_cost, settings.kdf.memory_cost_kib, settings.kdf.parallelism
    )


def is_post_quantum(recipient: str) -> bool:
    return recipient.startswith("age1pq1")


class ServiceBusy(Exception):
    """Every argon2id slot of this process stayed taken for KDF_WAIT_SECONDS: nothing was
    written; the person is asked to try again in a minute (their draft is kept)."""


# How long a request waits for a free argon2id slot before the "service busy" page.
KDF_WAIT_SECONDS = 5.0


class KdfGate:
    """A semaphore of argon2id slots where an urgent waiter goes first.

    A follow-up login (a receipt that exists: a complainant who may have a subsanación to
    answer within 3 business days) is urgent; a new filing is not. Filings waiting for a slot
    therefore queue behind every waiting follow-up (docs/threat-model.md, "Floods").
    """

    def __init__(self, slots: int) -> None:
        self._slots = slots
        self._free = slots
        self._urgent_waiting = 0
        self._cond = threading.Condition()

    def acquire(
        self, blocking: bool = True, timeout: float | None = None, *, urgent: bool = False
    ) -> bool:
        with self._cond:
            if urgent:
                self._urgent_waiting += 1
            try:

                def ready() -> bool:
                    return self._free > 0 and (urgent or self._urgent_waiting == 0)

                got = self._cond.wait_for(ready, timeout) if blocking else ready()
                if got:
                    self._free -= 1
                return got
            finally:
                if urgent:
                    self._urgent_waiting -= 1
                    self._cond.notify_all()  # ordinary waiters may go once no urgent one waits

    def release(self) -> None:
        with self._cond:
            if self._free >= self._slots:
                raise ValueError("KdfGate released too many times")
            self._free += 1
            self._cond.notify_all()


_GATES: dict[int, KdfGate] = {}


_GATES_LOCK = threading.Lock()


def kdf_gate(settings: Settings) -> KdfGate:
    """The process-wide gate bounding argon2id derivations (settings.kdf_concurrency):
    memory stays at most workers x kdf_concurrency x the profile's memory cost, and a flood
    of filings cannot take every core (docs/operations.md, "Floods")."""
    with _GATES_LOCK:
        gate = _GATES.get(settings.kdf_concurrency)
        if gate is None:
            gate = _GATES[settings.kdf_concurrency] = KdfGate(settings.kdf_concurrency)
        return gate


@contextmanager
def kdf_slot(settings: Settings, *, urgent: bool = False) -> Iterator[None]:
    gate = kdf_gate(settings)
    if not gate.acquire(timeout=KDF_WAIT_SECONDS, urgent=urgent):
        raise ServiceBusy("every argon2id slot is taken")
    try:
        yield
    finally:
        gate.release()


def complainant_identity(case: Case, code: str, settings: Settings) -> crypto.Identity:
    """Re-derive the complainant's identity from the receipt (argon2id with the case salt).

    Urgent: a complainant coming back goes before new filings waiting for a slot."""
    with kdf_slot(settings, urgent=True):
        return crypto.derive_complainant_identity(
            code,
            case.receipt_salt,
            pq=is_post_quantum(case.complainant_recipient),
            profile=kdf_profile(settings),
        )

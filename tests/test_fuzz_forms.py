"""HTTP-level fuzzing in CI: >= 2,000 hostile inputs over every form of both apps, with a
valid CSRF token and the right login, and not one 5xx (tests/fuzzing.py; the longer run is
bench/fuzz.py, docs/performance.md)."""

from __future__ import annotations

import time

import fuzzing

COUNT = 2_400


def test_every_form_answers_hostile_input_without_a_5xx(settings, clean_engine):
    started = time.monotonic()
    result = fuzzing.run(settings, clean_engine, count=COUNT, seed=10)
    elapsed = time.monotonic() - started
    assert result.requests >= 2_000
    assert not result.failures, "\n".join(result.failures[:20])
    # The fuzzing reached the code behind the forms, not only the CSRF and login checks
    reached = sum(n for status, n in result.statuses.items() if status not in (400, 401, 403))
    assert reached > result.requests * 0.3, result.statuses
    assert elapsed < 60, f"{result.requests} requests took {elapsed:.0f} s"

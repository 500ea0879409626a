"""bench/intake_load.py exits 1 naming a missed target, and proves it measured its own server.

Not timed: the target is impossible (CPU efficiency can never exceed 1), so the verdict does
not depend on the machine's load. Test KDF profile, one level of one client for a second.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "intake_load.py"


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    """The bench with the test KDF profile and one limit run."""
    command = [sys.executable, str(BENCH), "--fast-kdf", "--limit-runs", "1", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_intake_bench_names_a_missed_target_and_counts_its_own_cases() -> None:
    result = _bench("--duration", "1", "--levels", "1", "--target", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISSED TARGETS:" in result.stderr
    assert "CPU efficiency at 1 clients" in result.stderr.split("MISSED TARGETS:", 1)[1]
    # Every complaint counted is a case in the bench's own database, and nothing else is.
    stored = re.search(r"(\d+) cases stored = complaints counted", result.stdout)
    assert stored is not None and int(stored.group(1)) >= 2, result.stdout
    assert re.search(r"\| 1 \| \d+ \| [\d.]+ \|", result.stdout)  # the level's row


def test_intake_bench_spreads_the_platform_filings_over_every_entity() -> None:
    # Issue 13: the platform's peak filing rate files through each entity's address in turn:
    # with at least three complaints counted, all three entities hold cases.
    result = _bench("--duration", "2", "--levels", "2", "--target", "0", "--entities", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(
        r"(\d+) cases stored = complaints counted; entities: 3 \((\d+) received", result.stdout
    )
    assert found is not None, result.stdout
    assert int(found.group(2)) == min(3, int(found.group(1)))

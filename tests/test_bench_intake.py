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


def test_intake_bench_names_a_missed_target_and_counts_its_own_cases() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--fast-kdf", "--duration", "1", "--levels", "1"]
        + ["--limit-runs", "1", "--target", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISSED TARGETS:" in result.stderr
    assert "CPU efficiency at 1 clients" in result.stderr.split("MISSED TARGETS:", 1)[1]
    # Every complaint counted is a case in the bench's own database, and nothing else is.
    stored = re.search(r"(\d+) cases stored = complaints counted", result.stdout)
    assert stored is not None and int(stored.group(1)) >= 2, result.stdout
    assert re.search(r"\| 1 \| \d+ \| [\d.]+ \|", result.stdout)  # the level's row

"""bench/flood.py exits 1 naming each missed target (issue 10).

Not timed: the target is impossible (a flooded median below a thousandth of the quiet one),
so the verdict does not depend on the machine's load. Test KDF profile, a short flood.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "flood.py"


def test_flood_bench_names_every_missed_target() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--fast-kdf", "--rounds", "1", "--per-round", "2"]
        + ["--flood-threads", "1", "--flood-max", "20", "--target", "0.001"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    assert "filing: flooded/quiet" in missed
    assert "follow-up: flooded/quiet" in missed
    assert "| filing |" in result.stdout and "| follow-up |" in result.stdout
    assert "wrong receipts" in result.stdout.split("flood sent:", 1)[1]

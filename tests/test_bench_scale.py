"""bench/inbox_scale.py and bench/pages_scale.py exit 1 naming each missed target (issue 16).

Not timed: the targets are impossible, so the verdict does not depend on the machine's load.
Tiny sizes on SQLite keep this to a few seconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_inbox_bench_names_every_missed_target() -> None:
    result = run(
        "inbox_scale.py",
        *("--sizes", "200", "400", "--backends", "sqlite", "--repeat", "1"),
        *("--ratio-target", "0.000001", "--limit-ms", "0.000001"),
    )
    assert result.returncode == 1, result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    for view in ("first page (filed)", "code search 'D'", "code search 'D-2025'", "due/overdue"):
        assert f"sqlite: {view}" in missed
    assert "OFFSET" not in missed  # the reference row is never held to a target


def test_inbox_bench_passes_a_reachable_target() -> None:
    result = run(
        "inbox_scale.py",
        *("--sizes", "200", "400", "--backends", "sqlite", "--repeat", "1"),
        *("--ratio-target", "1000", "--limit-ms", "10000"),
    )
    assert result.returncode == 0, result.stderr
    assert "all views within" in result.stdout


def test_pages_bench_names_every_missed_target() -> None:
    result = run(
        "pages_scale.py",
        *("--sizes", "100", "200", "--backends", "sqlite", "--repeat", "1"),
        *("--ratio-target", "0.000001"),
    )
    assert result.returncode == 1, result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    for page in ("inbox (by filing date)", "due/overdue view", "case page (decrypted)"):
        assert f"sqlite: {page}" in missed
    assert "statistics" in result.stdout and "statistics" not in missed


def test_platform_bench_names_every_missed_target() -> None:
    result = run(
        "platform_scale.py",
        *("--backends", "sqlite", "--entities", "20", "--platform-cases", "300"),
        *("--cases", "100", "--repeat", "1", "--ratio-target", "0.000001"),
    )
    assert result.returncode == 1, result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    for page in ("inbox (by filing date)", "due/overdue view", "statistics"):
        assert f"sqlite: {page}" in missed
    assert "20 entities" in result.stdout

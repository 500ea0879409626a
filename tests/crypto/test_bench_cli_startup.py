"""bench/cli_startup.py fails, naming the command, when its target cannot be met (issue 16).

Not timed: the target is impossible, so the result does not depend on the machine's load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "cli_startup.py"


def test_startup_bench_exits_non_zero_naming_each_missed_command() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--pairs", "1", "--target", "0.01"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "MISSED TARGETS" in result.stderr
    for command in ("age --help", "age keygen", "age encrypt", "age decrypt"):
        assert f"integra {command}" in result.stderr
    assert "ratio of medians" in result.stdout

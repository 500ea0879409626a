"""bench/upload_memory.py exits 1 naming each step over its target (issue 16).

Not timed: the target is impossible (a worker cannot take in a file with 1 % of its size in
memory), so the verdict does not depend on the machine. A 6 MiB PDF (above the draft spool
threshold) through a real gunicorn, on SQLite.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "upload_memory.py"


def test_upload_memory_bench_names_each_missed_step() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--size-mib", "6", "--target", "0.01"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    assert "upload (POST /denunciar)" in missed
    # Each step's row: the worker's peak, its children's, above idle and the ratio.
    rows = re.findall(r"^\| (upload|filing)\b.*\| ([\d.]+) \|$", result.stdout, re.M)
    assert [name for name, _ratio in rows] == ["upload", "filing"], result.stdout
    assert float(rows[0][1]) > 0.01

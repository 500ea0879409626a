"""bench/crypto_throughput.py exits 1 naming each missed target (issue 16).

Not timed: the targets are impossible, so the verdict does not depend on the machine's load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.peers import require_peer

BENCH = Path(__file__).resolve().parents[2] / "bench" / "crypto_throughput.py"


def test_throughput_bench_names_every_missed_target(tmp_path: Path) -> None:
    require_peer("age")
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--size-mib", "1",
            "--pairs", "1",
            "--encrypt-target", "1000",
            "--armor-target", "1000",
            "--rss-target-mib", "1",
            "--workdir", str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    for name in ("encrypt: ours/age", "encrypt -a: ours/age", "decrypt (armored): ours/age", "peak RSS"):
        assert name in missed
    assert "decrypt: ours/age" not in missed  # binary decryption has no target
    for row in ("encrypt", "decrypt", "encrypt -a", "decrypt (armored)"):
        assert f"\n{row}\n" in result.stdout

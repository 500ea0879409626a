"""bench/crypto_throughput.py exits 1 naming each missed target (issue 16).

Not timed: the targets are impossible, so the verdict does not depend on the machine's load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crypto_peers import age_cli

BENCH = Path(__file__).resolve().parents[2] / "bench" / "crypto_throughput.py"


def test_throughput_bench_names_every_missed_target(tmp_path: Path) -> None:
    age_cli()  # skips with the reason when the age CLI is missing (fails under CI)
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            *("--size-mib", "1", "--pairs", "1", "--workdir", str(tmp_path)),
            *("--encrypt-target", "1000", "--armor-target", "1000", "--rss-target-mib", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    for name in ("encrypt: ours/age", "encrypt -a: ours/age", "decrypt (armored): ours/age"):
        assert name in missed
    assert "peak RSS" in missed
    assert "\n  decrypt: ours/age" not in missed  # binary decryption has no target
    for row in ("encrypt", "decrypt", "encrypt -a", "decrypt (armored)"):
        assert f"\n{row}\n" in result.stdout

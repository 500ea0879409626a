"""bench/entities.py runs end to end at a tiny size and exits 1 naming each missed target
(issue 13). Not timed: the targets are impossible, so the verdict does not depend on load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "entities.py"


def test_entities_bench_names_every_missed_target() -> None:
    backend = (
        "postgresql" if "postgresql" in os.environ.get("INTEGRA_DATABASE_URL", "") else "sqlite"
    )
    result = subprocess.run(
        [
            sys.executable, str(BENCH), "--entities", "40", "--rounds", "1",
            "--backends", backend, "--ms-target", "0.000001",
        ],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "INTEGRA_BENCH_PG": os.environ.get(
            "INTEGRA_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")},
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    missed = result.stderr.split("MISSED TARGETS:", 1)[1]
    for view in (
        'search "educacion" (core)',
        "GET /entidades?q=educacion",
        "GET /e/<slug>/",
        "GET /denunciar?entidad=<slug>",
        "GET /",
    ):
        assert f"{backend} {view}: " in missed
        assert view in result.stdout
    assert "built 1 and 40 entities" in result.stdout


def test_entities_bench_passes_an_easy_target() -> None:
    # The same run with a generous target exits 0: the exit status follows the targets
    result = subprocess.run(
        [
            sys.executable, str(BENCH), "--entities", "40", "--rounds", "1",
            "--backends", "sqlite", "--ms-target", "100000", "--ratio-target", "1000",
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every view within target" in result.stdout

"""Run the intake as a real server process (`python -m reporting`) for e2e tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config import Settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(settings: Settings, tmpdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTEGRA_")}
    env.update(
        {
            "INTEGRA_ENV": "testing",
            "INTEGRA_DATA_DIR": str(settings.data_dir),
            "INTEGRA_DATABASE_URL": settings.database_url,
            "INTEGRA_KDF_PROFILE": "fast",
            "INTEGRA_LOG_LEVEL": "DEBUG",
            "TMPDIR": str(tmpdir),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@contextmanager
def intake_server(
    settings: Settings, tmpdir: Path, log_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `python -m reporting --port N`; yield (base URL, process); stop it afterwards."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reporting", "--port", str(port)],
            cwd=str(ROOT),
            env=server_env(settings, tmpdir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(base + "/health", timeout=2) as resp:  # noqa: S310
                        if resp.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            "intake server did not start: " + log_path.read_text()[-2000:]
                        ) from None
                    time.sleep(0.1)
            yield base, proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

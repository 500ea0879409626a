"""Issue 8: the documented install. Build the wheel from the tracked files (no compiled
catalog in sight), install it into a fresh venv outside the checkout, and serve both apps in
Spanish and English from there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from servers import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _tracked_copy(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            target = dest / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    assert not list(dest.rglob("*.mo")), "compiled catalogs must come from the build"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@contextmanager
def _serve(python: Path, app: str, env: dict[str, str], cwd: Path, log: Path):  # type: ignore[no-untyped-def]
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(python), "-m", app, "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield _wait(proc, f"http://127.0.0.1:{port}", log)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _wait(proc: subprocess.Popen[bytes], base: str, log: Path) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            if _get(base + "/health")[0] == 200:
                return base
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(log.read_text()[-3000:])
        time.sleep(0.2)


def test_the_wheel_serves_both_apps_in_both_languages(tmp_path: Path) -> None:
    src, dist, work = tmp_path / "src", tmp_path / "dist", tmp_path / "work"
    _tracked_copy(src)
    work.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("integra-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Dependencies come from this test environment (no network); Integra only from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
    )
    where = subprocess.run(
        [str(python), "-c", "import reporting, casework; print(reporting.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(site), where

    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTEGRA_", "PYTHON"))}
    env.update(
        {
            "INTEGRA_ENV": "testing",
            "INTEGRA_DATA_DIR": str(work / "instance"),
            "INTEGRA_KDF_PROFILE": "fast",
            "INTEGRA_WRAP_WORK_FACTOR": "10",
        }
    )
    init = subprocess.run(
        [str(venv / "bin" / "integra"), "init", "--entity", "Entidad de la Rueda"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    with (
        _serve(python, "reporting", env, work, tmp_path / "intake.log") as ibase,
        _serve(python, "casework", env, work, tmp_path / "casework.log") as cbase,
    ):
        status, es = _get(ibase + "/")
        assert status == 200 and "Presente una denuncia de forma segura" in es
        status, en = _get(ibase + "/?lang=en")
        assert status == 200 and "File a complaint safely" in en
        assert _get(ibase + "/static/intake.css")[0] == 200
        status, form = _get(ibase + "/denunciar?lang=en")
        assert status == 200 and "Entidad de la Rueda" in form
        status, login = _get(cbase + "/login")
        assert status == 200 and "Contraseña" in login
        status, login_en = _get(cbase + "/login?lang=en")
        assert status == 200 and "Password" in login_en
        assert _get(cbase + "/static/casework.css")[0] == 200

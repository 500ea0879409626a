"""Real server processes and a real browser for end-to-end tests.

`app_server("reporting" | "casework", ...)` runs `python -m <app> --port N` against the test
database (the same INTEGRA_* settings the test uses) and waits for /health; `launch_chromium`
starts Debian's Chromium through Playwright (never a downloaded browser).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peers import chromium_path

from config import Settings

ROOT = Path(__file__).resolve().parents[1]

# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
def app_server(
    app: str,
    settings: Settings,
    tmpdir: Path,
    log_path: Path,
    *,
    workers: int = 0,
    gunicorn_config: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `python -m <app> --port N` (or gunicorn with `workers` processes); yield (base
    URL, process); stop it afterwards."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    factory = "reporting:create_app()" if app == "reporting" else "casework:create_app()"
    argv = (
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", factory]
        if workers
        else [sys.executable, "-m", app, "--port", str(port)]
    )
    if workers and gunicorn_config is not None:
        argv[3:3] = ["--config", str(gunicorn_config)]
    env = server_env(settings, tmpdir)
    env.update(extra_env or {})
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            argv,
            cwd=str(ROOT),
            env=env,
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
                            f"{app} server did not start: " + log_path.read_text()[-2000:]
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


def intake_server(
    settings: Settings, tmpdir: Path, log_path: Path
) -> AbstractContextManager[tuple[str, subprocess.Popen[bytes]]]:
    return app_server("reporting", settings, tmpdir, log_path)


@contextmanager
def casework_server(settings: Settings, tmpdir: Path, log_path: Path) -> Iterator[str]:
    with app_server("casework", settings, tmpdir, log_path) as (base, _proc):
        yield base


# Every form a browser of these tests submitted: (method, URL) of each navigation POST, that
# is a <form> the browser itself sent after its own validation (a script's fetch or a test's
# direct request is not a navigation). tests/e2e/conftest.py checks that every POST route of
# both apps is among them.
SUBMITTED_FORMS: set[str] = set()


def _record_form_submissions(context: Any) -> Any:
    def on_request(request: Any) -> None:
        if request.method == "POST" and request.is_navigation_request():
            SUBMITTED_FORMS.add(request.url)

    context.on("request", on_request)
    return context


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright; skips visibly when it is missing."""
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        new_context, new_page = browser.new_context, browser.new_page

        def page_recorded(*a: Any, **kw: Any) -> Any:
            page = new_page(*a, **kw)
            _record_form_submissions(page.context)
            return page

        browser.new_context = lambda *a, **kw: _record_form_submissions(new_context(*a, **kw))
        browser.new_page = page_recorded
        try:
            yield browser
        finally:
            browser.close()


def phone_page(browser: Any) -> tuple[Any, Any]:
    """(context, page) as a complainant meets the intake: a 360 px phone screen, Spanish,
    JavaScript off."""
    context = browser.new_context(
        java_script_enabled=False, locale="es-PE", viewport={"width": 360, "height": 740}
    )
    return context, context.new_page()


def followup_login(page: Any, base: str, receipt: str) -> None:
    """Open the complainant's case page with their receipt, as they type it."""
    page.goto(base + "/seguimiento")
    page.fill("input[name=receipt]", receipt)
    page.click("text=Ingresar")

"""Every form of both apps is submitted at least once in Chromium, through the browser's own
validation: the end-to-end tests record each form the browser sent (tests/servers.py,
SUBMITTED_FORMS, navigation POSTs only), and a run of the whole end-to-end suite fails when a
POST route of either app was never reached that way (issue 12).

Each test process writes what its browsers sent to a file in INTEGRA_FORM_COVERAGE_DIR; the
process that ends the run (the xdist controller, or the only process) reads them all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

ENV = "INTEGRA_FORM_COVERAGE_DIR"
E2E = "tests/e2e"


def coverage_dir() -> Path:
    if ENV not in os.environ:
        os.environ[ENV] = tempfile.mkdtemp(prefix="integra-forms-")
    return Path(os.environ[ENV])


def save(worker: str, submitted: set[str]) -> None:
    (coverage_dir() / f"{worker}.txt").write_text("\n".join(sorted(submitted)) + "\n")


def submitted_urls() -> set[str]:
    urls: set[str] = set()
    for f in coverage_dir().glob("*.txt"):
        urls.update(line for line in f.read_text().splitlines() if line)
    return urls


def _apps():  # type: ignore[no-untyped-def]
    from casework import create_app as casework_app
    from config import load_settings
    from core.storage import migrate
    from core.storage.db import make_engine
    from reporting import create_app as intake_app

    scratch = tempfile.mkdtemp(prefix="integra-forms-apps-")
    env = {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": scratch,
        "INTEGRA_DATABASE_URL": f"sqlite:///{scratch}/routes.sqlite3",
        "INTEGRA_KDF_PROFILE": "fast",
    }
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    apps = {
        "intake": intake_app(settings, engine=engine),
        "casework": casework_app(settings, engine=engine),
    }
    return apps, engine, scratch


def post_routes_missed(urls: set[str]) -> list[str]:
    """'app:endpoint' of every POST route that no recorded form submission reached."""
    apps, engine, scratch = _apps()
    try:
        wanted: set[str] = set()
        reached: set[str] = set()
        for name, app in apps.items():
            wanted |= {
                f"{name}:{rule.endpoint}"
                for rule in app.url_map.iter_rules()
                if "POST" in (rule.methods or ())
            }
            adapter = app.url_map.bind("localhost")
            for url in urls:
                try:
                    endpoint, _ = adapter.match(urlsplit(url).path, method="POST")
                except (HTTPException, RequestRedirect):
                    continue
                reached.add(f"{name}:{endpoint}")
        return sorted(wanted - reached)
    finally:
        engine.dispose()
        shutil.rmtree(scratch, ignore_errors=True)


def whole_e2e_suite(config) -> bool:  # type: ignore[no-untyped-def]
    """Whether this run was meant to include every end-to-end test (no -k, -m or narrower
    paths), so that a route left unreached means no test covers it."""
    if config.option.keyword or config.option.markexpr or getattr(config.option, "lf", False):
        return False
    args = [a.rstrip("/") for a in config.args] or ["tests"]
    root = Path(config.rootpath)
    for arg in args:
        path = (root / arg).resolve() if not Path(arg).is_absolute() else Path(arg)
        e2e = (root / E2E).resolve()
        if path == e2e or e2e.is_relative_to(path):
            return shutil.which("chromium") is not None
    return False

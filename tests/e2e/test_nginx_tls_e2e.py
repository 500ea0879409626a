"""Issue 8, as deployed: Chromium with JavaScript off talks to the shipped nginx site over
TLS (a certificate made here), in front of both apps and the intake's follow-up pool under
gunicorn with the shipped config.

A complainant files with a 20 MB attachment and follows up; an officer downloads the
attachment. Meanwhile nothing under nginx's temp directories, the app servers' temp
directory, the data directory or the system temp directory holds a canary from the
complaint; nginx's logs hold no client address; an upload over the limit gets the intake's
own Spanish page."""

from __future__ import annotations

import http.client
import os
import secrets
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from browser_login import log_in
from databases import read_database_file
from factories import make_entity
from factories import make_officer
from nginx_harness import TEMP_DIRS
from nginx_harness import check
from nginx_harness import main_config
from nginx_harness import running
from nginx_harness import site_for
from peers import chromium_path
from servers import CHROMIUM_ARGS
from servers import app_server
from servers import free_port
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import deploy_configs
from core.law.enums import Role
from core.storage.models import Case

pytestmark = pytest.mark.e2e

CANARY = "canario-proxy-" + secrets.token_hex(6)  # made at run time: no file holds it
FILE_CANARY = "canario-adjunto-" + secrets.token_hex(6)


def _holders(roots: list[Path], needles: list[bytes], skip: tuple[Path, ...] = ()) -> list[str]:
    """Files under `roots` holding a needle. Folders that vanish while walked (another test's
    browser profile) are skipped, and so are browser profiles created since `skip` was taken.
    SQLite files are read by another process: opening and closing one here would drop this
    process's POSIX locks on it (tests/databases.py, read_database_file)."""
    found = []
    for root in roots:
        for folder, dirs, names in os.walk(root):  # errors (a vanished folder) are skipped
            dirs[:] = [d for d in dirs if "playwright" not in d]
            for name in names:
                path = Path(folder) / name
                if any(str(path).startswith(str(s)) for s in skip):
                    continue
                if not path.is_file():
                    continue
                try:
                    data = read_database_file(path) if ".sqlite3" in name else path.read_bytes()
                except (OSError, subprocess.CalledProcessError):
                    continue
                if any(n in data for n in needles):
                    found.append(str(path))
    return found


class Watcher(threading.Thread):
    """Searches the directories every few milliseconds while the test runs: nginx deletes
    its temp files when a request ends, so a scan afterwards would miss a spooled body."""

    def __init__(
        self, roots: list[Path], needles: list[bytes], skip: tuple[Path, ...], nginx_pid: int
    ):
        super().__init__(daemon=True)
        self.roots, self.needles, self.skip = roots, needles, skip
        self.nginx_pid = nginx_pid
        self.found: set[str] = set()
        self.stopped = threading.Event()

    def _nginx_open_temp_files(self) -> None:
        # nginx unlinks a spooled request body at once and keeps only the descriptor: look
        # through the nginx processes' open files, deleted ones included.
        pids = [self.nginx_pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.nginx_pid:
                pids.append(int(stat.parent.name))
        for pid in pids:
            for fd in Path(f"/proc/{pid}/fd").glob("*"):
                try:
                    target = os.readlink(fd)
                    if not any(target.startswith(str(r)) for r in self.roots):
                        continue
                    data = fd.read_bytes()
                except OSError:
                    continue
                if any(n in data for n in self.needles):
                    self.found.add(target)

    def run(self) -> None:
        while not self.stopped.is_set():
            self.found.update(_holders(self.roots, self.needles, self.skip))
            self._nginx_open_temp_files()
            time.sleep(0.002)

    def stop(self) -> set[str]:
        self.stopped.set()
        self.join(timeout=10)
        return self.found


def test_file_follow_up_and_download_through_nginx_over_tls(
    settings, clean_engine, tmp_path: Path
) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        head = make_officer(s, settings, ent, username="jefa", role=Role.HEAD)
        s.commit()
    prefix = tmp_path / "nginx"
    port, onion_port = free_port(), free_port()
    app_tmp = tmp_path / "app-tmp"
    system_tmp = Path(tempfile.gettempdir())
    proxy_env = {"INTEGRA_TRUSTED_PROXIES": "1"}
    conf = deploy_configs.GUNICORN_CONF
    needles = [CANARY.encode(), FILE_CANARY.encode()]
    with (
        app_server("reporting", settings, app_tmp, tmp_path / "intake.log", workers=2,
                   gunicorn_config=conf, extra_env={**proxy_env, "INTEGRA_APP": "intake"})
        as (intake, _p1),
        # Returning complainants through their own pool, as `integra deploy` ships it.
        app_server("reporting", settings, app_tmp, tmp_path / "followup.log", workers=1,
                   gunicorn_config=conf, extra_env={**proxy_env, "INTEGRA_APP": "followup"})
        as (followup, _p3),
        app_server("casework", settings, app_tmp, tmp_path / "casework.log", workers=1,
                   gunicorn_config=conf, extra_env={**proxy_env, "INTEGRA_APP": "casework"})
        as (casework, _p2),
    ):  # fmt: skip
        site = site_for(
            prefix,
            intake=intake.removeprefix("http://"),
            followup=followup.removeprefix("http://"),
            casework=casework.removeprefix("http://"),
            port=port,
            onion_port=onion_port,
        )
        nginx_conf = main_config(prefix, site)
        assert check(nginx_conf, prefix).returncode == 0
        scanned = [prefix / "temp", app_tmp, settings.data_dir, system_tmp]

        from playwright.sync_api import sync_playwright

        with running(nginx_conf, prefix, port) as nginx, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium_path(),
                args=[
                    *CHROMIUM_ARGS,
                    "--host-resolver-rules=MAP intake.test 127.0.0.1, MAP casework.test 127.0.0.1",
                ],
            )
            # The browser's own profile and upload buffers are the client's device, not the
            # server's: left out of the search.
            profile_dirs = tuple(
                Path(system_tmp, d) for d in os.listdir(system_tmp) if "playwright" in d
            )
            watcher = Watcher([prefix / "temp", app_tmp], needles, profile_dirs, nginx.pid)
            watcher.start()
            base = f"https://intake.test:{port}"
            context = browser.new_context(
                java_script_enabled=False, ignore_https_errors=True, locale="es-PE",
                viewport={"width": 360, "height": 740},
            )  # fmt: skip
            page = context.new_page()
            page.goto(base + "/denunciar")
            page.check("input[name=motives][value=contratacion_irregular]")
            page.fill("#facts", f"El jefe direccionó la compra. {CANARY}")
            page.check("#commitment")
            big = (FILE_CANARY + "\n").encode() * (20 * 1024 * 1024 // (len(FILE_CANARY) + 1))
            page.set_input_files(
                "#files", [{"name": "planilla.txt", "mimeType": "text/plain", "buffer": big}]
            )
            page.click("button[name=action][value=review]:not(.default-action)")
            assert "Revise su denuncia" in page.content()
            assert _holders(scanned, needles, profile_dirs) == []
            page.click("text=Enviar la denuncia")
            receipt = page.inner_text("#receipt").strip()
            code = page.inner_text(".case-code").strip()
            context.close()

            # The complainant comes back through the proxy.
            context = browser.new_context(
                java_script_enabled=False, ignore_https_errors=True, locale="es-PE"
            )
            page = context.new_page()
            page.goto(base + "/seguimiento")
            page.fill("input[name=receipt]", receipt)
            page.click("text=Ingresar")
            assert code in page.inner_text("main")
            context.close()

            # An officer downloads the 20 MB attachment through the proxy.
            cbase = f"https://casework.test:{port}"
            context = browser.new_context(
                ignore_https_errors=True, accept_downloads=True, locale="es-PE"
            )
            page = context.new_page()
            log_in(page, cbase, "jefa", head.password, head.totp_secret)
            page.goto(f"{cbase}/denuncias/{code}")
            with page.expect_download() as download:
                page.click("a[href*='/adjuntos/']")
            downloaded = Path(download.value.path()).read_bytes()
            assert downloaded == big
            assert _holders(scanned, needles, profile_dirs) == []
            context.close()
            browser.close()
            assert watcher.stop() == set()

            # Over the limit: the intake's own page, in Spanish, with nginx's 413 status.
            tls = ssl.create_default_context()
            tls.check_hostname = False
            tls.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=30)
            conn.putrequest("POST", "/denunciar", skip_host=True)
            conn.putheader("Host", "intake.test")
            conn.putheader("Content-Type", "multipart/form-data; boundary=x")
            conn.putheader("Content-Length", str(60 * 1024 * 1024))
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read().decode()
            conn.close()
            assert resp.status == 413, body[:2000]
            assert "superan el tamaño máximo" in body and "<html" in body

    with Session(clean_engine) as s:
        assert s.scalars(select(Case)).one().code == code
    logs = "".join(p.read_text() for p in (prefix / "logs").glob("*.log"))
    assert "client:" not in logs and "127.0.0.1" not in logs
    # Under gunicorn (with the shipped config) each request is one line of the app's own log:
    # method, route pattern, status, time; never an address, agent or query.
    requests = [
        line
        for line in (tmp_path / "intake.log").read_text().splitlines()
        if "integra.request" in line
    ]
    assert any("POST /denunciar/enviar 200" in line for line in requests), requests[:5]
    assert not any("127.0.0.1" in line or "Mozilla" in line for line in requests)
    assert all(not any((prefix / "temp" / d).iterdir()) for d in TEMP_DIRS)

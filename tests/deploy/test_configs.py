"""Issue 8: the shipped deployment files pass each tool's own checker."""

from __future__ import annotations

import http.client
import shutil
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

from nginx_harness import check
from nginx_harness import main_config
from nginx_harness import running
from nginx_harness import site_for
from peers import require_peer
from servers import free_port

from casework import deploy_configs


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    site = site_for(tmp_path, intake="127.0.0.1:9", casework="127.0.0.1:10", port=free_port(),
                    onion_port=free_port())  # fmt: skip
    result = check(main_config(tmp_path, site), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # The decisions the file exists for, each present in every server block.
    for directive in (
        "access_log off;",
        "emerg;",
        "client_body_buffer_size 52m;",
        "client_max_body_size 52m;",
        "proxy_buffering off;",
        "proxy_max_temp_file_size 0;",
        'proxy_set_header X-Forwarded-For "";',
        "error_page 413 /_integra/demasiado-grande;",
    ):
        assert site.count(directive) == 3, directive


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    require_peer("systemd-analyze", bool(tool), "apt install systemd")
    env_file = tmp_path / "integra.env"
    env_file.write_text("INTEGRA_ENV=production\n")
    units = deploy_configs.systemd_units(
        deploy_configs.SystemdUnits(venv=sys.prefix, env_file=str(env_file), user="root",
                                    data_dir=str(tmp_path / "data"))
    )  # fmt: skip
    for name, text in units.items():
        (tmp_path / name).write_text(text)
    for name in units:
        assert "@@" not in units[name]
    result = subprocess.run(
        [str(tool), "verify", *(str(tmp_path / n) for n in units)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    service = units["integra-intake.service"]
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
        assert hardening in service
    assert "integra periodic" in units["integra-periodic.service"]


def test_torrc_passes_tor_verify_config(tmp_path: Path) -> None:
    tool = shutil.which("tor")
    require_peer("tor", bool(tool), "apt install tor")
    hs_dir = tmp_path / "hs"
    torrc = tmp_path / "torrc"
    torrc.write_text(
        f"DataDirectory {tmp_path / 'data'}\nSocksPort 0\n"
        + deploy_configs.torrc(str(hs_dir), "127.0.0.1:8081")
    )
    result = subprocess.run(
        [str(tool), "--verify-config", "-f", str(torrc)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "HiddenServicePoWDefensesEnabled 1" in torrc.read_text()


def test_gunicorn_config_disables_the_shared_control_socket() -> None:
    text = deploy_configs.GUNICORN_CONF.read_text()
    assert "control_socket_disable = True" in text and "accesslog = None" in text


def _pool_server(name: str) -> tuple[ThreadingHTTPServer, int]:
    """A stand-in upstream that answers every GET with its own name and the path it got."""

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"{name} {self.path}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def test_nginx_sends_follow_ups_to_their_own_pool(tmp_path: Path) -> None:
    """A filing flood cannot occupy the workers of returning complainants (issue 10): the
    shipped site sends /seguimiento and everything under it, on the TLS host and the onion
    listener, to the follow-up pool, and every other intake path to the filing pool."""
    intake, intake_port = _pool_server("intake")
    followup, followup_port = _pool_server("followup")
    port, onion_port = free_port(), free_port()
    try:
        site = site_for(tmp_path, intake=f"127.0.0.1:{intake_port}", casework="127.0.0.1:10",
                        followup=f"127.0.0.1:{followup_port}", port=port,
                        onion_port=onion_port)  # fmt: skip
        conf = main_config(tmp_path, site)
        assert check(conf, tmp_path).returncode == 0
        assert site.count("location /seguimiento {") == 2  # intake and onion, not casework
        tls = ssl.create_default_context()
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
        with running(conf, tmp_path, port):
            for path, pool in (
                ("/seguimiento", "followup"),
                ("/seguimiento/pruebas", "followup"),
                ("/seguimiento/denuncia", "followup"),
                ("/denunciar", "intake"),
                ("/", "intake"),
                ("/e/minedu/", "intake"),
            ):
                for conn in (
                    http.client.HTTPConnection("127.0.0.1", onion_port, timeout=10),
                    http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=tls),
                ):
                    conn.request("GET", path, headers={"Host": "intake.test"})
                    assert conn.getresponse().read().decode() == f"{pool} {path}"
                    conn.close()
    finally:
        for server in (intake, followup):
            server.shutdown()
            server.server_close()


def test_follow_up_pool_has_its_own_unit() -> None:
    units = deploy_configs.systemd_units(deploy_configs.SystemdUnits(venv=sys.prefix))
    followup = units["integra-followup.service"]
    assert "Environment=INTEGRA_APP=followup" in followup
    assert "gunicorn_conf.py 'reporting:create_app()'" in followup
    assert "RuntimeDirectory=integra-followup" in followup

"""Run the shipped nginx site under a private prefix (tests only): a main config around it,
every temp path inside the prefix so the tests can search them, and a self-signed cert."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from peers import require_peer

from casework import deploy_configs

TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    require_peer("nginx", bool(path), "apt install nginx")
    return path


def self_signed(directory: Path, names: list[str]) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def main_config(prefix: Path, site: str) -> Path:
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    temp = "\n".join(f"    {name}_temp_path {prefix / 'temp' / name};" for name in TEMP_DIRS)
    for name in TEMP_DIRS:
        (prefix / "temp" / name).mkdir(parents=True, exist_ok=True)
    (prefix / "integra.conf").write_text(site, encoding="utf-8")
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""daemon off;
user root;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "logs" / "main-error.log"} emerg;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    include {prefix / "integra.conf"};
}}
""",
        encoding="utf-8",
    )
    return conf


def site_for(
    prefix: Path,
    *,
    intake: str,
    casework: str,
    port: int,
    onion_port: int,
    entity_hosts: tuple[str, ...] = (),
    followup: str = "",
) -> str:
    """The shipped site; the follow-up pool is the intake's own server unless `followup`."""
    prefix.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(prefix, ["intake.test", "casework.test", *entity_hosts])
    return deploy_configs.nginx_site(
        deploy_configs.NginxSite(
            intake_host="intake.test",
            casework_host="casework.test",
            certificate=str(cert),
            certificate_key=str(key),
            intake_upstream=intake,
            followup_upstream=followup or intake,
            casework_upstream=casework,
            listen=f"127.0.0.1:{port}",
            onion_listen=f"127.0.0.1:{onion_port}",
            error_log=str(prefix / "logs" / "integra-error.log"),
            entity_hosts=entity_hosts,
        )
    )


def check(conf: Path, prefix: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nginx_binary(), "-t", "-p", str(prefix), "-c", str(conf)],
        capture_output=True,
        text=True,
    )


@contextmanager
def running(conf: Path, prefix: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [nginx_binary(), "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import socket

        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start") from None
                time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)

"""Intake load benchmark: complaints per second and latency under gunicorn.

One complaint is the whole no-JavaScript flow a person goes through: GET /denunciar (CSRF
token, draft cookie), POST /denunciar with the text and a small attachment (the file is
sealed on arrival), POST /denunciar/enviar (argon2id receipt key, seal the report and the
attachment to the office and the complainant, commit). Latency is measured per complaint
(the three requests), with 1, 4 and 16 concurrent clients.

The limit is measured alone in the same run, with the same settings: the argon2id derivation
(production profile unless --fast-kdf) plus the sealing of one report and one attachment, on
one core, without HTTP or database. `workers / cost` is the CPU-bound ceiling the served
throughput is compared with (ratio served / ceiling).

Usage:
    .venv/bin/python bench/intake_load.py                          # SQLite, 10 s per level
    .venv/bin/python bench/intake_load.py --duration 5 --workers 2
    .venv/bin/python bench/intake_load.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

PostgreSQL: a dedicated database integra_bench_intake is created and dropped again.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

import crypto  # noqa: E402
from config import load_settings  # noqa: E402
from core.access import entities  # noqa: E402
from core.services.intake import kdf_profile  # noqa: E402
from core.storage import migrate  # noqa: E402
from core.storage.db import make_engine  # noqa: E402

TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
# The receipt is shown as four <span class="group"> elements joined by hyphens.
RECEIPT_RE = re.compile(r'id="receipt">((?:<span class="group">[0-9A-Z]{4}</span>-?){4})</p>')
ATTACHMENT = os.urandom(48 * 1024)
PDF = b"%PDF-1.4\n" + ATTACHMENT
FACTS = "El jefe de logística direccionó la compra de combustible a una empresa vinculada. " * 20


class Client:
    """One person: a keep-alive connection and a cookie."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | None, ctype: str | None) -> str:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if ctype:
            headers["Content-Type"] = ctype
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read().decode()
        cookie = resp.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if resp.status != 200:
            raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]}")
        return data

    def complaint(self) -> None:
        self.cookie = ""
        form = self.request("GET", "/denunciar", None, None)
        token = TOKEN_RE.search(form)
        pairs: list[tuple[str, object]] = [
            ("modality", "anonima"),
            ("motives", "contratacion_irregular"),
            ("facts", FACTS),
            ("persons-0-post", "Jefe de Logística"),
            ("commitment", "y"),
            ("document_type", "DNI"),
            # A PDF-looking attachment (%PDF- header) so the content check passes.
            ("files", FileStorage(io.BytesIO(PDF), filename="prueba.pdf")),
        ]
        if token:
            pairs.append(("csrf_token", token.group(1)))
        boundary, body = encode_multipart(MultiDict(pairs))
        review = self.request(
            "POST", "/denunciar", body, f"multipart/form-data; boundary={boundary}"
        )
        fields = [(k, v) for k, v in HIDDEN_RE.findall(review)]
        token = TOKEN_RE.search(review)
        if token:
            fields.append(("csrf_token", token.group(1)))
        confirmation = self.request(
            "POST",
            "/denunciar/enviar",
            urllib.parse.urlencode(fields).encode(),
            "application/x-www-form-urlencoded",
        )
        if not RECEIPT_RE.search(confirmation):
            raise RuntimeError("no receipt in the confirmation page")


def measure_limit(settings_kdf: crypto.KdfProfile, office: str, runs: int) -> dict[str, float]:
    """Per-complaint CPU cost without HTTP or database: argon2id + sealing, one core."""
    recipient = crypto.parse_recipient(office)
    pq = office.startswith("age1pq1")
    kdf_times, seal_times = [], []
    for _ in range(runs):
        code = crypto.generate_receipt()
        t0 = time.perf_counter()
        ident = crypto.derive_complainant_identity(
            code, os.urandom(16), pq=pq, profile=settings_kdf
        )
        t1 = time.perf_counter()
        recipients = [recipient, ident.recipient()]
        crypto.encrypt(FACTS.encode(), recipients)
        crypto.encrypt(PDF, recipients)
        # the draft copy sealed on arrival, to an ephemeral key
        crypto.encrypt(PDF, [crypto.HybridIdentity.generate().recipient()])
        t2 = time.perf_counter()
        kdf_times.append(t1 - t0)
        seal_times.append(t2 - t1)
    return {
        "kdf_ms": statistics.median(kdf_times) * 1000,
        "seal_ms": statistics.median(seal_times) * 1000,
    }


def run_level(port: int, clients: int, duration: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker() -> None:
        c = Client(port)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                c.complaint()
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(str(exc)[:200])
                c = Client(port)
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "clients": clients,
        "complaints": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--fast-kdf", action="store_true", help="test KDF profile (not production)")
    parser.add_argument("--limit-runs", type=int, default=10)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="integra-intake-bench-"))
    pg_name = ""
    try:
        if args.database_url.startswith("postgresql"):
            base, _, _ = args.database_url.rpartition("/")
            pg_name = "integra_bench_intake"
            admin = create_engine(
                args.database_url.replace("postgresql://", "postgresql+psycopg://"),
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
            admin.dispose()
            url = f"{base}/{pg_name}"
        else:
            url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("INTEGRA_")},
            "INTEGRA_ENV": "development",
            "INTEGRA_DATA_DIR": str(tmp / "data"),
            "INTEGRA_DATABASE_URL": url,
            "INTEGRA_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        if args.fast_kdf:
            env["INTEGRA_KDF_PROFILE"] = "fast"
        settings = load_settings(env)
        engine = make_engine(url)
        migrate.upgrade(engine)
        with Session(engine) as s:
            keys = entities.create_entity(
                s, name="Entidad Bench", server_key=settings.secret_bytes("server_key")
            )
            office = keys.entity.office_recipient
            s.commit()
        engine.dispose()

        limit = measure_limit(kdf_profile(settings), office, args.limit_runs)
        cost_s = (limit["kdf_ms"] + limit["seal_ms"]) / 1000
        ceiling = args.workers / cost_s

        sock = socket_port()
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        proc = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                str(args.workers),
                "--threads",
                "1",
                "--bind",
                f"127.0.0.1:{sock}",
                "--log-level",
                "warning",
                "reporting:create_app()",
            ],
            cwd=str(ROOT),
            env=env,
        )
        try:
            wait_ready(sock)
            Client(sock).complaint()  # warm-up (imports, first connection)
            results = [run_level(sock, n, args.duration) for n in args.levels]
        finally:
            proc.terminate()
            proc.wait(timeout=30)

        print(
            f"backend: {'postgresql' if pg_name else 'sqlite'}; gunicorn workers: {args.workers}; "
            f"cores: {os.cpu_count()}; KDF: {kdf_profile(settings)}"
        )
        print(
            f"limit alone (one core): argon2id {limit['kdf_ms']:.1f} ms + sealing "
            f"{limit['seal_ms']:.1f} ms = {cost_s * 1000:.1f} ms per complaint; "
            f"ceiling {ceiling:.2f} complaints/s with {args.workers} workers"
        )
        print(
            "| clients | complaints | complaints/s | p50 ms | p99 ms | errors | served / ceiling |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(
                f"| {r['clients']} | {r['complaints']} | {r['per_second']:.2f} | "
                f"{r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['errors']} | "
                f"{r['per_second'] / ceiling:.2f} |"
            )
            if r["first_error"]:
                print(f"  first error: {r['first_error']}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if pg_name:
            admin = create_engine(
                args.database_url.replace("postgresql://", "postgresql+psycopg://"),
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
    return 0


def socket_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


if __name__ == "__main__":
    raise SystemExit(main())

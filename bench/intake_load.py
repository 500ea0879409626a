"""Intake load benchmark: complaints per second and latency under gunicorn.

One complaint is the whole no-JavaScript flow a person goes through: GET /denunciar (CSRF
token, draft cookie), POST /denunciar with the text and a small attachment (the file is
sealed on arrival), POST /denunciar/enviar (argon2id receipt key, seal the report and the
attachment to the office and the complainant, commit). Latency is measured per complaint
(the three requests), with 1, 4 and 16 concurrent clients.

The limit is measured in CPU time during the run, after each level, with the same settings:
the argon2id derivation (production profile unless --fast-kdf) plus the sealing of one report
and one attachment, without HTTP or database. The server's own CPU time per complaint is read
from /proc for the gunicorn master and its workers over each level. Two ratios:

- **CPU efficiency** = limit CPU per complaint / server CPU per complaint: the share of what
  the server spends that the derivation and sealing require (1.0: no overhead at all). It
  does not depend on what else the machine runs (the load generator shares its 2 cores), and
  is the figure held to the target (--target, 0.85 at the highest level).
- **served / ceiling** = complaints per second / (workers / limit CPU per complaint): the
  throughput against a machine whose cores did nothing else, reported beside it.

The script checks that the server it measured is its own: every complaint it counted is a
case in its own fresh database, and nothing else is. It exits 1 naming a missed target.

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
import itertools
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
from config import Settings  # noqa: E402
from config import load_settings  # noqa: E402
from core.access import entities  # noqa: E402
from core.services.intake import kdf_profile  # noqa: E402
from core.storage import migrate  # noqa: E402
from core.storage.db import make_engine  # noqa: E402

TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
# The receipt is shown as four <span class="group"> elements joined by hyphens.
RECEIPT_RE = re.compile(r'id="receipt">((?:<span class="group">[0-9A-Z]{4}</span>-?){4})</p>')


def _pdf(lines: int = 900) -> bytes:
    """A valid one-page PDF (~48 KiB with 900 lines) with an author in its metadata (found
    on review, removed at filing)."""
    from pypdf import PdfWriter  # noqa: PLC0415
    from pypdf.generic import DecodedStreamObject  # noqa: PLC0415
    from pypdf.generic import NameObject  # noqa: PLC0415

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    content = DecodedStreamObject()
    body = "\n".join(
        f"BT 40 {800 - i % 70 * 11} Td (linea {i} {os.urandom(12).hex()}) Tj ET"
        for i in range(lines)
    )
    content.set_data(body.encode())
    page[NameObject("/Contents")] = writer._add_object(content)
    writer.add_metadata({"/Author": "Nombre del denunciante", "/Producer": "Oficina"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _pdf()
FACTS = "El jefe de logística direccionó la compra de combustible a una empresa vinculada. " * 20


def complaint_body(
    form: str, attachment: bytes, filename: str, *, entity: str = ""
) -> tuple[bytes, str]:
    """The complaint form posted with one attachment: (multipart body, content type); `form`
    is the page GET /denunciar returned (its CSRF token, when there is one); `entity`, the
    entity's slug where the install has several."""
    pairs: list[tuple[str, object]] = [
        ("modality", "anonima"),
        ("motives", "contratacion_irregular"),
        ("facts", FACTS),
        ("persons-0-post", "Jefe de Logística"),
        ("commitment", "y"),
        ("document_type", "DNI"),
        ("files", FileStorage(io.BytesIO(attachment), filename=filename)),
    ]
    token = TOKEN_RE.search(form)
    if token:
        pairs.append(("csrf_token", token.group(1)))
    if entity:
        pairs.append(("entity", entity))
    boundary, body = encode_multipart(MultiDict(pairs))
    return body, f"multipart/form-data; boundary={boundary}"


def submission_body(review: str) -> bytes:
    """The review page's hidden fields and CSRF token, posted to /denunciar/enviar."""
    fields = list(HIDDEN_RE.findall(review))
    token = TOKEN_RE.search(review)
    if token:
        fields.append(("csrf_token", token.group(1)))
    return urllib.parse.urlencode(fields).encode()


_TURN = itertools.count()  # next() is atomic: the clients' threads share it


class Client:
    """One person: a keep-alive connection and a cookie."""

    def __init__(self, port: int, slugs: tuple[str, ...] = ()) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""
        self.slugs = slugs  # several entities: each complaint goes to one of them

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
        # Several entities: the person arrives from the entity's own address (/e/<slug>/),
        # which links to the form with that entity chosen.
        # In turn across all clients, so every entity receives its share.
        slug = self.slugs[next(_TURN) % len(self.slugs)] if self.slugs else ""
        form = self.request(
            "GET", f"/denunciar?entidad={slug}" if slug else "/denunciar", None, None
        )
        # A real PDF whose author the review finds and the filing removes.
        body, ctype = complaint_body(form, PDF, "prueba.pdf", entity=slug)
        review = self.request("POST", "/denunciar", body, ctype)
        confirmation = self.request(
            "POST",
            "/denunciar/enviar",
            submission_body(review),
            "application/x-www-form-urlencoded",
        )
        if not RECEIPT_RE.search(confirmation):
            raise RuntimeError("no receipt in the confirmation page")


def measure_limit(settings_kdf: crypto.KdfProfile, office: str, runs: int) -> dict[str, float]:
    """Per-complaint CPU time without HTTP or database: argon2id + sealing (median of runs)."""
    recipient = crypto.parse_recipient(office)
    pq = office.startswith("age1pq1")
    kdf_times, seal_times = [], []
    for _ in range(runs):
        code = crypto.generate_receipt()
        t0 = time.process_time()
        ident = crypto.derive_complainant_identity(
            code, os.urandom(16), pq=pq, profile=settings_kdf
        )
        t1 = time.process_time()
        recipients = [recipient, ident.recipient()]
        crypto.encrypt(FACTS.encode(), recipients)
        crypto.encrypt(PDF, recipients)
        # the draft copy sealed on arrival, to an ephemeral key
        crypto.encrypt(PDF, [crypto.HybridIdentity.generate().recipient()])
        t2 = time.process_time()
        kdf_times.append(t1 - t0)
        seal_times.append(t2 - t1)
    return {
        "kdf_ms": statistics.median(kdf_times) * 1000,
        "seal_ms": statistics.median(seal_times) * 1000,
    }


def server_cpu_seconds(master: int) -> float:
    """CPU time (user + system) of the gunicorn master and its live workers, from /proc,
    including the finished children they waited for (the sandboxed exiftool and mat2 runs
    of the file review)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == master:  # field 4: the parent's pid
                pids.append(int(entry.name))
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields 14-17: utime, stime, and the waited-for children's cutime, cstime
        total += sum(int(f) for f in fields[11:15])
    return total / ticks


def run_level(
    port: int, clients: int, duration: float, slugs: tuple[str, ...] = ()
) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker() -> None:
        c = Client(port, slugs)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                c.complaint()
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(str(exc)[:200])
                c = Client(port, slugs)
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


def prepare_instance(
    tmp: Path, url: str, *, fast_kdf: bool, entities_count: int = 1
) -> tuple[dict[str, str], Settings, str]:
    """A fresh intake instance on `url` with `entities_count` entities, each with its own
    keys: (server environment, settings, the first entity's office recipient)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("INTEGRA_")},
        "INTEGRA_ENV": "development",
        "INTEGRA_DATA_DIR": str(tmp / "data"),
        "INTEGRA_DATABASE_URL": url,
        "INTEGRA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if fast_kdf:
        env["INTEGRA_KDF_PROFILE"] = "fast"
    settings = load_settings(env)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as s:
            offices = [
                entities.create_entity(
                    s,
                    name="Entidad Bench" if n == 0 else f"Entidad Bench {n:04d}",
                    server_key=settings.secret_bytes("server_key"),
                ).entity.office_recipient
                for n in range(entities_count)
            ]
            office = offices[0]
            s.commit()
    finally:
        engine.dispose()
    return env, settings, office


def start_intake(
    env: dict[str, str], port: int, *, workers: int, threads: int = 1
) -> subprocess.Popen[bytes]:
    """The intake under gunicorn on loopback (sync workers unless threads > 1)."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return subprocess.Popen(
        [
            gunicorn,
            *("--workers", str(workers), "--threads", str(threads)),
            *("--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
            "reporting:create_app()",
        ],
        cwd=str(ROOT),
        env=env,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--fast-kdf", action="store_true", help="test KDF profile (not production)")
    parser.add_argument("--limit-runs", type=int, default=5, help="limit runs after each level")
    parser.add_argument(
        "--target", type=float, default=0.85, help="CPU efficiency at the highest level"
    )
    parser.add_argument(
        "--entities", type=int, default=1,
        help="entities on the install, each with its own keys; complaints spread over them "
        "in turn (the platform's peak filing rate)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="integra-intake-bench-"))
    pg_name = ""
    try:
        if args.database_url.startswith("postgresql"):
            base, _, _ = args.database_url.rpartition("/")
            pg_name = f"integra_bench_intake_{os.getpid()}"
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
        env, settings, office = prepare_instance(
            tmp, url, fast_kdf=args.fast_kdf, entities_count=args.entities
        )
        engine = make_engine(url)
        slugs: tuple[str, ...] = ()
        if args.entities > 1:
            with Session(engine) as s:
                slugs = tuple(s.scalars(text("SELECT slug FROM entities ORDER BY id")))

        sock = socket_port()
        proc = start_intake(env, sock, workers=args.workers)
        results = []
        filed = 1
        try:
            wait_ready(sock, proc)
            Client(sock, slugs).complaint()  # warm-up (imports, first connection)
            for n in args.levels:
                cpu_before = server_cpu_seconds(proc.pid)
                r = run_level(sock, n, args.duration, slugs)
                r["server_cpu_ms"] = (
                    (server_cpu_seconds(proc.pid) - cpu_before) * 1000 / max(r["complaints"], 1)
                )
                # The limit, measured now, in CPU time, on the machine as it is now.
                limit = measure_limit(kdf_profile(settings), office, args.limit_runs)
                r["limit_ms"] = limit["kdf_ms"] + limit["seal_ms"]
                r["kdf_ms"] = limit["kdf_ms"]
                filed += int(r["complaints"])
                results.append(r)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

        # The server measured was ours: its cases are exactly the complaints counted here.
        with Session(engine) as s:
            stored = s.scalar(text("SELECT count(*) FROM cases"))
            receiving = s.scalar(text("SELECT count(DISTINCT entity_id) FROM cases"))
        engine.dispose()
        if stored != filed:
            print(f"the database holds {stored} cases, the run counted {filed}", file=sys.stderr)
            return 1

        print(
            f"backend: {'postgresql' if pg_name else 'sqlite'}; gunicorn workers: {args.workers}; "
            f"cores: {os.cpu_count()}; KDF: {kdf_profile(settings)}; {stored} cases stored "
            f"= complaints counted; entities: {args.entities} ({receiving} received complaints)"
        )
        print(
            "| clients | complaints | complaints/s | p50 ms | p99 ms | errors | limit CPU ms "
            "| server CPU ms | CPU efficiency | served / ceiling |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            ceiling = args.workers / (r["limit_ms"] / 1000)
            r["efficiency"] = r["limit_ms"] / r["server_cpu_ms"] if r["server_cpu_ms"] else 0.0
            print(
                f"| {r['clients']} | {r['complaints']} | {r['per_second']:.2f} | "
                f"{r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['errors']} | "
                f"{r['limit_ms']:.1f} ({r['kdf_ms']:.1f} argon2id) | {r['server_cpu_ms']:.1f} | "
                f"{r['efficiency']:.2f} | {r['per_second'] / ceiling:.2f} |"
            )
            if r["first_error"]:
                print(f"  first error: {r['first_error']}")
        top = results[-1]
        missed = []
        if top["efficiency"] < args.target:
            missed.append(
                f"CPU efficiency at {top['clients']} clients: {top['efficiency']:.2f} "
                f"< {args.target:g}"
            )
        if any(r["errors"] for r in results):
            missed.append("requests failed")
        if missed:
            print("MISSED TARGETS:\n" + "\n".join(f"  {m}" for m in missed), file=sys.stderr)
            return 1
        print(f"CPU efficiency at {top['clients']} clients within target (>= {args.target:g})")
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


def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited (is the port taken by another server?)")
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

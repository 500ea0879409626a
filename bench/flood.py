"""Flood benchmark: a real complainant's filing and follow-up while the intake is flooded.

An accused official does not need to break the cryptography to silence complainants: keeping
them from filing, or from answering a subsanación within its 3 business days, is enough. This
measures what a real complainant waits for, with and without a bounded flood, against the
same server in the same run:

- the **real complainant** (one client, sequential): files complete complaints (GET
  /denunciar, POST /denunciar with text and a PDF, POST /denunciar/enviar) and follows a filed
  case (GET /seguimiento, POST the receipt, GET the case page), and times each flow;
- the **flood** (--flood-threads per kind, each loop bounded by count and time): bogus
  drafts (a form with a 1 MiB attachment, never filed), bogus complete filings (each one an
  argon2id derivation) and wrong receipts at /seguimiento.

Phases alternate, quiet / flooded / quiet / flooded ..., so a change in the machine's load
falls on both. The flood runs in a process of its own (its threads do not hold the real
complainant's interpreter lock). The intake runs as deployed (docs/operations.md): the nginx
site that `integra deploy nginx` writes (checked with `nginx -t`), reached on its onion
listener (plain HTTP on loopback, as tor connects), in front of two gunicorn masters with the
shipped config: the filing pool (--workers sync workers) and the follow-up
pool that nginx sends /seguimiento to (--followup-workers); production argon2id profile
unless --fast-kdf, on a fresh SQLite database. --one-pool sends /seguimiento to the filing
pool instead (the shape before the split), for comparison. Target: the real complainant's
median filing and follow-up under flood within --target (3x) of the same without; a busy page
or an error for the real complainant counts as a miss. Exits 1 naming each missed target.

Usage:
    .venv/bin/python bench/flood.py                      # production KDF, as deployed
    .venv/bin/python bench/flood.py --one-pool           # follow-ups in the filing pool
    .venv/bin/python bench/flood.py --rounds 2 --per-round 3 --fast-kdf   # plumbing only
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import secrets
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
for extra in (ROOT, ROOT / "bench", ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from intake_load import PDF  # noqa: E402
from intake_load import RECEIPT_RE  # noqa: E402
from intake_load import TOKEN_RE  # noqa: E402
from intake_load import _pdf  # noqa: E402
from intake_load import complaint_body  # noqa: E402
from intake_load import prepare_instance  # noqa: E402
from intake_load import socket_port  # noqa: E402
from intake_load import submission_body  # noqa: E402
from intake_load import wait_ready  # noqa: E402
from nginx_harness import check  # noqa: E402
from nginx_harness import main_config  # noqa: E402
from nginx_harness import running  # noqa: E402
from nginx_harness import site_for  # noqa: E402

from casework import deploy_configs  # noqa: E402

BIG = _pdf(lines=19_000)  # a valid PDF of about 1 MiB
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class Refused(Exception):
    """The server answered something else than the page asked for (busy page, error)."""


class Browser:
    """One person's keep-alive connection and cookie; follows no redirect by itself."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookie = ""

    def send(self, method: str, path: str, body: bytes | None = None, ctype: str = "") -> tuple:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if ctype:
            headers["Content-Type"] = ctype
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read().decode()
        except (OSError, http.client.HTTPException):
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            raise
        cookie = resp.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return resp.status, data, resp.getheader("Location") or ""

    def page(self, method: str, path: str, body: bytes | None = None, ctype: str = "") -> str:
        status, data, _ = self.send(method, path, body, ctype)
        if status != 200:
            raise Refused(f"{method} {path}: {status}")
        return data

    def form(self, attachment: bytes) -> str:
        """GET the form and POST it with an attachment: the review page."""
        self.cookie = ""
        body, ctype = complaint_body(self.page("GET", "/denunciar"), attachment, "prueba.pdf")
        return self.page("POST", "/denunciar", body, ctype)

    def file(self) -> str:
        """A whole complaint; returns the receipt."""
        body = submission_body(self.form(PDF))
        page = self.page("POST", "/denunciar/enviar", body, "application/x-www-form-urlencoded")
        found = RECEIPT_RE.search(page)
        if not found:
            raise Refused("no receipt on the confirmation page")
        return re.sub(r"<[^>]+>", "", found.group(1))

    def follow(self, receipt: str) -> int:
        """Receipt login and the case page; returns the login's status."""
        self.cookie = ""
        token = TOKEN_RE.search(self.page("GET", "/seguimiento"))
        fields = [("receipt", receipt)] + ([("csrf_token", token.group(1))] if token else [])
        body = urllib.parse.urlencode(fields).encode()
        status, _, location = self.send(
            "POST", "/seguimiento", body, "application/x-www-form-urlencoded"
        )
        if status == 303 and location:
            self.page("GET", urllib.parse.urlparse(location).path or "/seguimiento")
        return status


def wrong_receipt() -> str:
    return "-".join("".join(secrets.choice(CROCKFORD) for _ in range(4)) for _ in range(4))


KINDS = ("drafts", "filings", "wrong receipts", "refused")


class Flood:
    """A process of threads sending bogus drafts, filings and wrong receipts until stopped
    (each thread bounded by count)."""

    def __init__(self, port: int, threads: int, max_requests: int) -> None:
        self.port, self.threads, self.max_requests = port, threads, max_requests
        self.stop = multiprocessing.Event()
        self.ready = multiprocessing.Event()
        self.counts = multiprocessing.Array("i", len(KINDS))
        self.process = multiprocessing.Process(target=self._run, daemon=True)
        self.sent: dict[str, int] = {}

    def _loop(self, kind: str) -> None:
        b = Browser(self.port)
        for _ in range(self.max_requests):
            if self.stop.is_set():
                return
            try:
                if kind == "drafts":
                    b.form(BIG)
                elif kind == "filings":
                    b.file()
                else:
                    if b.follow(wrong_receipt()) != 422:
                        raise Refused("a wrong receipt was not refused with 422")
                done = kind
            except (Refused, OSError, http.client.HTTPException):
                done = "refused"
            with self.counts.get_lock():
                self.counts[KINDS.index(done)] += 1

    def _run(self) -> None:
        workers = [
            threading.Thread(target=self._loop, args=(kind,), daemon=True)
            for kind in KINDS[:3]
            for _ in range(self.threads)
        ]
        for t in workers:
            t.start()
        self.ready.set()
        for t in workers:
            t.join(timeout=300)

    def __enter__(self) -> Flood:
        self.process.start()
        self.ready.wait(timeout=60)
        time.sleep(1.0)  # let the flood reach the server first
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.process.join(timeout=300)
        if self.process.is_alive():
            self.process.kill()
        self.sent = {kind: self.counts[i] for i, kind in enumerate(KINDS)}


def start_pool(
    env: dict[str, str], app: str, port: int, workers: int, nice: int
) -> subprocess.Popen[bytes]:
    """One gunicorn master with the shipped config (INTEGRA_APP picks the pool)."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    pool_env = {
        **env,
        "INTEGRA_APP": app,
        "INTEGRA_BIND": f"127.0.0.1:{port}",
        "INTEGRA_WORKERS": str(workers),
        "INTEGRA_TRUSTED_PROXIES": "1",
    }
    command = [gunicorn, "--config", str(deploy_configs.GUNICORN_CONF), "reporting:create_app()"]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    return subprocess.Popen(command, cwd=str(ROOT), env=pool_env)


def spread(times: list[float]) -> str:
    if not times:
        return "no sample"
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{ordered[0]:.0f} / {statistics.median(ordered):.0f} / {p95:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=2, help="filing pool's sync workers")
    parser.add_argument("--followup-workers", type=int, default=1, help="follow-up pool's")
    parser.add_argument(
        "--one-pool", action="store_true", help="/seguimiento to the filing pool (no split)"
    )
    parser.add_argument(
        "--filing-nice", type=int, default=0, help="run the filing pool at this nice (tried)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="quiet/flooded phase pairs")
    parser.add_argument("--per-round", type=int, default=4, help="real filings and follow-ups")
    parser.add_argument("--flood-threads", type=int, default=2, help="threads per flood kind")
    parser.add_argument("--flood-max", type=int, default=2000, help="requests per flood thread")
    parser.add_argument("--target", type=float, default=3.0, help="flooded/quiet, median")
    parser.add_argument("--fast-kdf", action="store_true", help="test KDF profile (not production)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="integra-flood-bench-"))
    try:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        env, _settings, _office = prepare_instance(tmp, url, fast_kdf=args.fast_kdf)
        intake_port, followup_port, port = socket_port(), socket_port(), socket_port()
        pools = [start_pool(env, "intake", intake_port, args.workers, args.filing_nice)]
        if not args.one_pool:
            pools.append(start_pool(env, "followup", followup_port, args.followup_workers, 0))
        times: dict[str, dict[str, list[float]]] = {
            phase: {"filing": [], "follow-up": []} for phase in ("quiet", "flooded")
        }
        failures: dict[str, list[str]] = {"quiet": [], "flooded": []}
        totals = dict.fromkeys(KINDS, 0)
        try:
            wait_ready(intake_port, pools[0])
            if not args.one_pool:
                wait_ready(followup_port, pools[1])
            prefix = tmp / "nginx"
            site = site_for(
                prefix,
                intake=f"127.0.0.1:{intake_port}",
                followup="" if args.one_pool else f"127.0.0.1:{followup_port}",
                casework=f"127.0.0.1:{socket_port()}",  # not started: the intake is measured
                port=socket_port(),
                onion_port=port,
            )
            conf = main_config(prefix, site)
            checked = check(conf, prefix)
            if checked.returncode != 0:
                print(f"nginx -t refused the site:\n{checked.stderr}", file=sys.stderr)
                return 2
            with running(conf, prefix, port):
                person = Browser(port)
                receipt = person.file()  # warm-up, and the case the person follows

                def real_complainant(phase: str) -> None:
                    for _ in range(args.per_round):
                        for flow in ("filing", "follow-up"):
                            t0 = time.perf_counter()
                            try:
                                if flow == "filing":
                                    person.file()
                                elif person.follow(receipt) != 303:
                                    raise Refused("the real receipt did not open the case")
                            except (Refused, OSError, http.client.HTTPException) as exc:
                                failures[phase].append(f"{flow}: {exc}")
                                continue
                            times[phase][flow].append((time.perf_counter() - t0) * 1000)

                for _ in range(args.rounds):
                    real_complainant("quiet")
                    flood = Flood(port, args.flood_threads, args.flood_max)
                    with flood:
                        real_complainant("flooded")
                    for kind, n in flood.sent.items():
                        totals[kind] += n
        finally:
            for proc in pools:
                proc.terminate()
                proc.wait(timeout=60)
        load = os.getloadavg()

        followup = "in the filing pool" if args.one_pool else f"{args.followup_workers} worker(s)"
        print(
            f"nginx (onion listener) -> filing pool: {args.workers} sync workers at nice "
            f"{args.filing_nice}; follow-up pool: {followup}; "
            f"cores: {os.cpu_count()}; load average at the end: "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; KDF: "
            f"{'fast (test)' if args.fast_kdf else 'production'}; flood: {args.flood_threads} "
            f"thread(s) each of bogus drafts (1 MiB), bogus filings and wrong receipts"
        )
        print(
            "flood sent: "
            + ", ".join(f"{n:,} {kind}" for kind, n in totals.items() if kind != "refused")
            + f"; {totals['refused']:,} answered otherwise (busy page, error)"
        )
        print("| real complainant | quiet ms (min / median / p95) | flooded ms | ratio | target |")
        print("|---|---:|---:|---:|---|")
        missed: list[str] = []
        for flow in ("filing", "follow-up"):
            quiet, flooded = times["quiet"][flow], times["flooded"][flow]
            if not quiet or not flooded:
                missed.append(f"{flow}: no successful sample")
                continue
            ratio = statistics.median(flooded) / statistics.median(quiet)
            ok = ratio <= args.target
            if not ok:
                missed.append(f"{flow}: flooded/quiet {ratio:.2f} > {args.target:g}")
            verdict = f"<= {args.target:g}: {'met' if ok else 'MISSED'}"
            print(f"| {flow} | {spread(quiet)} | {spread(flooded)} | {ratio:.2f} | {verdict} |")
        for phase, errors in failures.items():
            if errors:
                missed.append(f"{len(errors)} {phase} flow(s) refused: {errors[0]}")
        if missed:
            print("MISSED TARGETS:\n" + "\n".join(f"  {m}" for m in missed), file=sys.stderr)
            return 1
        print(f"the real complainant within {args.target:g}x under flood")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

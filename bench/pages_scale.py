"""Casework pages at scale: whole requests (WSGI, login session, queries, template) at 1k and 1M.

bench/inbox_scale.py times the queries alone; this times what the officer waits for: the inbox
(by filing date, by deadline, a code search), the due/overdue view, a case page (the report
decrypted with the office key held in the officer's key session) and the statistics page,
through the casework app's own request handling (Flask's test client: everything but the
socket). Each database holds the synthetic cases of inbox_scale.py plus one complaint filed
through the real intake service, whose page is the one opened.

The two sizes are loaded side by side and every page is requested small/large alternately,
so a change in the machine's load falls on both. Target: each page at the large size within
--ratio-target (2x) of the small one, median against median; the script exits 1 naming each
page that missed it. The statistics page is reported without a target: it aggregates every
case of the period (one GROUP BY pass in the database), so its cost grows with the cases.

Usage:
    .venv/bin/python bench/pages_scale.py                       # both backends, 1k and 1M
    .venv/bin/python bench/pages_scale.py --sizes 1000 100000 --backends sqlite --repeat 5

The officers' logins use the test KDF profile (not timed); the pages do the production work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench", ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from inbox_scale import Loaded  # noqa: E402
from inbox_scale import Rows  # noqa: E402
from inbox_scale import exit_status  # noqa: E402
from inbox_scale import interleaved_ms  # noqa: E402
from inbox_scale import verdicts  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from casework import create_app  # noqa: E402
from config import Settings  # noqa: E402
from config import load_settings  # noqa: E402
from core.access import entities  # noqa: E402
from core.access import officers  # noqa: E402
from core.law.enums import Role  # noqa: E402
from core.services.intake import UploadedEvidence  # noqa: E402
from core.storage import migrate  # noqa: E402
from core.storage.models import CaseCounter  # noqa: E402

PASSWORD = "correct horse battery staple"  # noqa: S105 - a throw-away bench database
# inbox_scale's synthetic cases name officers 1-3 of entity 1: created here in that order.
OFFICERS = (("jefa", Role.HEAD), ("ana", Role.OFFICER), ("beto", Role.OFFICER))


def bench_settings(data_dir: Path, url: str) -> Settings:
    return load_settings(
        {
            "INTEGRA_ENV": "testing",
            "INTEGRA_DATA_DIR": str(data_dir),
            "INTEGRA_DATABASE_URL": url,
            "INTEGRA_KDF_PROFILE": "fast",
            "INTEGRA_WRAP_WORK_FACTOR": "10",
        }
    )


class Office:
    """A real entity with keys and officers, prepared before the bulk load."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.totp: dict[str, str] = {}
        self.keys: entities.EntityKeys | None = None

    def prepare(self, engine: Engine) -> None:
        migrate.upgrade(engine)
        server_key = self.settings.secret_bytes("server_key")
        with Session(engine, expire_on_commit=False) as session:
            self.keys = entities.create_entity(
                session, name="Entidad de Prueba", server_key=server_key, post_quantum=False
            )
            for username, role in OFFICERS:
                new = officers.add_officer(
                    session,
                    entity=self.keys.entity,
                    username=username,
                    role=role,
                    kdf=self.settings.kdf,
                    server_key=server_key,
                    password=PASSWORD,
                )
                new.officer.must_change_password = False
                new.officer.totp_confirmed = True
                self.totp[username] = new.totp_secret
                purposes = ("office", "vault") if role is Role.HEAD else ("office",)
                for purpose in purposes:
                    entities.wrap_for_officer(
                        session,
                        officer=new.officer,
                        purpose=purpose,
                        identity=self.keys.office if purpose == "office" else self.keys.vault,
                        passphrase=PASSWORD,
                        work_factor=self.settings.wrap_work_factor,
                    )
            session.commit()

    def file_real_case(self, engine: Engine) -> str:
        """One complaint through the real intake service, after the synthetic load."""
        from case_factory import make_case  # tests/case_factory.py: the real submit_report

        assert self.keys is not None
        now = dt.datetime.now(dt.UTC)
        with Session(engine, expire_on_commit=False) as session:
            # The synthetic codes were not counted: number this one past them.
            session.merge(CaseCounter(entity_id=self.keys.entity.id, year=now.year, last=0))
            session.execute(
                update(CaseCounter)
                .where(CaseCounter.entity_id == self.keys.entity.id)
                .values(last=900_000)
            )
            data = b"%PDF-1.4 evidencia " * 2000
            evidence = UploadedEvidence(
                filename="prueba.txt",
                content_type="text/plain",
                stream=io.BytesIO(data),
                size=len(data),
            )
            receipt = make_case(
                session,
                self.settings,
                self.keys,
                attachments=[evidence],
                now=now,
                identified=True,
            )
            session.commit()
            return receipt.case.code


def logged_in_client(settings: Settings, engine: Engine, office: Office) -> object:
    app = create_app(settings, engine=engine)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    first = client.post("/login", data={"username": "jefa", "password": PASSWORD})
    step = officers.totp_step(dt.datetime.now(dt.UTC))
    code = officers.totp_code(office.totp["jefa"], step)
    second = client.post(first.headers["Location"], data={"code": code})
    if second.status_code != 302 or "/login" in second.headers.get("Location", ""):
        raise SystemExit(f"bench login failed: {second.status_code}")
    return client


def pages(client: object, case_code: str) -> dict[str, Callable[[], object]]:
    def get(path: str, must_contain: str) -> Callable[[], object]:
        def fetch() -> object:
            response = client.get(path)  # type: ignore[attr-defined]
            body = response.get_data(as_text=True)
            if response.status_code != 200 or must_contain not in body:
                raise SystemExit(f"{path}: {response.status_code}, {must_contain!r} not shown")
            return response

        return fetch

    return {
        "inbox (by filing date)": get("/bandeja", case_code),
        "inbox (by deadline)": get("/bandeja?orden=plazo", "D-20"),
        "inbox, code search 'D-2025'": get("/bandeja?codigo=D-2025", "D-2025-"),
        "due/overdue view": get("/vencimientos", "D-20"),
        "case page (decrypted)": get(f"/denuncias/{case_code}", "combustible"),
        "statistics": get("/estadisticas", "<table"),
    }


def serve_pages(
    db: Loaded,
    data_dir: Path,
    rows: Rows | None = None,
    also: Callable[[Engine], None] | None = None,
) -> dict[str, Callable[[], object]]:
    """Load `db` (a real entity and officers, `rows` or its synthetic cases, then whatever
    `also` adds), file one real complaint, log the head in; the timed page requests."""
    settings = bench_settings(data_dir, db.url)
    office = Office(settings)

    def prepare(engine: Engine) -> None:
        office.prepare(engine)
        if also is not None:
            also(engine)

    db.load(prepare, rows)
    code = office.file_real_case(db.engine)
    return pages(logged_in_client(settings, db.engine, office), code)


def time_pages(
    small: dict[str, Callable[[], object]], large: dict[str, Callable[[], object]], repeat: int
) -> dict[str, tuple[list[float], list[float]]]:
    return {name: interleaved_ms(small[name], large[name], repeat) for name in small}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--ratio-target", type=float, default=2.0, help="large/small, median")
    parser.add_argument("--limit-ms", type=float, default=1000.0, help="large, median")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("INTEGRA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    sizes = (args.sizes[0], args.sizes[1])
    missed: list[str] = []
    for backend in args.backends:
        print(f"{backend}:", flush=True)
        with tempfile.TemporaryDirectory(prefix="integra-pages-") as tmp:
            dbs = [Loaded(backend, n, pg_url, keep=False) for n in sizes]
            try:
                small, large = (serve_pages(db, Path(tmp) / str(db.n)) for db in dbs)
                results = time_pages(small, large, args.repeat)
            finally:
                for db in dbs:
                    db.close()
        rows = verdicts(
            results,
            sizes,
            ratio_target=args.ratio_target,
            limit_ms=args.limit_ms,
            # A period aggregate reads every case of the period once (GROUP BY in the
            # database): linear by nature, reported beside the others, not held to 2x.
            reference=lambda name: name == "statistics",
        )
        missed.extend(f"{backend}: {name}" for name in rows)
        medians = {name: statistics.median(b) for name, (_, b) in results.items()}
        print(f"  slowest page at {sizes[1]:,}: {max(medians, key=medians.__getitem__)}\n")
    return exit_status(missed, f"all pages within {args.ratio_target:g}x and {args.limit_ms:g} ms")


if __name__ == "__main__":
    raise SystemExit(main())

"""Many entities on one install (issue 13): the intake's directory search and entity pages
at 2,500 entities against 1 entity, in the same run, on SQLite and PostgreSQL.

Two databases are built side by side: one holding a single entity (the Ministerio de
Educación) and one holding it among 2,500 (--entities) with Peru's skew of names: 19
ministries, 25 regional governments, 196 provincial and ~1,870 district municipalities,
220 UGEL education units, the rest agencies and hospitals, each with its region. Views are
timed round by round, small and large interleaved (order alternating), and the medians
compared:

  search "educacion" (core)          core.access.directory.search, the query only
  search "municipalidad ... cusco"   a three-word search (core)
  search "distrital provincial"      two common words no entity carries together (core)
  search "local educacion"           two common words 220 entities carry together (core)
  search "municipalidad"             one word most entities carry (core; capped listing)
  GET /entidades?q=educacion         the directory page through the WSGI app, template included
  GET /e/<slug>/                     an entity's own intake address
  GET /denunciar?entidad=<slug>      the complaint form with the entity chosen
  GET /                              the landing page (it asks whether there are several)

Target (issue 13): each view at 2,500 entities within --ratio-target (2x) of the same view at
one entity, and under --ms-target (100 ms). Exits 1 naming each missed target on stderr
("MISSED TARGETS:"). The figures go in docs/performance.md.

Usage:
    .venv/bin/python bench/entities.py                    # both backends, 1 vs 2,500
    .venv/bin/python bench/entities.py --backends sqlite --rounds 11
    INTEGRA_BENCH_PG=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python ...
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from config import Settings  # noqa: E402
from config import load_settings  # noqa: E402
from core.access import directory  # noqa: E402
from core.services import entities_admin  # noqa: E402
from core.storage import migrate  # noqa: E402
from core.storage.db import make_engine  # noqa: E402
from core.storage.models import Entity  # noqa: E402
from core.storage.models import EntityTerm  # noqa: E402

TARGET_NAME = "Ministerio de Educación"
TARGET_SLUG = "ministerio-de-educacion"
REGIONS = (
    (
        "Amazonas Áncash Apurímac Arequipa Ayacucho Cajamarca Callao Cusco Huancavelica Huánuco "
        "Ica Junín La-Libertad Lambayeque Lima Loreto Madre-de-Dios Moquegua Pasco Piura Puno "
        "San-Martín Tacna Tumbes Ucayali"
    )
    .replace("-", "\u00a0")
    .split()
)
MINISTRIES = (
    "Agricultura", "Ambiente", "Comercio Exterior", "Cultura", "Defensa", "Economía",
    "Energía y Minas", "Interior", "Justicia", "la Mujer", "la Producción",
    "Relaciones Exteriores", "Salud", "Trabajo", "Transportes", "Vivienda",
    "Desarrollo e Inclusión Social", "Desarrollo Agrario",
)  # fmt: skip


def region_name(i: int) -> str:
    return REGIONS[i % len(REGIONS)].replace("\u00a0", " ")


def synthetic_names(total: int) -> Iterator[tuple[str, str, str, str]]:
    """(name, acronym, sector, region) for `total - 1` entities besides the target."""
    rng = random.Random(1327)
    made = 0

    def emit(name: str, acronym: str, sector: str, region: str) -> tuple[str, str, str, str]:
        nonlocal made
        made += 1
        return name, acronym, sector, region

    plan: list[tuple[str, str, str, str]] = []
    plan += [(f"Ministerio de {m}", "", "Gobierno nacional", "Lima") for m in MINISTRIES]
    plan += [(f"Gobierno Regional de {region_name(i)}", f"GORE {region_name(i)}",
              "Gobierno regional", region_name(i)) for i in range(len(REGIONS))]  # fmt: skip
    plan += [(f"Municipalidad Provincial {i:03d} de {region_name(i)}", "", "Gobierno local",
              region_name(i)) for i in range(196)]  # fmt: skip
    plan += [(f"Unidad de Gestión Educativa Local {i:03d} {region_name(i)}", f"UGEL {i:03d}",
              "Educación", region_name(i)) for i in range(220)]  # fmt: skip
    plan += [(f"Hospital Regional {i:03d} de {region_name(i)}", "", "Salud", region_name(i))
             for i in range(60)]  # fmt: skip
    district = 0
    while len(plan) < total - 1:
        region = region_name(rng.randrange(len(REGIONS)))
        plan.append((f"Municipalidad Distrital {district:04d} de {region}", "",
                     "Gobierno local", region))  # fmt: skip
        district += 1
    for row in plan[: total - 1]:
        yield emit(*row)


def _settings(data_dir: Path, url: str) -> Settings:
    return load_settings(
        {
            "INTEGRA_ENV": "testing",
            "INTEGRA_DATA_DIR": str(data_dir),
            "INTEGRA_DATABASE_URL": url,
            "INTEGRA_KDF_PROFILE": "fast",
        }
    )


def build(url: str, settings: Settings, total: int) -> None:
    """Schema, the target entity with real keys, and `total - 1` others (directory rows)."""
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            target = entities_admin.add_entity(
                session, settings, name=TARGET_NAME, acronym="MINEDU", sector="Educación",
                region="Lima",
            ).keys.entity  # fmt: skip
            rows = []
            for i, (name, acronym, sector, region) in enumerate(synthetic_names(total)):
                slug = f"e{i:05d}-" + directory.fold(name).replace(" ", "-")[:50]
                rows.append(
                    {
                        "slug": slug, "name": name, "acronym": acronym, "sector": sector,
                        # Rows as large as real ones (post-quantum recipients, ~2 KB
                        # each); these keys are never used: only the target files.
                        "region": region, "office_recipient": target.office_recipient,
                        "vault_recipient": target.vault_recipient,
                        "signing_public_key": target.signing_public_key,
                        "signing_key_sealed": target.signing_key_sealed, "case_prefix": "D",
                        "search_text": directory.search_text(
                            name=name, acronym=acronym, sector=sector, region=region, slug=slug
                        ),
                    }
                )  # fmt: skip
            for start in range(0, len(rows), 500):
                session.execute(insert(Entity), rows[start : start + 500])
            session.flush()
            terms = [
                {"term": term, "entity_id": entity_id}
                for entity_id, folded in session.execute(select(Entity.id, Entity.search_text))
                if entity_id != target.id
                for term in directory.terms_of(folded)
            ]
            for start in range(0, len(terms), 2000):
                session.execute(insert(EntityTerm), terms[start : start + 2000])
            session.commit()
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("ANALYZE entities"))
                conn.execute(text("ANALYZE entity_terms"))
                conn.commit()
    finally:
        engine.dispose()


@contextmanager
def database(backend: str, name: str, pg_url: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir}/{name}.sqlite3"
        return
    base, _, _ = pg_url.rpartition("/")
    admin = create_engine(
        (base + "/postgres").replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    db_name = f"integra_bench_entities_{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield f"{base}/{db_name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


class Site:
    """One database with its intake app; the views as callables (each checks its answer)."""

    def __init__(self, url: str, settings: Settings) -> None:
        from reporting import create_app

        self.engine = make_engine(url)
        self.app = create_app(settings, engine=self.engine)
        self.client = self.app.test_client()

    def _get(self, path: str, status: int = 200, contains: str = "") -> Callable[[], None]:
        def view() -> None:
            response = self.client.get(path)
            body = response.get_data(as_text=True)
            if response.status_code != status or contains not in body:
                raise RuntimeError(f"GET {path}: {response.status_code}")

        return view

    def _search(self, query: str, expect: str | None) -> Callable[[], None]:
        def view() -> None:
            with Session(self.engine) as session:
                found = directory.search(session, query)
                names = [e.name for e in found.entities]
                if expect is not None and expect not in names:
                    raise RuntimeError(f"search {query!r} did not find {expect!r}")

        return view

    def views(self) -> dict[str, Callable[[], None]]:
        return {
            'search "educacion" (core)': self._search("educacion", TARGET_NAME),
            'search "municipalidad distrital cusco"': self._search(
                "municipalidad distrital cusco", None
            ),
            # Two words each carried by hundreds of entities: by none together (provincial
            # and district municipalities), and by the 220 UGELs together.
            'search "distrital provincial" (core)': self._search("distrital provincial", None),
            'search "local educacion" (core)': self._search("local educacion", None),
            # One word that ~2,100 of the 2,500 entities carry: the listing is capped.
            'search "municipalidad" (core)': self._search("municipalidad", None),
            "GET /entidades?q=municipalidad": self._get("/entidades?q=municipalidad"),
            "GET /entidades?q=educacion": self._get("/entidades?q=educacion", contains=TARGET_NAME),
            "GET /e/<slug>/": self._get(f"/e/{TARGET_SLUG}/", contains=TARGET_NAME),
            "GET /denunciar?entidad=<slug>": self._get(
                f"/denunciar?entidad={TARGET_SLUG}", contains=TARGET_NAME
            ),
            "GET /": self._get("/"),
        }

    def close(self) -> None:
        self.engine.dispose()


def _ms(fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure(small: Site, large: Site, rounds: int) -> dict[str, tuple[float, float]]:
    """Median ms per view, small and large interleaved round by round (order alternating)."""
    a_views, b_views = small.views(), large.views()
    for fn in (*a_views.values(), *b_views.values()):
        fn()  # warm: templates compiled, connections open, caches filled
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in a_views}
    for r in range(rounds):
        for name in a_views:
            if r % 2:
                times[name][1].append(_ms(b_views[name]))
                times[name][0].append(_ms(a_views[name]))
            else:
                times[name][0].append(_ms(a_views[name]))
                times[name][1].append(_ms(b_views[name]))
    return {k: (statistics.median(a), statistics.median(b)) for k, (a, b) in times.items()}


def run_backend(backend: str, args: argparse.Namespace, pg_url: str) -> list[str]:
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="integra-bench-entities-") as tmp:
        work = Path(tmp)
        settings = _settings(work / "instance", "sqlite://")
        with (
            database(backend, "one", pg_url, work) as url_one,
            database(backend, "many", pg_url, work) as url_many,
        ):
            started = time.perf_counter()
            build(url_one, settings, 1)
            build(url_many, settings, args.entities)
            print(f"  built 1 and {args.entities:,} entities in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
            small, large = Site(url_one, settings), Site(url_many, settings)
            try:
                results = measure(small, large, args.rounds)
            finally:
                small.close()
                large.close()
    header = f"{'view':<40} {'1 entity ms':>12} {f'{args.entities:,} ms':>10} {'ratio':>6}"
    print(f"\n  {header}  target")
    for name, (one, many) in results.items():
        ratio = many / one if one else float("inf")
        problems = []
        if ratio > args.ratio_target:
            problems.append(f"{ratio:.2f}x > {args.ratio_target}x")
        if many > args.ms_target:
            problems.append(f"{many:.2f} ms > {args.ms_target} ms")
        verdict = "ok" if not problems else "MISSED"
        print(f"  {name:<40} {one:>12.2f} {many:>10.2f} {ratio:>6.2f}  {verdict}")
        missed += [f"{backend} {name}: {p}" for p in problems]
    print(flush=True)
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entities", type=int, default=2_500)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--ratio-target", type=float, default=2.0)
    parser.add_argument("--ms-target", type=float, default=100.0)
    args = parser.parse_args(argv)
    if args.entities < 2:
        parser.error("--entities must be at least 2")
    pg_url = os.environ.get("INTEGRA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    missed: list[str] = []
    for backend in args.backends:
        print(f"{backend}:", flush=True)
        missed += run_backend(backend, args, pg_url)
    if missed:
        print("MISSED TARGETS:\n" + "\n".join(f"  {m}" for m in missed), file=sys.stderr)
        return 1
    print("every view within target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

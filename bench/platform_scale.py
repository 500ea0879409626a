"""An officer's pages on a platform of many entities (issue 13): one entity alone against the
same entity among 2,500 tenants holding a million complaints, in the same run.

Both databases hold the measured entity with the same --cases synthetic complaints (those of
bench/inbox_scale.py), its three officers and one complaint filed through the real intake
service. The large one adds --entities - 1 other tenants whose complaints follow a Zipf skew
(the n-th largest tenant has n^-1.3 of the largest one's: a few ministries with tens or
hundreds of thousands, most district municipalities with a handful), --platform-cases in
all. The head of the measured entity logs in and the script requests the inbox, a code
search, the due view, the decrypted case page and the statistics through the casework app
(Flask's test client: everything but the socket), small and large interleaved. Target: each
page among the tenants within --ratio-target (2x) of the entity alone; exits 1 naming each
missed target.

Usage:
    .venv/bin/python bench/platform_scale.py                     # both backends
    .venv/bin/python bench/platform_scale.py --backends sqlite --entities 300 \\
        --platform-cases 20000 --cases 500 --repeat 3            # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench", ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from inbox_scale import Loaded  # noqa: E402
from inbox_scale import exit_status  # noqa: E402
from inbox_scale import synthetic  # noqa: E402
from inbox_scale import verdicts  # noqa: E402
from pages_scale import serve_pages  # noqa: E402
from pages_scale import time_pages  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from core.storage.models import Entity  # noqa: E402

# Column positions in inbox_scale's synthetic rows.
_CASE_ID, _CASE_ENTITY, _CASE_LOOKUP, _CASE_OFFICER = 0, 1, 11, 16
_DL_ID, _DL_ENTITY, _DL_CASE, _DL_OFFICER = 0, 1, 2, 3


# 2,500 tenants, a million complaints: the largest ~277,000, the median 26, ~1,000 with <= 20.
ZIPF = 1.3


def tenant_sizes(entities: int, total: int) -> list[int]:
    """Complaints per other tenant, Zipf-skewed, at least one each, about `total` in all."""
    ranks = range(1, entities)
    scale = total / sum(r**-ZIPF for r in ranks)
    return [max(1, round(scale * r**-ZIPF)) for r in ranks]


def other_tenants(sizes: list[int], first_case_id: int) -> Iterator[tuple[Any, list[Any]]]:
    """Rows for tenants 2, 3, ...: inbox_scale's synthetic cases re-homed, unassigned."""
    next_id = itertools.count(first_case_id)
    for entity_id, k in enumerate(sizes, start=2):
        for case, dls in synthetic(k, seed=entity_id):
            cid = next(next_id)
            row = list(case)
            row[_CASE_ID], row[_CASE_ENTITY], row[_CASE_OFFICER] = cid, entity_id, None
            row[_CASE_LOOKUP] = f"{cid:064x}"  # receipt lookups are unique install-wide
            clocks = []
            for d in dls:
                clock = list(d)
                clock[_DL_ID], clock[_DL_ENTITY], clock[_DL_CASE], clock[_DL_OFFICER] = (
                    cid,
                    entity_id,
                    cid,
                    None,
                )
                clocks.append(tuple(clock))
            yield tuple(row), clocks


def add_tenants(engine: Engine, count: int) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": i,
            "slug": f"entidad-{i}",
            "name": f"Municipalidad Distrital {i}",
            "office_recipient": "age1x",
            "vault_recipient": "age1y",
            "signing_public_key": b"k",
            "signing_key_sealed": b"k",
            "case_prefix": "D",
            "created_at": now,
        }
        for i in range(2, count + 1)
    ]
    with engine.begin() as conn:
        if rows:
            conn.execute(insert(Entity), rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--entities", type=int, default=2500)
    parser.add_argument("--platform-cases", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=5000, help="the measured entity's")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--ratio-target", type=float, default=2.0)
    parser.add_argument("--limit-ms", type=float, default=1000.0)
    args = parser.parse_args(argv)
    pg_url = os.environ.get("INTEGRA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    sizes = tenant_sizes(args.entities, args.platform_cases)
    print(
        f"{args.entities:,} entities, {sum(sizes) + args.cases:,} complaints; the largest "
        f"tenants hold {sizes[0]:,}, {sizes[1]:,}, {sizes[2] if len(sizes) > 2 else 0:,}; "
        f"{sum(1 for s in sizes if s <= 20):,} hold 20 or fewer; the measured entity "
        f"{args.cases:,}",
        flush=True,
    )
    missed: list[str] = []
    for backend in args.backends:
        print(f"{backend}:", flush=True)
        with tempfile.TemporaryDirectory(prefix="integra-platform-") as tmp:
            alone = Loaded(backend, args.cases, pg_url, False, "integra_bench_platform_alone")
            many = Loaded(backend, args.cases, pg_url, False, "integra_bench_platform_many")
            try:
                rows = itertools.chain(synthetic(args.cases), other_tenants(sizes, args.cases + 1))
                small = serve_pages(alone, Path(tmp) / alone.db_name)
                large = serve_pages(
                    many,
                    Path(tmp) / many.db_name,
                    rows,
                    also=lambda engine: add_tenants(engine, args.entities),
                )
                results = time_pages(small, large, args.repeat)
            finally:
                alone.close()
                many.close()
        rows_missed = verdicts(
            results,
            (1, args.entities),
            ratio_target=args.ratio_target,
            limit_ms=args.limit_ms,
            reference=lambda name: False,
        )
        missed.extend(f"{backend}: {name}" for name in rows_missed)
        print(flush=True)
    return exit_status(
        missed, f"every page among {args.entities:,} entities within {args.ratio_target:g}x"
    )


if __name__ == "__main__":
    raise SystemExit(main())

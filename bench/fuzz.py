"""A long HTTP-level fuzz run over every form of both apps (tests/fuzzing.py): the CI test
sends 2,400 inputs; this sends --count (default 20,000) on a fresh database, SQLite by
default or INTEGRA_DATABASE_URL (a PostgreSQL server database: a throwaway one is created
and dropped). Exits 1 on any 5xx or escaping exception, naming the first ones.

Usage: .venv/bin/python bench/fuzz.py [--count 20000] [--seed 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import fuzzing  # noqa: E402
from factories import make_settings  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import text  # noqa: E402

from core.storage import migrate  # noqa: E402
from core.storage.db import make_engine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="integra-bench-fuzz-"))
    server = os.environ.get("INTEGRA_DATABASE_URL", "")
    dropped = None
    if server.startswith("postgresql"):
        name = "integra_fuzz_" + uuid.uuid4().hex[:8]
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.rsplit("/", 1)[0] + "/" + name
        dropped = (admin, name)
    else:
        url = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    settings = make_settings(tmp / "instance", url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.monotonic()
    try:
        result = fuzzing.run(settings, engine, count=args.count, seed=args.seed)
    finally:
        engine.dispose()
        if dropped is not None:
            with dropped[0].connect() as conn:
                conn.execute(text(f'DROP DATABASE "{dropped[1]}"'))
    elapsed = time.monotonic() - started
    print(f"database: {engine.dialect.name}")
    print(f"requests: {result.requests} in {elapsed:.1f} s ({result.requests / elapsed:.0f}/s)")
    print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items())))
    print(f"5xx or exceptions: {len(result.failures)}")
    for line in result.failures[:20]:
        print("  " + line)
    return 1 if result.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Server CPU per receipt login attempt: a wrong receipt against a right one.

Files one complaint with the production argon2id profile, then times, in CPU seconds of
this process (time.process_time), --misses wrong receipts and --hits right ones through
core.services.followup.open_receipt, the function behind POST /seguimiento. A wrong receipt
must cost a keyed lookup, not a derivation: the target is a miss at most 1/--min-ratio of a
hit (default 100), and the script exits 1 naming a missed target.

Usage: .venv/bin/python bench/receipt_cost.py [--misses 2000] [--hits 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

import crypto  # noqa: E402
from config import load_settings  # noqa: E402
from core.access import entities  # noqa: E402
from core.law.enums import Modality  # noqa: E402
from core.law.enums import Motive  # noqa: E402
from core.services import followup  # noqa: E402
from core.services import intake  # noqa: E402
from core.storage import migrate  # noqa: E402
from core.storage.db import make_engine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=2000)
    parser.add_argument("--hits", type=int, default=5)
    parser.add_argument("--min-ratio", type=float, default=100.0)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="integra-bench-receipt-"))
    settings = load_settings(
        {
            "INTEGRA_ENV": "development",
            "INTEGRA_DATA_DIR": str(tmp),
            "INTEGRA_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        }
    )
    settings = dataclasses.replace(settings, post_quantum=True)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        ent = entities.create_entity(
            session,
            name="Entidad",
            server_key=settings.secret_bytes("server_key"),
            post_quantum=True,
        )
        draft = intake.ReportDraft(
            modality=Modality.ANONYMOUS,
            motives=(Motive.IRREGULAR_PROCUREMENT,),
            facts="Hechos de prueba para medir el costo del seguimiento.",
            occurred_when="",
            occurred_where="",
            persons_reported=(),
            witnesses="",
            documents_location="",
            commitment=True,
        )
        receipt = intake.submit_report(
            session,
            entity=ent.entity,
            draft=draft,
            attachments=[],
            settings=settings,
            now=dt.datetime.now(dt.UTC),
        ).formatted
        session.commit()

        wrong = [crypto.format_receipt(crypto.generate_receipt()) for _ in range(args.misses)]
        t = time.process_time()
        for code in wrong:
            assert followup.open_receipt(session, code, settings) is None
        miss = (time.process_time() - t) / args.misses
        hits = []
        for _ in range(args.hits):
            t = time.process_time()
            assert followup.open_receipt(session, receipt, settings) is not None
            hits.append(time.process_time() - t)
    engine.dispose()
    hit = statistics.median(hits)
    kdf = settings.kdf
    print(f"argon2id profile: t={kdf.time_cost}, m={kdf.memory_cost_kib} KiB, p={kdf.parallelism}")
    print(f"CPU per wrong receipt: {miss * 1e3:.3f} ms (mean of {args.misses})")
    print(f"CPU per right receipt: {hit * 1e3:.1f} ms (median of {args.hits})")
    print(f"ratio right/wrong: {hit / miss:.0f} (target >= {args.min_ratio:.0f})")
    if hit / miss < args.min_ratio:
        print("TARGET MISSED: a wrong receipt costs too much next to a right one")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Audit log as a Merkle tree at scale: append cost stays flat, verify --since stays fast.

Grows one audit log to each size in --sizes (the bulk of it written directly, as migration
0010 does, then the last --appends entries through the real path, core.storage.audit.record)
and measures, at each size:
- append: the median wall time of one audit.record + flush (chain hash, leaf, the subtrees
  it completes), over --appends entries, in one transaction per 100;
- root: the tree root from the stored subtrees;
- verify: core.services.transparency.verify_since against a checkpoint issued at the first
  size (recomputes every leaf from the entries).

Targets (exit status 1 naming each miss): append at the largest size within --max-ratio
(default 2) of append at the smallest; verify at the largest size under --max-verify
seconds (default 30).

Usage:
    .venv/bin/python bench/tlog_scale.py                           # SQLite, 1k .. 1M
    .venv/bin/python bench/tlog_scale.py --sizes 1000 100000
    .venv/bin/python bench/tlog_scale.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.services import transparency  # noqa: E402
from core.storage import audit  # noqa: E402
from core.storage import migrate  # noqa: E402
from core.storage import tree  # noqa: E402
from core.storage.db import make_engine  # noqa: E402
from core.storage.models import AuditEntry  # noqa: E402
from core.storage.models import AuditTreeNode  # noqa: E402
from crypto import tlog  # noqa: E402

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SERVER_KEY = os.urandom(32)


def bulk_fill(session: Session, start: int, end: int) -> None:
    """Entries start+1 .. end with their chain and tree, written in batches."""
    last = session.execute(
        text("SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1")
    ).scalar()
    prev = last or audit.GENESIS
    stack: list[tuple[int, int, bytes]] = []
    if start:  # the right edge of the existing tree: its complete subtrees, largest first
        offset = 0
        for level in range(start.bit_length() - 1, -1, -1):
            if start & (1 << level):
                idx = offset >> level
                stack.append((level, idx, tree._get(session, level, idx)))
                offset += 1 << level
    entries: list[dict[str, object]] = []
    nodes: list[dict[str, object]] = []
    for seq in range(start + 1, end + 1):
        fields = {
            "seq": seq,
            "at": T0 + dt.timedelta(seconds=seq),
            "action": "case.viewed",
            "actor": "officer:1",
            "officer_id": None,
            "entity_id": None,
            "case_id": None,
            "detail": '{"bench":true}',
        }
        digest = audit.compute_hash(prev_hash=prev, **fields)  # type: ignore[arg-type]
        entries.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
        level, idx = 0, seq - 1
        h = tlog.leaf_hash(audit.leaf_data(**fields))  # type: ignore[arg-type]
        nodes.append({"level": 0, "idx": idx, "hash": h})
        while stack and stack[-1][0] == level:
            _lvl, _idx, left = stack.pop()
            level, idx, h = level + 1, idx >> 1, tlog.node_hash(left, h)
            nodes.append({"level": level, "idx": idx, "hash": h})
        stack.append((level, idx, h))
        if len(entries) >= 20_000:
            session.execute(insert(AuditEntry), entries)
            session.execute(insert(AuditTreeNode), nodes)
            entries, nodes = [], []
    if entries:
        session.execute(insert(AuditEntry), entries)
        session.execute(insert(AuditTreeNode), nodes)
    session.commit()


def time_appends(session: Session, count: int, size: int) -> float:
    samples = []
    for i in range(count):
        t = time.perf_counter()
        audit.record(session, action="bench.append", now=T0 + dt.timedelta(seconds=size + i))
        samples.append(time.perf_counter() - t)
        if i % 100 == 99:
            session.commit()
    session.commit()
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument("--max-verify", type=float, default=30.0)
    args = parser.parse_args()

    admin = None
    if args.database_url:
        name = f"integra_bench_tlog_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            args.database_url.replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.database_url.rsplit("/", 1)[0] + "/" + name
        backend = "postgresql"
    else:
        tmp = tempfile.mkdtemp(prefix="integra-bench-tlog-")
        url = f"sqlite:///{tmp}/bench.sqlite3"
        backend = "sqlite"
    engine = make_engine(url)
    migrate.upgrade(engine)
    rows = []
    checkpoint_note = ""
    try:
        with Session(engine) as session:
            size = 0
            for target in sorted(args.sizes):
                bulk_fill(session, size, target - args.appends)
                append = time_appends(session, args.appends, target)
                size = tree.size(session)
                t = time.perf_counter()
                tree.root(session, size)
                root_s = time.perf_counter() - t
                if not checkpoint_note:
                    cp = transparency.issue_checkpoint(
                        session, SERVER_KEY, now=T0, origin="bench.example/audit"
                    )
                    assert cp is not None
                    session.commit()
                    checkpoint_note = cp.note
                    size = tree.size(session)
                key = transparency.verifier_key(session)
                t = time.perf_counter()
                transparency.verify_since(session, [checkpoint_note], key)
                verify_s = time.perf_counter() - t
                session.rollback()
                rows.append((size, append, root_s, verify_s))
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    print(f"backend: {backend}; {args.appends} appends timed at each size")
    print(f"{'entries':>10} {'append ms':>10} {'root ms':>9} {'verify s':>9}")
    for size, append, root_s, verify_s in rows:
        print(f"{size:>10} {append * 1000:>10.3f} {root_s * 1000:>9.2f} {verify_s:>9.2f}")
    ratio = rows[-1][1] / rows[0][1]
    print(f"append cost ratio largest/smallest: {ratio:.2f} (target <= {args.max_ratio})")
    misses = []
    if ratio > args.max_ratio:
        misses.append(f"append cost grew {ratio:.2f}x (target {args.max_ratio}x)")
    if rows[-1][3] > args.max_verify:
        misses.append(f"verify --since took {rows[-1][3]:.1f} s (target {args.max_verify} s)")
    for miss in misses:
        print(f"TARGET MISSED: {miss}")
    digest = hashlib.sha256(checkpoint_note.encode()).hexdigest()[:12]
    print(f"checkpoint verified against: {digest}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())

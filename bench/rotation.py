"""Key rotation benchmark: 10,000 sealed objects, kill -9 mid-way, resume (issue 9).

Fills an entity with sealed objects (cases filed through the real intake, then extra blobs,
some spanning several 256 KiB chunks, and notes), runs `integra keys rotate --purpose office`
in a subprocess, kills it with SIGKILL once a third of the objects are done, checks that every
object opens with the old or the new key, runs the command again to finish, and checks that
no payload byte changed (SHA-256 of each object's nonce and STREAM body, before and after).

The peer, measured in the same run on the same objects: rotating by re-encrypting each object
(decrypt with the old key, encrypt to the new one, in memory, no database), which is what
rewrapping headers avoids; its bytes written are the whole ciphertexts.

Usage:
    .venv/bin/python bench/rotation.py [--objects 10000] [--batch-size 200]
    INTEGRA_BENCH_PG=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/rotation.py
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import crypto  # noqa: E402
from core.services.keyrotation import BLOBS  # noqa: E402
from core.storage import migrate  # noqa: E402
from core.storage.blobs import CHUNK_SIZE  # noqa: E402
from core.storage.db import make_engine  # noqa: E402
from core.storage.models import KeyRotation  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()

    from databases import create_test_database
    from databases import drop_test_database
    from factories import make_entity
    from factories import make_officer
    from factories import make_settings
    from rotation_world import populate
    from rotation_world import read_sealed

    pg = os.environ.get("INTEGRA_BENCH_PG")
    with tempfile.TemporaryDirectory() as tmp:
        if pg:
            os.environ["INTEGRA_DATABASE_URL"] = pg
        else:
            os.environ.pop("INTEGRA_DATABASE_URL", None)
        url, token = create_test_database(Path(tmp))
        try:
            return _run(url, Path(tmp), args, make_settings, make_entity, make_officer,
                        populate, read_sealed)  # fmt: skip
        finally:
            drop_test_database(url, token)


def _run(url, tmp, args, make_settings, make_entity, make_officer, populate, read_sealed) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    migrate.upgrade(engine)
    settings = make_settings(tmp / "instance", url)
    backend = engine.dialect.name
    t0 = time.perf_counter()
    with Session(engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        officer = make_officer(s, settings, ent, username="luis")
        cases = 20
        # Each filed case holds a report, an attachment and its sealed metadata (3 objects).
        populate(s, settings, ent, cases=cases, extra=args.objects - 3 * cases - 1,
                 officer_id=officer.officer.id)  # fmt: skip
        s.commit()
    before = read_sealed(engine, ent.entity.id)
    total = before.opened_by([ent.office])
    ciphertext_bytes = sum(len(d) for d in before.files.values())
    print(f"backend {backend}: {len(before.files)} sealed objects, {total} sealed to the office "
          f"key, {ciphertext_bytes / 2**20:.1f} MiB of ciphertext (filled in "
          f"{time.perf_counter() - t0:.0f} s)")  # fmt: skip

    # Peer: rotation by re-encryption, in memory (no database writes at all).
    peer_new = crypto.HybridIdentity.generate()
    t0 = time.perf_counter()
    peer_written = 0
    for data in before.files.values():
        try:
            plain = crypto.decrypt(data, [ent.office])
        except crypto.NoIdentityMatch:
            continue
        peer_written += len(crypto.encrypt(plain, [peer_new.recipient()]))
    peer_seconds = time.perf_counter() - t0
    print(f"peer (re-encrypt every payload, in memory): {total / peer_seconds:,.0f} objects/s, "
          f"{peer_written / 2**20:.1f} MiB written")  # fmt: skip

    env = {
        **os.environ,
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(settings.data_dir),
        "INTEGRA_DATABASE_URL": url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": "10",
    }
    argv = [sys.executable, "-c", "from casework.cli import main; main()", "keys", "rotate",
            "--purpose", "office", "-i", "-", "--batch-size", str(args.batch_size)]  # fmt: skip
    out = open(tmp / "first.txt", "wb")  # noqa: SIM115 (the child writes to it)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT,
                            env=env)  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(ent.office.to_string().encode())
    proc.stdin.close()
    done = 0
    with Session(engine) as s:
        while done < total // 3 and proc.poll() is None:
            time.sleep(0.01)
            s.expire_all()
            done = s.scalar(select(KeyRotation.rewrapped)) or 0
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    first_seconds = time.perf_counter() - t0
    out.close()
    printed = (tmp / "first.txt").read_text()
    match = re.search(r"office: (AGE-SECRET-KEY-PQ-1[0-9A-Z]+)", printed)
    if match is None:
        print(printed)
        return 1
    new = crypto.parse_identity(match.group(1))
    with Session(engine) as s:
        killed_at = s.scalars(select(KeyRotation)).one().rewrapped
    middle = read_sealed(engine, ent.entity.id)
    readable = middle.opened_by([ent.office, new])
    print(f"killed with SIGKILL after {killed_at} objects ({first_seconds:.1f} s); "
          f"readable with old or new key: {readable}/{total}; "
          f"already on the new key: {middle.opened_by([new])}")  # fmt: skip

    t0 = time.perf_counter()
    again = subprocess.run(argv, input=ent.office.to_string().encode(), capture_output=True,
                           env=env)  # fmt: skip
    second_seconds = time.perf_counter() - t0
    if again.returncode != 0:
        print(again.stdout.decode(), again.stderr.decode())
        return 1
    after = read_sealed(engine, ent.entity.id)
    with Session(engine) as s:
        rotation = s.scalars(select(KeyRotation)).one()
        rewrapped, finished = rotation.rewrapped, rotation.finished_at is not None
    unchanged = after.payload_digests() == before.payload_digests()
    on_new = after.opened_by([new])
    on_old = after.opened_by([ent.office])
    header_bytes = sum(d.index(b"\n", d.index(b"\n---") + 1) + 1 for d in after.files.values())
    # Rows the database rewrote: a blob's first chunk (which holds its header), a column's value.
    stored_bytes = sum(
        min(len(d), CHUNK_SIZE) if source == BLOBS else len(d)
        for (source, _), d in after.files.items()
    )
    resumed = rewrapped - killed_at
    print(f"resumed: {resumed} objects in {second_seconds:.1f} s "
          f"({resumed / second_seconds:,.0f} objects/s, process start included); "
          f"overall {rewrapped / (first_seconds + second_seconds):,.0f} objects/s")  # fmt: skip
    print(f"finished: {finished}; on the new key {on_new}/{total}; still opening with the old "
          f"key {on_old}; payload bytes unchanged for all {len(before.files)} objects: "
          f"{unchanged}; new header bytes {header_bytes / 2**20:.2f} MiB, database rows "
          f"rewritten {stored_bytes / 2**20:.1f} MiB, of {ciphertext_bytes / 2**20:.1f} MiB "
          f"(the peer writes {peer_written / 2**20:.1f} MiB)")  # fmt: skip
    engine.dispose()
    ok = finished and unchanged and on_new == total and on_old == 0 and readable == total
    print("RESULT:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

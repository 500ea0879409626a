"""Backups that prove themselves: create, restore, verify (docs/operations.md, "Backups").

A backup is one tar file: `manifest.json` and `database` (a SQLite online-backup copy, or a
`pg_dump` custom-format dump). The manifest records the schema revision, the audit log's
size and head, the row count of every table, the SHA-256 of the database file and a keyed
check of the receipt pepper. `verify` restores into a scratch database and proves the copy:
the checksum, the counts, the audit chain against the recorded head, the pepper (receipts
resolve only with the pepper they were filed under), and a sample of sealed reports opened
with a recovery identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import table
from sqlalchemy import text
from sqlalchemy.orm import Session

import crypto
from core.errors import DomainError
from core.storage import audit
from core.storage import migrate
from core.storage.blobs import read_plaintext
from core.storage.db import make_engine
from core.storage.models import Case

FORMAT = "integra-backup/v1"
PEPPER_LABEL = b"integra-backup-pepper-check"


class BackupError(DomainError):
    code = "backup_error"


@dataclass(frozen=True)
class VerifyReport:
    revision: str
    audit_entries: int
    tables: int
    reports_opened: int
    reports_sampled: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pepper_check(pepper: bytes) -> str:
    return hmac.new(pepper, PEPPER_LABEL, hashlib.sha256).hexdigest()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"{name} is not installed (apt install postgresql-client)")


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _counts(engine: Engine) -> dict[str, int]:
    names = sorted(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table(name))).scalar() or 0)
            for name in names
        }


def _audit_head(engine: Engine) -> tuple[int, str]:
    with Session(engine) as session:
        report = audit.verify_chain(session)
    return report.entries, report.head


def create(engine: Engine, pepper: bytes, out: Path) -> dict[str, Any]:
    """Write a backup of the database behind `engine` to `out`; return its manifest."""
    if out.exists():
        raise BackupError(f"{out} exists; not overwriting it")
    revision = migrate.current_revision(engine)
    try:
        entries, head = _audit_head(engine)
    except DomainError as exc:
        # A copy of a broken log would prove nothing: say so, and keep the database as is
        # for investigation (`integra audit verify` names the entry).
        raise BackupError(f"the audit chain does not verify, no backup made: {exc}") from exc
    counts = _counts(engine)
    with tempfile.TemporaryDirectory(prefix="integra-backup-") as tmp:
        dump = Path(tmp) / "database"
        url = engine.url
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(str(url.database))
            target = sqlite3.connect(str(dump))
            try:
                source.backup(target)  # consistent even while the apps write
            finally:
                target.close()
                source.close()
            kind = "sqlite"
        else:
            subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(dump),
                 _libpq_url(url.render_as_string(hide_password=False))],
                check=True, capture_output=True,
            )  # fmt: skip
            kind = "postgresql"
        manifest = {
            "format": FORMAT,
            "database": kind,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "schema_revision": revision,
            "audit": {"entries": entries, "head": head},
            "tables": counts,
            "sha256": _sha256(dump),
            "pepper_check": pepper_check(pepper),
        }
        body = json.dumps(manifest, indent=2, sort_keys=True).encode()
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w") as tar:
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            tar.add(dump, arcname="database")
    return manifest


@contextmanager
def _unpacked(path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The manifest and the database file of a backup, checked against each other."""
    with tempfile.TemporaryDirectory(prefix="integra-restore-") as tmp:
        try:
            with tarfile.open(path, mode="r:") as tar:
                members = {m.name: m for m in tar.getmembers()}
                if set(members) != {"manifest.json", "database"} or not all(
                    m.isfile() for m in members.values()
                ):
                    raise BackupError("not an Integra backup (unexpected contents)")
                manifest_file = tar.extractfile(members["manifest.json"])
                database_file = tar.extractfile(members["database"])
                assert manifest_file is not None
                assert database_file is not None
                manifest = json.loads(manifest_file.read())
                dump = Path(tmp) / "database"
                with dump.open("wb") as out:
                    shutil.copyfileobj(database_file, out)
        except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
            raise BackupError(
                f"the backup cannot be read ({type(exc).__name__}): truncated?"
            ) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError("not an Integra backup (unknown manifest)")
        if _sha256(dump) != manifest.get("sha256"):
            raise BackupError("the database file does not match the manifest's checksum")
        yield manifest, dump


def _load(manifest: dict[str, Any], dump: Path, url: str) -> None:
    if manifest["database"] == "sqlite":
        if not url.startswith("sqlite:///"):
            raise BackupError("a SQLite backup restores into a SQLite database URL")
        target = Path(url[len("sqlite:///") :])
        shutil.copyfile(dump, target)
        os.chmod(target, 0o600)
        return
    if not url.startswith("postgresql"):
        raise BackupError("a PostgreSQL backup restores into a PostgreSQL database URL")
    subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d",
         _libpq_url(url.replace("postgresql+psycopg://", "postgresql://")), str(dump)],
        check=True, capture_output=True,
    )  # fmt: skip


def restore(path: Path, url: str, *, force: bool = False) -> dict[str, Any]:
    """Restore a checked backup into the database at `url` (empty unless `force`)."""
    with _unpacked(path) as (manifest, dump):
        engine = make_engine(url)
        try:
            tables = set(inspect(engine).get_table_names())
            if tables and not force:
                raise BackupError(
                    "the target database is not empty; restore into an empty one (or --force)"
                )
            if tables and manifest["database"] == "postgresql":
                with engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        finally:
            engine.dispose()
        _load(manifest, dump, url)
    return manifest


@contextmanager
def _scratch(kind: str, like_url: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="integra-verify-") as tmp:
            yield f"sqlite:///{tmp}/verify.sqlite3"
        return
    base = _libpq_url(like_url).rsplit("/", 1)[0]
    name = f"integra_verify_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def verify(
    path: Path,
    *,
    pepper: bytes,
    identities: list[crypto.Identity],
    scratch_like: str,
    sample: int = 20,
) -> VerifyReport:
    """Restore into a scratch database and prove the copy; raise BackupError on any doubt."""
    with _unpacked(path) as (manifest, dump), _scratch(manifest["database"], scratch_like) as url:
        _load(manifest, dump, url)
        engine = make_engine(url)
        try:
            if migrate.current_revision(engine) != manifest["schema_revision"]:
                raise BackupError("the restored schema revision differs from the manifest")
            if _counts(engine) != manifest["tables"]:
                raise BackupError("the restored row counts differ from the manifest")
            try:
                entries, head = _audit_head(engine)
            except DomainError as exc:
                raise BackupError(f"the restored audit chain is broken: {exc}") from exc
            if (entries, head) != (manifest["audit"]["entries"], manifest["audit"]["head"]):
                raise BackupError("the restored audit chain does not end at the manifest's head")
            if not hmac.compare_digest(pepper_check(pepper), str(manifest["pepper_check"])):
                raise BackupError(
                    "INTEGRA_RECEIPT_PEPPER is not the one this backup was made with: "
                    "complainants' receipts would not resolve"
                )
            with Session(engine) as session:
                blob_ids = list(
                    session.scalars(
                        select(Case.report_blob_id)
                        .where(Case.report_blob_id.is_not(None))
                        .order_by(Case.id.desc())
                        .limit(sample)
                    )
                )
                opened = 0
                for blob_id in blob_ids:
                    assert blob_id is not None
                    try:
                        read_plaintext(session, blob_id, identities)
                    except crypto.AgeError as exc:
                        raise BackupError(
                            f"a sealed report does not open with the given identity "
                            f"({type(exc).__name__})"
                        ) from exc
                    opened += 1
        finally:
            engine.dispose()
    return VerifyReport(
        revision=str(manifest["schema_revision"]),
        audit_entries=entries,
        tables=len(manifest["tables"]),
        reports_opened=opened,
        reports_sampled=len(blob_ids),
    )

"""Issue 8: backups that prove themselves, on SQLite and PostgreSQL (whichever the suite runs
on): create, verify with the recovery identity, refuse tampered, truncated or foreign copies
loudly, and restore into an empty database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from databases import create_test_database
from databases import drop_test_database
from factories import TEST_WRAP_WORK_FACTOR
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cli import cli
from config import load_settings
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import intake
from core.storage.db import make_engine
from core.storage.models import Case
from core.storage.models import Entity


@pytest.fixture
def dbs(tmp_path: Path) -> Iterator[tuple[str, str]]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, t1 = create_test_database(tmp_path / "a")
    second, t2 = create_test_database(tmp_path / "b")
    yield first, second
    drop_test_database(first, t1)
    drop_test_database(second, t2)


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(tmp_path / "instance"),
        "INTEGRA_DATABASE_URL": url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
    }


def _file_a_complaint(env: dict[str, str]) -> None:
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        entity = s.scalars(select(Entity)).one()
        draft = intake.ReportDraft(
            modality=Modality.ANONYMOUS,
            motives=(Motive.IRREGULAR_PROCUREMENT,),
            facts="Hechos para la copia de seguridad.",
            occurred_when="",
            occurred_where="",
            persons_reported=(),
            witnesses="",
            documents_location="",
            commitment=True,
        )
        intake.submit_report(
            s, entity=entity, draft=draft, attachments=[], settings=settings,
            now=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        s.commit()
    engine.dispose()


def test_create_verify_refuse_and_restore(tmp_path: Path, dbs: tuple[str, str]) -> None:
    first, second = dbs
    env = _env(tmp_path, first)
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] = env, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)

    init = run("init", "--entity", "Entidad Respaldo")
    office = re.search(r"office: (AGE-SECRET-KEY-\S+)", init.output)
    assert office is not None
    _file_a_complaint(env)
    _file_a_complaint(env)
    backup = tmp_path / "copia.tar"
    made = run("backup", "create", "-o", str(backup))
    assert made.exit_code == 0, made.output
    assert backup.stat().st_mode & 0o077 == 0

    ok = run("backup", "verify", str(backup), "-i", "-", stdin=office.group(1) + "\n")
    assert ok.exit_code == 0, ok.output
    assert "Backup verified" in ok.output and "2 of 2 sampled reports opened" in ok.output

    # A foreign identity, another pepper, a flipped byte, a cut file: each refused loudly.
    from crypto import X25519Identity

    stranger = X25519Identity.generate().to_string()
    bad = run("backup", "verify", str(backup), "-i", "-", stdin=stranger + "\n")
    assert bad.exit_code == 1 and "NOT verified" in bad.output
    other_pepper = {**env, "INTEGRA_RECEIPT_PEPPER": "ab" * 32}
    bad = run("backup", "verify", str(backup), "-i", "-", env=other_pepper,
              stdin=office.group(1) + "\n")  # fmt: skip
    assert bad.exit_code == 1 and "PEPPER" in bad.output
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered = tmp_path / "alterada.tar"
    tampered.write_bytes(bytes(data))
    bad = run("backup", "verify", str(tampered), "-i", "-", stdin=office.group(1) + "\n")
    assert bad.exit_code == 1 and "NOT verified" in bad.output
    truncated = tmp_path / "cortada.tar"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 3])
    bad = run("backup", "verify", str(truncated), "-i", "-", stdin=office.group(1) + "\n")
    assert bad.exit_code == 1 and "NOT verified" in bad.output

    # Restore into an empty database; a non-empty one is refused without --force.
    assert run("backup", "restore", str(backup)).exit_code == 2
    target = {**env, "INTEGRA_DATABASE_URL": second}
    restored = run("backup", "restore", str(backup), env=target)
    assert restored.exit_code == 0, restored.output
    engine = make_engine(second)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2
    engine.dispose()
    assert run("audit", "verify", env=target).exit_code == 0

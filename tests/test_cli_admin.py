"""Issue 8: headless administration from the CLI, each command with plain --help and one
clear line (exit 2) on bad input."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from databases import create_test_database
from databases import drop_test_database
from factories import TEST_WRAP_WORK_FACTOR
from peers import require_peer
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cli import cli
from config import load_settings
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import intake
from core.storage.db import make_engine
from core.storage.models import Entity
from core.storage.models import WrappedKey


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    url, token = create_test_database(tmp_path)
    yield {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(tmp_path / "instance"),
        "INTEGRA_DATABASE_URL": url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
    }
    drop_test_database(url, token)


def _run(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_officer_list_deactivate_reset_set_role(env: dict[str, str]) -> None:
    _run(env, "init", "--entity", "Entidad CLI", "--demo")
    listing = _run(env, "officer", "list").output
    assert re.search(r"^demo\tentidad-cli\thead\tactive\tkeys:office,vault$", listing, re.M), (
        listing
    )
    demoted = _run(env, "officer", "set-role", "demo", "officer")
    assert demoted.exit_code == 0 and "1 key copies deleted" in demoted.output  # the vault
    reset = _run(env, "officer", "reset", "demo")
    assert reset.exit_code == 0 and "one-time password for demo" in reset.output
    gone = _run(env, "officer", "deactivate", "demo")
    assert gone.exit_code == 0 and "rotate the keys" in gone.output
    assert "inactive\tkeys:-" in _run(env, "officer", "list").output
    engine = make_engine(env["INTEGRA_DATABASE_URL"])
    with Session(engine) as s:
        assert s.scalars(select(WrappedKey)).all() == []
    engine.dispose()
    for args in (["officer", "reset", "nadie"], ["officer", "set-role", "demo", "rey"]):
        result = _run(env, *args)
        assert result.exit_code == 2 and "Traceback" not in result.output
    for group in (["officer", "list"], ["entity", "show"], ["case", "export"]):
        assert _run(env, *group, "--help").exit_code == 0


def test_entity_show_and_case_export_readable_by_age(env: dict[str, str], tmp_path: Path) -> None:
    # X25519 keys: the age CLI in Debian (1.1) predates the post-quantum recipients, which
    # need age >= 1.3 or `integra age decrypt` (tested with the same files below).
    env = {**env, "INTEGRA_POST_QUANTUM": "false"}
    init = _run(env, "init", "--entity", "Entidad CLI")
    office = re.search(r"office: (AGE-SECRET-KEY-\S+)", init.output)
    assert office is not None
    shown = _run(env, "entity", "show").output
    assert "office recipient: age1" in shown and "acknowledgement key (Ed25519):" in shown
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        entity = s.scalars(select(Entity)).one()
        receipt = intake.submit_report(
            s, entity=entity, settings=settings, now=dt.datetime.now(dt.UTC), attachments=[],
            draft=intake.ReportDraft(
                modality=Modality.ANONYMOUS, motives=(Motive.IRREGULAR_PROCUREMENT,),
                facts="Hechos exportados.", occurred_when="", occurred_where="",
                persons_reported=(), witnesses="", documents_location="", commitment=True,
            ),
        )  # fmt: skip
        code = receipt.case.code
        s.commit()
    engine.dispose()
    out = tmp_path / "export"
    result = _run(env, "case", "export", code, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists()
    assert _run(env, "case", "export", "D-0000-000000", "-o", str(tmp_path / "x")).exit_code == 2
    identity = tmp_path / "office.txt"
    identity.write_text(office.group(1) + "\n")
    mine = _run(env, "age", "decrypt", "-i", str(identity), str(out / "denuncia.age"))
    assert mine.exit_code == 0 and "Hechos exportados." in mine.output
    age = shutil.which("age")
    require_peer("age", bool(age), "apt install age (>= 1.3 for post-quantum identities)")
    plain = subprocess.run(
        [str(age), "-d", "-i", str(identity), str(out / "denuncia.age")],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert b"Hechos exportados." in plain

"""Issue 13: `integra entity add|list|disable|enable` and the platform operator account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_filing import file_anonymous
from click.testing import CliRunner
from databases import create_test_database
from databases import drop_test_database
from factories import TEST_WRAP_WORK_FACTOR
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from casework.cli import cli
from config import load_settings
from core.services import intake
from core.storage.db import make_engine
from core.storage.models import Case
from core.storage.models import Entity
from core.storage.models import Officer
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
        "INTEGRA_POST_QUANTUM": "false",
    }
    drop_test_database(url, token)


def _run(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def _file(env: dict[str, str], slug: str) -> str:
    return file_anonymous(env, slug)


def test_add_list_disable_enable(env: dict[str, str], tmp_path: Path) -> None:
    _run(env, "init", "--entity", "Gobierno Regional de Piura")
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    added = _run(
        env, "entity", "add", "Ministerio de Educación", "--acronym", "MINEDU",
        "--sector", "Educación", "--region", "Lima", "--admin", "admin.minedu",
        "--sheet-dir", str(sheets),
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Intake address: /e/ministerio-de-educacion/" in added.output
    office = re.search(r"office: (AGE-SECRET-KEY-\S+)", added.output)
    assert office is not None
    assert "one-time password" in added.output
    assert (sheets / "ministerio-de-educacion-office-recovery.html").exists()
    # The printed office identity is the new entity's own, not Piura's
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        minedu = s.scalars(select(Entity).where(Entity.slug == "ministerio-de-educacion")).one()
        piura = s.scalars(select(Entity).where(Entity.slug == "gobierno-regional-de-piura")).one()
        identity = crypto.parse_identity(office.group(1))
        assert identity.recipient().to_string() == minedu.office_recipient
        assert minedu.office_recipient != piura.office_recipient
        assert (minedu.acronym, minedu.sector, minedu.region) == ("MINEDU", "Educación", "Lima")
        admin = s.scalars(select(Officer).where(Officer.username == "admin.minedu")).one()
        assert admin.entity_id == minedu.id and admin.role.value == "admin"
        assert s.scalars(select(WrappedKey)).all() == []
    engine.dispose()

    code = _file(env, "ministerio-de-educacion")
    listing = _run(env, "entity", "list").output
    assert (
        "gobierno-regional-de-piura\tactive\tofficers:0\tcases:0\tGobierno Regional de Piura"
        in (listing)
    )
    assert "ministerio-de-educacion\tactive\tofficers:1\tcases:1\tMinisterio de Educación" in (
        listing
    )

    gone = _run(env, "entity", "disable", "ministerio-de-educacion")
    assert gone.exit_code == 0 and "receives no new complaints" in gone.output
    assert "already disabled" in _run(env, "entity", "disable", "ministerio-de-educacion").output
    assert (
        "ministerio-de-educacion\tdisabled\tofficers:1\tcases:1"
        in _run(env, "entity", "list").output
    )
    with pytest.raises(intake.IntakeRefused) as refused:
        _file(env, "ministerio-de-educacion")
    assert refused.value.code == "entity_disabled"
    engine = make_engine(settings.database_url)
    with Session(engine) as s:  # the existing case remains
        assert [c.code for c in s.scalars(select(Case))] == [code]
    engine.dispose()
    _file(env, "gobierno-regional-de-piura")  # the other entity is untouched

    back = _run(env, "entity", "enable", "ministerio-de-educacion")
    assert back.exit_code == 0 and "receives complaints again" in back.output
    _file(env, "ministerio-de-educacion")

    for args in (
        ["entity", "disable", "nadie"],
        ["entity", "add", "Ministerio de Educación"],  # the slug exists
        ["entity", "add", "¡¡¡"],
        ["entity", "add", "x" * 201],
    ):
        result = _run(env, *args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    # A taken admin user name refuses the whole onboarding: no entity half made
    taken = _run(env, "entity", "add", "Municipalidad de Ate", "--admin", "admin.minedu")
    assert taken.exit_code == 2 and "admin.minedu" in taken.output
    assert "municipalidad-de-ate" not in _run(env, "entity", "list").output
    for sub in ("add", "list", "disable", "enable"):
        assert _run(env, "entity", sub, "--help").exit_code == 0


def test_platform_operator_holds_no_key(env: dict[str, str], tmp_path: Path) -> None:
    init = _run(env, "init", "--entity", "Plataforma Nacional")
    office = re.search(r"office: (AGE-SECRET-KEY-\S+)", init.output)
    assert office is not None
    made = _run(env, "officer", "add", "operador", "--role", "platform")
    assert made.exit_code == 0, made.output
    assert "cannot read cases" not in made.output
    identity = tmp_path / "office.txt"
    identity.write_text(office.group(1) + "\n")
    grant = _run(env, "officer", "grant", "operador", "-i", str(identity))
    # A platform operator may not hold the office key
    assert grant.exit_code != 0 and "grant refused: role" in grant.output
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        assert s.scalars(select(WrappedKey)).all() == []
    engine.dispose()


def test_set_host_gives_and_takes_an_entity_s_own_host_name(env: dict[str, str]) -> None:
    _run(env, "init", "--entity", "Gobierno Regional de Piura")
    _run(env, "entity", "add", "Municipalidad de Ate")
    given = _run(env, "entity", "set-host", "municipalidad-de-ate", "Denuncias.Ate.gob.pe")
    assert given.exit_code == 0, given.output
    assert "https://denuncias.ate.gob.pe/" in given.output
    assert (
        "host name: denuncias.ate.gob.pe"
        in _run(env, "entity", "show", "municipalidad-de-ate").output
    )
    taken = _run(env, "entity", "set-host", "gobierno-regional-de-piura", "denuncias.ate.gob.pe")
    assert taken.exit_code == 2 and "already the host name" in taken.output
    for args in (
        ["municipalidad-de-ate", "https://x.pe/"],
        ["municipalidad-de-ate"],
        ["nadie", "x.pe"],
    ):
        result = _run(env, "entity", "set-host", *args)
        assert result.exit_code == 2 and "Traceback" not in result.output
    cleared = _run(env, "entity", "set-host", "municipalidad-de-ate", "--clear")
    assert cleared.exit_code == 0 and "no host name of its own" in cleared.output
    assert "host name:" not in _run(env, "entity", "show", "municipalidad-de-ate").output

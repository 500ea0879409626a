"""The `integra` command: init (idempotent), officer add, audit verify."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from databases import create_test_database
from databases import drop_test_database
from factories import TEST_WRAP_WORK_FACTOR
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from casework.cli import cli
from core.storage.db import make_engine
from core.storage.models import AuditEntry
from core.storage.models import Entity
from core.storage.models import Officer


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (init creates the schema)."""
    url, token = create_test_database(tmp_path)
    yield url
    drop_test_database(url, token)


@pytest.fixture
def run(tmp_path: Path, fresh_db: str):  # type: ignore[no-untyped-def]
    env = {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(tmp_path / "instance"),
        "INTEGRA_DATABASE_URL": fresh_db,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
    }
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


@contextmanager
def _session(url: str) -> Iterator[Session]:
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def test_init_is_idempotent_and_keeps_keys(run, fresh_db):
    # When init runs on an empty database
    first = run("init", "--entity", "Municipalidad de Prueba")
    assert first.exit_code == 0, first.output
    assert "Schema upgraded" in first.output
    assert "RECOVERY IDENTITIES" in first.output
    with _session(fresh_db) as session:
        entity = session.scalars(select(Entity)).one()
        recipients = (entity.office_recipient, entity.vault_recipient, entity.signing_public_key)
    # And runs again
    second = run("init", "--entity", "Municipalidad de Prueba")
    # Then the second run changes nothing and says so
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output
    assert "left untouched" in second.output
    assert "RECOVERY" not in second.output
    with _session(fresh_db) as session:
        entity = session.scalars(select(Entity)).one()
        assert (
            entity.office_recipient,
            entity.vault_recipient,
            entity.signing_public_key,
        ) == recipients
        assert session.scalar(select(Entity.id).where(Entity.id != entity.id)) is None


def test_init_without_entity_on_empty_db_explains(run):
    result = run("init")
    assert result.exit_code != 0
    assert "integra init --entity" in result.output


def test_officer_add_prints_password_and_uri(run, fresh_db):
    run("init", "--entity", "Entidad CLI")
    result = run("officer", "add", "Maria", "--role", "head", "--name", "María Pérez")
    assert result.exit_code == 0, result.output
    assert re.search(r"One-time password .*: [a-z0-9]{4}(-[a-z0-9]{4}){4}", result.output)
    assert "otpauth://totp/" in result.output
    assert "cannot read cases until" in result.output
    with _session(fresh_db) as session:
        officer = session.scalars(select(Officer)).one()
        assert officer.username == "maria"
        assert officer.role.value == "head"
        assert officer.must_change_password
        assert not officer.totp_confirmed
    duplicate = run("officer", "add", "maria", "--role", "officer")
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output


def test_officer_add_rejects_unknown_role(run):
    run("init", "--entity", "Entidad CLI")
    result = run("officer", "add", "x", "--role", "root")
    assert result.exit_code != 0


def test_audit_verify_intact(run):
    run("init", "--entity", "Entidad CLI")
    run("officer", "add", "ana", "--role", "officer")
    result = run("audit", "verify")
    assert result.exit_code == 0, result.output
    match = re.search(r"intact: (\d+) entries; head ([0-9a-f]{64})", result.output)
    assert match is not None
    assert int(match.group(1)) == 2  # entity.created, officer.created
    assert run("audit", "verify", "--expect-head", match.group(2)).exit_code == 0


def _tamper(url: str, how: str) -> None:
    with _session(url) as session:
        if how == "edit":
            session.execute(
                update(AuditEntry).where(AuditEntry.seq == 2).values(detail='{"role":"admin"}')
            )
        elif how == "delete":
            session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
        elif how == "reorder":
            rows = session.execute(
                select(AuditEntry.id, AuditEntry.seq).order_by(AuditEntry.seq).limit(2)
            ).all()
            (id_a, seq_a), (id_b, seq_b) = rows[0], rows[1]
            session.execute(update(AuditEntry).where(AuditEntry.id == id_a).values(seq=-1))
            session.execute(update(AuditEntry).where(AuditEntry.id == id_b).values(seq=seq_a))
            session.execute(update(AuditEntry).where(AuditEntry.id == id_a).values(seq=seq_b))
        session.commit()


@pytest.mark.parametrize("how", ["edit", "delete", "reorder"])
def test_audit_verify_detects_tampering(run, fresh_db, how):
    run("init", "--entity", "Entidad CLI")
    run("officer", "add", "ana", "--role", "officer")
    run("officer", "add", "beto", "--role", "auditor")
    _tamper(fresh_db, how)
    result = run("audit", "verify")
    assert result.exit_code != 0
    assert "BROKEN" in result.output


def test_audit_verify_detects_truncation_with_head(run, fresh_db):
    run("init", "--entity", "Entidad CLI")
    run("officer", "add", "ana", "--role", "officer")
    head = re.search(r"head ([0-9a-f]{64})", run("audit", "verify").output).group(1)  # type: ignore[union-attr]
    with _session(fresh_db) as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
        session.commit()
    assert run("audit", "verify").exit_code == 0
    assert run("audit", "verify", "--expect-head", head).exit_code != 0


def test_officer_grant_from_recovery_identity(run, fresh_db, tmp_path):
    # Given an entity whose recovery identities were printed once, and a new officer
    init = run("init", "--entity", "Municipalidad de Prueba")
    office_line = re.search(r"office: (AGE-SECRET-KEY-\S+)", init.output)
    assert office_line is not None
    identity_file = tmp_path / "office.key"
    identity_file.write_text(f"# recovery\n{office_line.group(1)}\n", encoding="utf-8")
    added = run("officer", "add", "rosa", "--role", "officer")
    password = re.search(r"One-time password[^:]*: (\S+)", added.output).group(1)

    # When the recovery identity grants the office key from the command line
    granted = run("officer", "grant", "rosa", "-i", str(identity_file))
    assert granted.exit_code == 0, granted.output
    code = re.search(r"grant code for rosa \(office key\): (\S+)", granted.output).group(1)

    # Then the officer redeems it under their own password and can unwrap the key
    import crypto
    from config import load_settings
    from core.access import entities
    from core.access import grants

    settings = load_settings(
        {
            "INTEGRA_ENV": "testing",
            "INTEGRA_DATA_DIR": str(tmp_path / "instance"),
            "INTEGRA_DATABASE_URL": fresh_db,
            "INTEGRA_KDF_PROFILE": "fast",
            "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
        }
    )
    with _session(fresh_db) as session:
        rosa = session.scalars(select(Officer).where(Officer.username == "rosa")).one()
        redeemed = grants.redeem_grants(
            session, settings, officer=rosa, code=code, password=password
        )
        session.commit()
        assert set(redeemed) == {"office"}
        unwrapped = entities.unwrap_for_officer(
            session, officer=rosa, purpose="office", passphrase=password
        )
        assert unwrapped is not None
        assert unwrapped.recipient().to_string() == rosa.entity.office_recipient
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "key.grant_created" in actions
    assert isinstance(unwrapped, crypto.HybridIdentity)


def test_officer_grant_refuses_the_wrong_identity(run, tmp_path):
    import crypto

    run("init", "--entity", "Municipalidad de Prueba")
    run("officer", "add", "rosa", "--role", "officer")
    stranger = tmp_path / "other.key"
    stranger.write_text(crypto.HybridIdentity.generate().to_string() + "\n", encoding="utf-8")
    result = run("officer", "grant", "rosa", "-i", str(stranger))
    assert result.exit_code != 0
    assert "does not hold the office identity" in result.output
    unknown = run("officer", "grant", "nadie", "-i", str(stranger))
    assert unknown.exit_code != 0
    assert "no officer named" in unknown.output


def test_officer_totp_never_prints_a_code_already_used(run, fresh_db, tmp_path):
    import datetime as dt

    from config import load_settings
    from core.access import officers

    assert run("init", "--demo").exit_code == 0
    settings = load_settings(
        {
            "INTEGRA_ENV": "testing",
            "INTEGRA_DATA_DIR": str(tmp_path / "instance"),
            "INTEGRA_DATABASE_URL": fresh_db,
        }
    )
    with _session(fresh_db) as session:
        demo = session.scalars(select(Officer).where(Officer.username == "demo")).one()
        secret = officers.officer_totp_secret(settings.secret_bytes("server_key"), demo)
        now = dt.datetime.now(dt.UTC)
        first = run("officer", "totp", "demo").output.strip()
        step = officers.match_totp(secret, first, now, demo.totp_last_step)
        assert step is not None
        # After a login used that step, the command gives a code the server still accepts
        session.execute(update(Officer).where(Officer.id == demo.id).values(totp_last_step=step))
        session.commit()
        second = run("officer", "totp", "demo").output.strip()
        assert second != first
        assert officers.match_totp(secret, second, now, step) is not None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://nobody:pw-canary@127.0.0.1:9/x", "cannot use the database at"),
        ("mysql://x", "is not a supported database URL"),
        (None, "run `integra init` first"),
    ],
    ids=["unreachable", "unsupported", "not-initialised"],
)
def test_database_problems_are_one_clear_line_not_a_traceback(tmp_path, url, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("INTEGRA_")}
    env.update({"INTEGRA_ENV": "testing", "INTEGRA_DATA_DIR": str(tmp_path / "instance")})
    if url:
        env["INTEGRA_DATABASE_URL"] = url
    from config import load_settings

    load_settings(env)  # an instance directory with its secrets, as `integra init` leaves it
    result = subprocess.run(
        [sys.executable, "-c", "from casework.cli import main; main()", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "pw-canary" not in result.stderr


def test_serve_refuses_a_database_that_was_never_initialised(run):
    result = run("serve", "--intake-port", "0", "--casework-port", "0")
    assert result.exit_code != 0
    assert "run `integra init`" in result.output


def test_a_read_only_command_outside_an_instance_creates_nothing(tmp_path: Path) -> None:
    """Issue 12: `integra officer totp demo` run in the wrong directory must not leave an
    empty instance with new secrets behind; one line, exit status 2."""
    env = {"INTEGRA_ENV": "development", "INTEGRA_DATA_DIR": str(tmp_path / "nowhere")}
    for args in (["officer", "totp", "demo"], ["audit", "verify"]):
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 2, result.output
        assert "integra init" in result.output
    assert not (tmp_path / "nowhere").exists()

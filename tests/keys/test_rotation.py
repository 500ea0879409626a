"""Office and vault key rotation (issue 9, item 2; docs/operations.md "Rotating")."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from case_factory import make_case
from factories import TEST_WRAP_WORK_FACTOR
from factories import make_entity
from factories import make_officer
from key_attack import identities_from_database
from key_attack import open_report
from rotation_world import populate
from rotation_world import read_sealed
from sqlalchemy import Engine
from sqlalchemy import LargeBinary
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.access import account_admin
from core.access import grants
from core.law.enums import Role
from core.services import keyrotation
from core.services.receipt_keys import kdf_profile
from core.storage.db import Base
from core.storage.models import KeyRotation
from core.storage.models import Officer

# Bytes columns that hold no age file sealed to an entity key.
NOT_SEALED_TO_ENTITY_KEYS = {
    "entities.signing_public_key",
    "entities.signing_key_sealed",  # server key (secretbox)
    "officers.totp_secret_sealed",  # server key (secretbox)
    "wrapped_keys.blob",  # passphrase (scrypt); rotation deletes them
    "officer_sessions.keys_sealed",  # session token; rotation ends the sessions
    "cases.receipt_salt",
    "cases.acknowledgement_signature",
    "cases.acknowledgement_sealed",  # server key (secretbox): the signed acuse v2
    "blob_chunks.data",  # walked as blobs
    "audit_tree_nodes.hash",  # Merkle hashes, public
    "audit_log_keys.public_key",
    "audit_log_keys.private_sealed",  # server key (secretbox)
}


def test_every_sealed_column_is_rotated() -> None:
    listed = {c.name for c in keyrotation.SEALED_COLUMNS}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, LargeBinary):
                name = f"{table.name}.{column.name}"
                assert name in listed or name in NOT_SEALED_TO_ENTITY_KEYS, name


def _run_all(s: Session, rotation: KeyRotation, old: crypto.Identity) -> None:
    while keyrotation.rewrap_batch(s, rotation, old_identity=old, limit=7):
        s.commit()
    keyrotation.finish_rotation(s, rotation)
    s.commit()


def test_departed_officer_with_a_backup_opens_nothing_after_rotation(
    clean_engine: Engine, settings: Settings
) -> None:
    """Issue 9: deactivation plus rotation; the departed head kept a database backup."""
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        admin = make_officer(s, settings, ent, username="admin", role=Role.ADMIN)
        ana = make_officer(s, settings, ent, username="ana", role=Role.HEAD)
        luis = make_officer(s, settings, ent, username="luis")
        populate(s, settings, ent, cases=3, extra=20, officer_id=luis.officer.id)
        before = make_case(s, settings, ent, facts="CANARIO-ANTES", identified=True)
        s.commit()
    # The backup: ana's wrapped copies as they are in a database copy taken today.
    backup = identities_from_database(clean_engine, ana.password)
    assert {i.recipient().to_string() for i in backup} >= {ent.entity.office_recipient}
    sealed_before = read_sealed(clean_engine, ent.entity.id)

    with Session(clean_engine, expire_on_commit=False) as s:
        account_admin.set_active(
            s,
            officer=s.get_one(Officer, ana.officer.id),
            active=False,
            actor=s.get_one(Officer, admin.officer.id),
        )
        entity = ent.entity = s.merge(ent.entity)
        new = keyrotation.new_identity_like(ent.office)
        started = keyrotation.start_rotation(
            s, settings, entity=entity, purpose="office", old_identity=ent.office, new_identity=new
        )
        s.commit()
        assert list(started.grants) == ["luis"]  # ana is gone; luis gets the new key
        after = make_case(s, settings, ent, facts="CANARIO-DESPUES")
        s.commit()

    # Mid-rotation: the backup opens nothing filed after the switch.
    assert open_report(clean_engine, after.case.id, "-", extra=backup) is None
    assert open_report(clean_engine, before.case.id, "-", extra=backup) is not None

    with Session(clean_engine, expire_on_commit=False) as s:
        _run_all(s, s.get_one(KeyRotation, started.rotation.id), ent.office)
        # She was a head: the backup holds her vault copy too, so the vault is rotated.
        new_vault = keyrotation.new_identity_like(ent.vault)
        vault_rotation = keyrotation.start_rotation(
            s, settings, entity=s.merge(ent.entity), purpose="vault",
            old_identity=ent.vault, new_identity=new_vault,
        ).rotation  # fmt: skip
        s.commit()
        _run_all(s, vault_rotation, ent.vault)

    # Once old headers are gone, the backup opens nothing at all in the live database.
    assert open_report(clean_engine, before.case.id, "-", extra=backup) is None
    sealed_after = read_sealed(clean_engine, ent.entity.id)
    assert sealed_after.opened_by(backup) == 0
    assert sealed_after.opened_by([ent.office]) == 0
    # Every object opens with the new keys, none with the old; payloads were not rewritten.
    office_objects = sealed_before.opened_by([ent.office])
    assert office_objects > 20
    assert sealed_after.opened_by([new]) > office_objects  # + the later case's objects
    assert sealed_after.opened_by([new]) + sealed_after.opened_by([new_vault]) == len(
        sealed_after.files
    )
    assert sealed_after.opened_by([ent.vault]) == 0
    assert sealed_after.opened_by([new_vault]) == sealed_before.opened_by([ent.vault]) == 2
    digests = sealed_after.payload_digests()
    for key, digest in sealed_before.payload_digests().items():
        assert digests[key] == digest, key
    # The complainant's receipt still opens their report (their stanza was kept).
    with Session(clean_engine) as s:
        case = s.get_one(type(before.case), before.case.id)
        complainant = crypto.derive_complainant_identity(
            before.code, case.receipt_salt, pq=True, profile=kdf_profile(settings)
        )
    assert b"CANARIO-ANTES" in (
        open_report(clean_engine, before.case.id, "-", [complainant]) or b""
    )

    # Luis redeems his grant and reads both cases again.
    with Session(clean_engine, expire_on_commit=False) as s:
        officer = s.get_one(Officer, luis.officer.id)
        opened = grants.redeem_grants(
            s, settings, officer=officer, code=started.grants["luis"], password=luis.password
        )
        s.commit()
    assert opened["office"].to_string() == new.to_string()
    assert b"CANARIO-DESPUES" in (open_report(clean_engine, after.case.id, luis.password) or b"")
    assert b"CANARIO-ANTES" in (open_report(clean_engine, before.case.id, luis.password) or b"")


def test_rotation_refuses_the_wrong_identity_and_a_second_start(
    db_session: Session, settings: Settings
) -> None:
    ent = make_entity(db_session, settings)
    with pytest.raises(keyrotation.RotationRefused, match="wrong_identity"):
        keyrotation.start_rotation(
            db_session, settings, entity=ent.entity, purpose="office",
            old_identity=ent.vault, new_identity=crypto.HybridIdentity.generate(),
        )  # fmt: skip
    keyrotation.start_rotation(
        db_session, settings, entity=ent.entity, purpose="vault",
        old_identity=ent.vault, new_identity=crypto.HybridIdentity.generate(),
    )  # fmt: skip
    with pytest.raises(keyrotation.RotationRefused, match="unfinished"):
        keyrotation.start_rotation(
            db_session, settings, entity=ent.entity, purpose="vault",
            old_identity=ent.vault, new_identity=crypto.HybridIdentity.generate(),
        )  # fmt: skip


def _cli_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(settings.data_dir),
        "INTEGRA_DATABASE_URL": settings.database_url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
    }


CLI = [sys.executable, "-c", "from casework.cli import main; main()"]


def _cli(
    settings: Settings, identity: crypto.Identity, *args: str
) -> subprocess.CompletedProcess[bytes]:
    """Run `integra ARGS -i -` with the identity on standard input."""
    return subprocess.run(
        [*CLI, *args, "-i", "-"],
        input=identity.to_string().encode(),
        capture_output=True,
        env=_cli_env(settings),
        timeout=300,
    )


def test_rotate_command_killed_mid_way_leaves_everything_readable_and_resumes(
    clean_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        luis = make_officer(s, settings, ent, username="luis")
        populate(s, settings, ent, cases=2, extra=400, officer_id=luis.officer.id)
        s.commit()
    before = read_sealed(clean_engine, ent.entity.id)
    total = before.opened_by([ent.office])
    out = (tmp_path / "out.txt").open("wb")
    proc = subprocess.Popen(
        [*CLI, "keys", "rotate", "--purpose", "office", "-i", "-", "--batch-size", "5"],
        stdin=subprocess.PIPE,
        stdout=out,
        stderr=subprocess.STDOUT,
        env=_cli_env(settings),
    )
    assert proc.stdin is not None
    proc.stdin.write(ent.office.to_string().encode() + b"\n")
    proc.stdin.close()
    done = 0
    deadline = time.monotonic() + 120
    with Session(clean_engine) as s:
        while done == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
            s.expire_all()
            done = s.scalar(select(KeyRotation.rewrapped)) or 0
    os.kill(proc.pid, signal.SIGSTOP)
    with Session(clean_engine) as s:
        row = s.scalars(select(KeyRotation)).one()
        assert row.finished_at is None and 0 < row.rewrapped < total, "not killed mid-way"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    out.close()
    printed = (tmp_path / "out.txt").read_text()
    match = re.search(r"office: (AGE-SECRET-KEY-PQ-1[0-9A-Z]+)", printed)
    assert match, printed
    new = crypto.parse_identity(match.group(1))

    middle = read_sealed(clean_engine, ent.entity.id)
    assert 0 < middle.opened_by([new]) < total
    assert middle.opened_by([ent.office, new]) == total  # every object readable
    for data in middle.files.values():
        crypto.decrypt(data, [ent.office, new, ent.vault])

    again = _cli(settings, ent.office, "keys", "rotate", "--purpose", "office")
    assert again.returncode == 0, again.stderr.decode()
    assert b"Resuming the rotation" in again.stdout
    assert b"Rotation finished" in again.stdout
    after = read_sealed(clean_engine, ent.entity.id)
    assert after.opened_by([new]) == total
    assert after.opened_by([ent.office]) == 0
    assert after.payload_digests() == before.payload_digests()
    with Session(clean_engine) as s:
        assert s.scalars(select(KeyRotation)).one().finished_at is not None


def test_keys_check_tells_current_retired_and_foreign_keys(
    clean_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        luis = make_officer(s, settings, ent, username="luis")
        populate(s, settings, ent, cases=1, extra=3, officer_id=luis.officer.id)
        s.commit()

    def check(identity: crypto.Identity) -> subprocess.CompletedProcess[bytes]:
        return _cli(settings, identity, "keys", "check")

    current = check(ent.office)
    assert current.returncode == 0, current.stderr
    assert b"current office key" in current.stdout
    assert b"current vault key" in check(ent.vault).stdout
    foreign = check(crypto.HybridIdentity.generate())
    assert foreign.returncode == 1 and b"NOT a key" in foreign.stdout
    sheet = tmp_path / "office.html"
    rotated = _cli(
        settings, ent.office, "keys", "rotate", "--purpose", "office", "--sheet", str(sheet)
    )
    assert rotated.returncode == 0, rotated.stderr
    # The printable sheet holds the new identity (text and QR code), readable by its owner only.
    new = re.search(rb"office: (AGE-SECRET-KEY-PQ-1[0-9A-Z]+)", rotated.stdout)
    assert new is not None
    page = sheet.read_text()
    assert new.group(1).decode() in page and "<svg" in page and "Identidad de recuperación" in page
    assert sheet.stat().st_mode & 0o777 == 0o600
    assert check(crypto.parse_identity(new.group(1).decode())).returncode == 0
    retired = check(ent.office)
    assert retired.returncode == 1 and b"RETIRED office key" in retired.stdout
    assert b"opens 0 of the" in retired.stdout

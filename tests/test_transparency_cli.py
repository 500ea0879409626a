"""`integra audit checkpoint|verifier-key|proof|verify --since`, and the offline recipe of
docs/transparency.md run exactly as written there."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from databases import create_test_database
from databases import drop_test_database
from factories import TEST_WRAP_WORK_FACTOR
from sqlalchemy import delete
from sqlalchemy import update
from sqlalchemy.orm import Session

from casework.cli import cli
from core.storage.db import make_engine
from core.storage.models import AuditEntry
from core.storage.models import AuditTreeNode

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
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


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _edit(url: str, *statements: object) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            for stmt in statements:
                session.execute(stmt)  # type: ignore[call-overload]
            session.commit()
    finally:
        engine.dispose()


def test_checkpoint_then_verify_since_then_tampering(run, fresh_db, tmp_path):
    run("init", "--entity", "Entidad Transparente")
    run("officer", "add", "ana", "--role", "officer")
    first = run("audit", "checkpoint", "--origin", "oii.transparente.example/audit")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("oii.transparente.example/audit\n")
    cp1 = _write(tmp_path / "cp1.txt", first.output)
    vkey = run("audit", "verifier-key").output.strip()
    assert re.fullmatch(r"oii\.transparente\.example/audit\+[0-9a-f]{8}\+\S+", vkey)
    # Nothing new: the same checkpoint, no new one.
    assert "did not grow" in run("audit", "checkpoint").output
    run("officer", "add", "beto", "--role", "auditor")
    cp2 = _write(tmp_path / "cp2.txt", run("audit", "checkpoint").output)
    ok = run("audit", "verify", "--since", str(cp1), "--since", str(cp2), "--key", vkey)
    assert ok.exit_code == 0, ok.output
    assert "extends the checkpoints" in ok.output

    _edit(fresh_db, update(AuditEntry).where(AuditEntry.seq == 2).values(actor="someone else"))
    bad = run("audit", "verify", "--since", str(cp1), "--key", vkey)
    assert bad.exit_code == 1
    assert "BROKEN" in bad.output  # the chain sees a plain edit too


def test_truncation_against_a_checkpoint(run, fresh_db, tmp_path):
    run("init", "--entity", "Entidad Transparente")
    run("officer", "add", "ana", "--role", "officer")
    cp = _write(tmp_path / "cp.txt", run("audit", "checkpoint").output)
    vkey = run("audit", "verifier-key").output.strip()
    _edit(
        fresh_db,
        delete(AuditEntry).where(AuditEntry.seq >= 2),
        delete(AuditTreeNode).where(AuditTreeNode.level == 0, AuditTreeNode.idx >= 1),
    )
    assert run("audit", "verify").exit_code == 0  # the chain alone cannot see it
    result = run("audit", "verify", "--since", str(cp), "--key", vkey)
    assert result.exit_code == 1
    assert "TAMPERED" in result.output and "truncation" in result.output


def test_bad_input_is_one_line_with_status_2(run, tmp_path):
    run("init", "--entity", "Entidad Transparente")
    assert run("audit", "verifier-key").exit_code == 2  # no checkpoint yet
    assert run("audit", "proof", "1").exit_code == 2
    run("audit", "checkpoint")
    junk = _write(tmp_path / "junk.txt", "not a checkpoint\n")
    result = run("audit", "verify", "--since", str(junk))
    assert result.exit_code == 1 and "REFUSED" in result.output
    assert run("audit", "verify", "--since", str(junk), "--key", "nonsense").exit_code == 2


def _recipe() -> str:
    text = (ROOT / "docs" / "transparency.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_the_documented_offline_check_accepts_a_real_proof_and_refuses_a_forged_one(run, tmp_path):
    run("init", "--entity", "Entidad Transparente")
    run("officer", "add", "ana", "--role", "officer")
    run("audit", "checkpoint", "--origin", "oii.transparente.example/audit")
    vkey = run("audit", "verifier-key").output.strip()
    proof = run("audit", "proof", "2")
    assert proof.exit_code == 0, proof.output
    script = _write(tmp_path / "check_proof.py", _recipe())
    good = _write(tmp_path / "entry.tlog-proof", proof.output)
    out = subprocess.run(
        [sys.executable, "-I", str(script), vkey, str(good)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("OK: entry 2 (officer.created")
    # The same proof for an entry that says something else.
    extra_line = proof.output.splitlines()[1]
    assert extra_line.startswith("extra ")
    leaf = base64.b64decode(extra_line[6:]).replace(b"officer.created", b"officer.removed")
    forged_text = proof.output.replace(extra_line, "extra " + base64.b64encode(leaf).decode())
    forged = _write(tmp_path / "forged.tlog-proof", forged_text)
    out = subprocess.run(
        [sys.executable, "-I", str(script), vkey, str(forged)], capture_output=True, text=True
    )
    assert out.returncode != 0 and "NOT in the signed log" in out.stderr

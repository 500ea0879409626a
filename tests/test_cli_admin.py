"""Issue 8: headless administration from the CLI, each command with plain --help and one
clear line (exit 2) on bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_filing import file_anonymous
from click.testing import CliRunner
from databases import create_test_database
from databases import drop_test_database
from factories import TEST_WRAP_WORK_FACTOR
from peers import require_peer
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cli import cli
from core.storage.db import make_engine
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
    code = file_anonymous(env, facts="Hechos exportados.")
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


def test_case_export_never_mixes_two_entities(env: dict[str, str], tmp_path: Path) -> None:
    # Issue 13: case codes are per entity, so two entities hold the same first code; the
    # export refuses to guess, and --entity exports that entity's case only, sealed to its
    # own office key (the other entity's key opens nothing of it).
    a_keys = re.search(
        r"office: (AGE-SECRET-KEY-\S+)", _run(env, "init", "--entity", "Entidad A").output
    )
    b_out = _run(env, "entity", "add", "Entidad Bravo")
    b_keys = re.search(r"office: (AGE-SECRET-KEY-\S+)", b_out.output)
    assert a_keys is not None and b_keys is not None, b_out.output
    slugs = [line.split("\t")[0] for line in _run(env, "entity", "list").output.splitlines()]
    a_slug = next(s for s in slugs if s.startswith("entidad-a"))
    b_slug = next(s for s in slugs if s.startswith("entidad-bravo"))
    code = file_anonymous(env, a_slug, "Hechos de A.")
    assert file_anonymous(env, b_slug, "Hechos de B.") == code
    ambiguous = _run(env, "case", "export", code, "-o", str(tmp_path / "x"))
    assert ambiguous.exit_code == 2 and "--entity" in ambiguous.output
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
    for slug, mine, other, facts in (
        (b_slug, b_keys, a_keys, "Hechos de B."),
        (a_slug, a_keys, b_keys, "Hechos de A."),
    ):
        out = tmp_path / slug
        result = _run(env, "case", "export", code, "--entity", slug, "-o", str(out))
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["case"] == code and manifest["entity"]["slug"] == slug
        key, wrong = tmp_path / f"{slug}.key", tmp_path / f"{slug}.wrong"
        key.write_text(mine.group(1) + "\n")
        wrong.write_text(other.group(1) + "\n")
        opened = _run(env, "age", "decrypt", "-i", str(key), str(out / "denuncia.age"))
        assert opened.exit_code == 0 and facts in opened.output
        refused = _run(env, "age", "decrypt", "-i", str(wrong), str(out / "denuncia.age"))
        assert refused.exit_code != 0 and facts not in refused.output

"""Issue 15, item 3: each new checkpoint of the audit log goes to the configured outside
recipients by e-mail (a real SMTP server here), and a mail failure never undoes it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from factories import TEST_WRAP_WORK_FACTOR
from factories import make_entity
from own_database import database_url  # noqa: F401 - the periodic CLI opens it itself
from own_database import engine  # noqa: F401
from smtp_server import PASSWORD
from smtp_server import USER
from smtp_server import smtp_server
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cli import cli
from core.storage.models import AuditCheckpoint
from crypto import tlog

OCI = "oci@entidad.gob.pe"


def _periodic(settings, port: int, ca: Path) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    env = {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(settings.data_dir),
        "INTEGRA_DATABASE_URL": settings.database_url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
        "INTEGRA_SMTP_HOST": "127.0.0.1",
        "INTEGRA_SMTP_PORT": str(port),
        "INTEGRA_SMTP_USER": USER,
        "INTEGRA_SMTP_PASSWORD": PASSWORD,
        "INTEGRA_SMTP_FROM": "oii@entidad.gob.pe",
        "INTEGRA_SMTP_CA_FILE": str(ca),
        "INTEGRA_SMTP_TIMEOUT": "10",
        "INTEGRA_SMTP_RETRY_SECONDS": "0.05",
        "INTEGRA_CHECKPOINT_RECIPIENTS": f"{OCI}, contraloria@example.gob.pe",
    }
    result = CliRunner().invoke(cli, ["periodic"], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_the_new_checkpoint_reaches_the_oci(settings, clean_engine, tmp_path: Path) -> None:
    with Session(clean_engine) as s:
        make_entity(s, settings)
        s.commit()
    with smtp_server(tmp_path) as (box, port, ca):
        code, output = _periodic(settings, port, ca)
    assert code == 0, output
    assert "checkpoint-mail: ok: checkpoint of size" in output
    ((recipients, body),) = box.messages
    assert sorted(recipients) == ["contraloria@example.gob.pe", OCI]
    with Session(clean_engine) as s:
        note = s.scalars(select(AuditCheckpoint)).one().note
    assert note.splitlines()[0] in body and note.splitlines()[2] in body
    assert tlog.Checkpoint.parse(note.split("\n\n")[0] + "\n").size >= 1


def test_a_refused_mail_is_reported_and_the_checkpoint_stays(
    settings, clean_engine, tmp_path: Path
) -> None:
    with Session(clean_engine) as s:
        make_entity(s, settings)
        s.commit()
    with smtp_server(tmp_path, refuse=True) as (_box, port, ca):
        code, output = _periodic(settings, port, ca)
    assert code == 1
    assert "checkpoint-mail: FAILED" in output
    with Session(clean_engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1

"""Invariants 1 and 3: no plaintext, receipt, IP address or User-Agent reaches the database,
the data directory, the logs, stdout/stderr or the temp directory.

Every field and every file (content and name) carries a unique canary; after filing,
logging in, replying and adding evidence, every place is searched for all of them.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
from pathlib import Path

import pytest
from at_rest import db_values
from databases import read_database_file
from intake_helpers import RECEIPT_RE
from intake_helpers import hidden_fields
from intake_helpers import send_followup_evidence
from sqlalchemy import select
from sqlalchemy import text
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

import crypto
from core.storage.models import Case

IP = "203.0.113.77"
UA = "CanaryBrowser/9.9 (ua-canary-7f3a)"


def canary(label: str) -> str:
    return f"CANARY{label.upper()}Q7Z"


FIELDS = {
    "facts": canary("facts"),
    "occurred_when": canary("when"),
    "occurred_where": canary("where"),
    "persons-0-name": canary("pname"),
    "persons-0-post": canary("ppost"),
    "persons-1-name": canary("pname2"),
    "witnesses": canary("witness"),
    "documents_location": canary("docs"),
    "full_name": canary("name"),
    "document_number": "CANARYDNI9",
    "phone": canary("phone"),
    "email": canary("email") + "@example.org",
    "address": canary("address"),
    "protection_risk": canary("risk"),
}
FILES = [
    (canary("fname1") + ".txt", (canary("fbody1") + "\n").encode() * 40_000),  # > 500 KB: no spool
    (canary("fname2") + ".txt", canary("fbody2").encode()),
]
LATER = {
    "reply": canary("reply"),
    "evidence_name": canary("evname") + ".txt",
    "evidence_body": canary("evbody"),
    "retaliation": canary("retaliation"),
}


def _multipart(pairs: list[tuple[str, object]]) -> tuple[bytes, str]:
    boundary, body = encode_multipart(MultiDict(pairs))
    return body, f"multipart/form-data; boundary={boundary}"


def _all_canaries(receipt: str) -> list[str]:
    values = [*FIELDS.values(), *LATER.values()]
    values += [name for name, _ in FILES] + [canary("fbody1"), canary("fbody2")]
    values += [receipt, crypto.normalize_receipt(receipt), IP, "ua-canary-7f3a"]
    return values


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def temp_files_created(monkeypatch):  # type: ignore[no-untyped-def]
    """Record every temp file the app asks for (unlinked temp files leave no directory entry)."""
    import werkzeug.formparser

    created: list[str] = []

    def recorder(name, original):  # type: ignore[no-untyped-def]
        def make(*args, **kwargs):  # type: ignore[no-untyped-def]
            created.append(name)
            return original(*args, **kwargs)

        return make

    for module in (tempfile, werkzeug.formparser):
        for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "mkstemp"):
            original = getattr(module, name, None)
            if original is not None:
                monkeypatch.setattr(module, name, recorder(name, original))
    return created


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    target = tmp_path / "app-tmp"
    target.mkdir()
    monkeypatch.setenv("TMPDIR", str(target))
    monkeypatch.setattr(tempfile, "tempdir", str(target))
    return target


def test_no_plaintext_anywhere_after_the_whole_flow(
    app, ent, clean_engine, settings, caplog, capfd, tmp_path, private_tmp, temp_files_created
):
    caplog.set_level(logging.DEBUG)
    log_file = tmp_path / "app.log"
    handler = logging.FileHandler(log_file)
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        env = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": UA, "HTTP_X_FORWARDED_FOR": IP}
        with app.test_client() as client:
            client.environ_base.update(env)
            client.get("/denunciar")
            pairs: list[tuple[str, object]] = [
                ("modality", "con_reserva"),
                ("motives", "favorecimiento_soborno"),
                ("document_type", "DNI"),
                ("commitment", "y"),
                ("protection_measures", "traslado_denunciante"),
                *FIELDS.items(),
            ]
            pairs += [
                ("files", FileStorage(io.BytesIO(data), filename=name, content_type="text/plain"))
                for name, data in FILES
            ]
            body, ctype = _multipart(pairs)
            review = client.post("/denunciar", data=body, content_type=ctype)
            assert review.status_code == 200, review.get_data(as_text=True)[:2000]
            html = review.get_data(as_text=True)
            confirmation = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(html)))
            match = RECEIPT_RE.search(confirmation.get_data(as_text=True))
            assert match
            receipt = match.group(1)
            client.post("/denunciar/listo", data={"written_down": "y"})

            assert client.post("/seguimiento", data={"receipt": receipt}).status_code == 303
            client.get("/seguimiento")
            client.post("/seguimiento/mensaje", data={"kind": "message", "body": LATER["reply"]})
            client.post(
                "/seguimiento/mensaje", data={"kind": "represalia", "body": LATER["retaliation"]}
            )
            body, ctype = _multipart(
                [
                    (
                        "files",
                        FileStorage(
                            io.BytesIO(LATER["evidence_body"].encode()),
                            filename=LATER["evidence_name"],
                            content_type="text/plain",
                        ),
                    )
                ]
            )
            _review, added = send_followup_evidence(client, body, ctype)
            assert added.status_code == 303
            client.post("/seguimiento/salir")
            # a wrong receipt too (the failure path must not log the attempt either)
            client.post("/seguimiento", data={"receipt": "ZZZZ-ZZZZ-ZZZZ-ZZZ1"})
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()

    # The flow really happened: one case, its files, messages and evidence.
    from sqlalchemy.orm import Session

    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        assert len(case.attachments) == 3 and len(case.messages) == 2
        assert case.identity_blob_id is not None

    needles = [n.encode() for n in _all_canaries(receipt)]
    haystacks: dict[str, bytes] = {}
    for i, value in enumerate(db_values(clean_engine)):
        haystacks[f"db value {i}"] = value
    if settings.database_url.startswith("sqlite"):
        with clean_engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))
        db_path = Path(settings.database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = Path(str(db_path) + suffix)
            if p.exists():
                haystacks[str(p)] = read_database_file(p)
    for p in _files_under(settings.data_dir) + _files_under(private_tmp):
        haystacks[str(p)] = p.read_bytes()
    haystacks["log file"] = log_file.read_bytes()
    haystacks["caplog"] = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records).encode()
    out, err = capfd.readouterr()
    haystacks["stdout"] = out.encode()
    haystacks["stderr"] = err.encode()
    assert caplog.records, "the app logged nothing: the log check would be vacuous"

    leaks = [
        (where, needle.decode())
        for where, blob in haystacks.items()
        for needle in needles
        if needle in blob
    ]
    assert leaks == []
    # Temp directory: nothing was even created there (no spooled upload).
    assert _files_under(private_tmp) == []
    assert temp_files_created == []
    assert re.search(rb"\d+\.\d+\.\d+\.\d+", haystacks["log file"]) is None
    assert os.environ["TMPDIR"] == str(private_tmp)

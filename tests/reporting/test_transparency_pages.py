"""The intake publishes the audit log's checkpoints and gives complainants proofs (issue 15)."""

from __future__ import annotations

import datetime as dt
import os

from intake_helpers import complaint_data
from intake_helpers import file_complaint
from sqlalchemy import select

from core.services import transparency
from core.storage import audit
from core.storage.models import AuditEntry
from core.storage.models import Case
from crypto import tlog

SERVER_KEY = os.urandom(32)


def _checkpoint(session) -> str:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    row = transparency.issue_checkpoint(
        session, SERVER_KEY, now=now, origin="oii.intake.example/audit", only_if_grown=False
    )
    session.commit()
    assert row is not None
    return row.note


def test_without_a_checkpoint_the_page_says_so(client):
    page = client.get("/transparencia")
    assert page.status_code == 200
    assert "Todavía no se ha emitido ningún punto de control" in page.get_data(as_text=True)
    assert client.get("/transparencia/checkpoint").status_code == 404
    assert client.get("/transparencia/clave").status_code == 404


def test_the_latest_checkpoint_and_key_are_published(client, session_for):
    note = _checkpoint(session_for)
    page = client.get("/transparencia").get_data(as_text=True)
    assert "oii.intake.example/audit" in page and "árbol de Merkle" in page
    plain = client.get("/transparencia/checkpoint")
    assert plain.mimetype == "text/plain" and plain.get_data(as_text=True) == note
    vkey = tlog.VerifierKey.parse(client.get("/transparencia/clave").get_data(as_text=True))
    assert tlog.open_checkpoint(note, vkey).origin == "oii.intake.example/audit"
    assert note in client.get("/transparencia/historial").get_data(as_text=True)
    english = client.get("/transparencia?lang=en").get_data(as_text=True)
    assert "Merkle tree" in english


def test_a_complainant_downloads_proofs_of_the_acts_on_their_case(client, ent, session_for):
    receipt, _ = file_complaint(client, complaint_data())
    case = session_for.scalars(select(Case)).one()
    audit.record(session_for, action="case.viewed", case_id=case.id, officer_id=None)
    other = audit.record(session_for, action="case.viewed", case_id=None)
    session_for.commit()
    _checkpoint(session_for)
    late = audit.record(session_for, action="attachment.downloaded", case_id=case.id)
    session_for.commit()

    assert client.get("/seguimiento/registro").status_code == 303  # not logged in
    client.post("/seguimiento", data={"receipt": receipt})
    page = client.get("/seguimiento/registro").get_data(as_text=True)
    assert "Un funcionario de la Oficina leyó su denuncia" in page
    assert "la prueba estará disponible con el próximo punto de control" in page  # `late`
    key = tlog.VerifierKey.parse(client.get("/transparencia/clave").get_data(as_text=True))
    entries = session_for.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.seq < late.seq)
    ).all()
    assert entries
    for entry in entries:
        resp = client.get(f"/seguimiento/registro/{entry.seq}.tlog-proof")
        assert resp.status_code == 200
        assert "attachment" in resp.headers["Content-Disposition"]
        proof = resp.get_data(as_text=True)
        parsed = tlog.parse_proof(proof)
        assert parsed.extra == audit.entry_leaf_data(entry)
        tlog.verify_proof(proof, tlog.leaf_hash(parsed.extra), key)
    # Another case's entry, one not yet checkpointed, and absurd ids are simply not there.
    for seq in (other.seq, late.seq, 2**63, 10**30):
        assert client.get(f"/seguimiento/registro/{seq}.tlog-proof").status_code == 404

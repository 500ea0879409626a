"""Case page and its acts, through the real app and a real login (data committed)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from case_factory import evidence
from case_factory import make_case
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core import audit
from core.enums import CaseState
from core.enums import Destination
from core.enums import MessageDirection
from core.enums import Role
from core.models import AuditEntry
from core.models import Case
from core.models import CaseEvent
from core.models import Forwarding
from core.models import Message
from core.models import Note

from .conftest import login

EVIL = b"<script>alert('xss')</script><html><body>malicious</body></html>"


@pytest.fixture
def office(officer_factory, casework_settings, clean_engine):  # type: ignore[no-untyped-def]
    """An entity with an officer, a head and two complaints (one identified, with files)."""
    officer = officer_factory("ana", Role.OFFICER)
    head = officer_factory("jefa", Role.HEAD)
    ent = officer_factory.ensure_entity()
    with Session(clean_engine, expire_on_commit=False) as session:
        anonymous = make_case(
            session,
            casework_settings,
            ent,
            attachments=[evidence("evil.html", EVIL, "text/html")],
        ).case
        identified = make_case(session, casework_settings, ent, identified=True).case
        session.commit()
    return {
        "officer": officer,
        "head": head,
        "ent": ent,
        "anonymous": anonymous.code,
        "identified": identified.code,
    }


def as_(client, who):  # type: ignore[no-untyped-def]
    response = login(client, who.officer.username, who.password, who.totp_secret)
    assert response.status_code == 302, response.data[:500]
    return client


def actions(db: Session, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def case_of(db: Session, code: str) -> Case:
    db.expire_all()
    return db.scalars(select(Case).where(Case.code == code)).one()


def test_case_page_decrypts_the_complaint_and_audits_the_view(casework_client, office, db):
    client = as_(casework_client, office["officer"])

    page = client.get(f"/denuncias/{office['anonymous']}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "direccionó la compra de combustible" in html
    assert "evil.html" in html
    assert "<script>alert" not in html  # complainant text is escaped
    assert "Iniciar la verificación" in html or "Dar por cumplidos" in html
    (entry,) = actions(db, "case.viewed")
    assert entry.officer_id == office["officer"].officer.id
    assert json.loads(entry.detail) == {"part": "file"}


def test_unknown_or_foreign_case_is_404(casework_client, office):
    client = as_(casework_client, office["officer"])
    assert client.get("/denuncias/D-1999-999999").status_code == 404


def test_attachment_is_streamed_as_a_safe_download_and_audited(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    case = case_of(db, office["anonymous"])
    attachment_id = case.attachments[0].id

    response = client.get(f"/denuncias/{case.code}/adjuntos/{attachment_id}")

    assert response.status_code == 200
    assert response.data == EVIL
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="evil.html"')
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    (entry,) = actions(db, "attachment.downloaded")
    assert json.loads(entry.detail) == {"attachment": attachment_id, "variant": "original"}

    stripped = client.get(f"/denuncias/{case.code}/adjuntos/{attachment_id}?version=sin-metadatos")
    assert stripped.status_code == 200
    assert "sin-metadatos-evil.html" in stripped.headers["Content-Disposition"]
    assert len(actions(db, "attachment.downloaded")) == 2
    assert client.get(f"/denuncias/{case.code}/adjuntos/999999").status_code == 404


def test_workflow_acts_advance_the_case_and_refusals_show_the_reason(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    code = office["anonymous"]
    # Filed complaints start in verification (the automatic act at filing).
    assert case_of(db, code).state is CaseState.VERIFYING

    # A refused act: no reasoning. The page says why and keeps what was typed.
    refused = client.post(
        f"/denuncias/{code}/actos/request_subsanacion",
        data={"reasoning": "", "missing_items": ["3"]},
    )
    assert refused.status_code == 422
    assert "Todo acto requiere su fundamentación" in refused.get_data(as_text=True)
    assert case_of(db, code).state is CaseState.VERIFYING

    # An act not allowed in the state: refused, not a 500.
    wrong = client.post(f"/denuncias/{code}/actos/conclude", data={"reasoning": "x"})
    assert wrong.status_code == 422
    assert "no corresponde al estado actual" in wrong.get_data(as_text=True)

    # Requirements verified -> verified; then forwarded to the STPAD.
    ok = client.post(
        f"/denuncias/{code}/actos/verify_requirements",
        data={"reasoning": "Cumple los requisitos del art. 7."},
    )
    assert ok.status_code == 303
    assert case_of(db, code).state is CaseState.VERIFIED

    missing_destination = client.post(
        f"/denuncias/{code}/actos/forward", data={"reasoning": "Derivar."}
    )
    assert missing_destination.status_code == 422
    assert "Elija a dónde se deriva" in missing_destination.get_data(as_text=True)

    forwarded = client.post(
        f"/denuncias/{code}/actos/forward",
        data={"reasoning": "Corresponde a la STPAD.", "destination": "stpad"},
    )
    assert forwarded.status_code == 303
    case = case_of(db, code)
    assert case.state is CaseState.FORWARDED
    assert [f.destination for f in case.forwardings] == [Destination.STPAD]
    # The sealed reasoning shows on the timeline.
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    assert "Corresponde a la STPAD." in page


def test_subsanacion_is_visible_to_the_complainant(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    code = office["identified"]
    response = client.post(
        f"/denuncias/{code}/actos/request_subsanacion",
        data={"reasoning": "Falta el compromiso.", "missing_items": ["3"]},
    )
    assert response.status_code == 303
    db.expire_all()
    event = db.scalars(select(CaseEvent).where(CaseEvent.kind == "case.request_subsanacion")).one()
    assert event.visible_to_complainant
    assert event.data == {"missing_items": [3]}


def test_assignment_notes_and_messages(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    code = office["anonymous"]
    me = office["officer"].officer.id

    assert (
        client.post(f"/denuncias/{code}/asignar", data={"officer_id": str(me)}).status_code == 303
    )
    assert case_of(db, code).assigned_officer_id == me
    assert client.post(f"/denuncias/{code}/asignar", data={"officer_id": "999"}).status_code == 400
    assert client.post(f"/denuncias/{code}/asignar", data={"officer_id": ""}).status_code == 303
    assert case_of(db, code).assigned_officer_id is None
    assert len(actions(db, "case.assigned")) == 2

    assert (
        client.post(f"/denuncias/{code}/notas", data={"body": "Nota NOTE-CANARY"}).status_code
        == 303
    )
    empty = client.post(f"/denuncias/{code}/notas", data={"body": "  "})
    assert empty.status_code == 422
    note = db.scalars(select(Note)).one()
    assert b"NOTE-CANARY" not in note.body_sealed
    # Sealed to the office only: the complainant's key cannot open it.
    assert crypto.decrypt(note.body_sealed, [office["ent"].office]) == b"Nota NOTE-CANARY"

    sent = client.post(f"/denuncias/{code}/mensajes", data={"message": "¿Puede precisar la fecha?"})
    assert sent.status_code == 303
    message = db.scalars(select(Message)).one()
    assert message.direction is MessageDirection.TO_COMPLAINANT
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    assert "Nota NOTE-CANARY" in page and "¿Puede precisar la fecha?" in page


def test_identity_vault_for_the_head_only(casework_client, office, db):
    code = office["identified"]
    client = as_(casework_client, office["officer"])
    # An officer is refused, and the attempt is audited.
    assert client.get(f"/denuncias/{code}/identidad").status_code == 403
    assert len(actions(db, "identity.access_denied")) == 1
    client.post("/logout")

    client = as_(casework_client, office["head"])
    form = client.get(f"/denuncias/{code}/identidad")
    assert form.status_code == 200 and "Rosa" not in form.get_data(as_text=True)
    no_basis = client.post(
        f"/denuncias/{code}/identidad", data={"legal_basis": "aclaraciones", "statement": ""}
    )
    assert no_basis.status_code == 422 and "Rosa" not in no_basis.get_data(as_text=True)
    shown = client.post(
        f"/denuncias/{code}/identidad",
        data={"legal_basis": "aclaraciones", "statement": "Citar para aclaraciones (DL 7.1.3)."},
    )
    assert shown.status_code == 200
    assert "Rosa Quispe Mamani" in shown.get_data(as_text=True)
    (entry,) = actions(db, "identity.accessed")
    assert json.loads(entry.detail)["legal_basis"] == "aclaraciones"
    event = db.scalars(select(CaseEvent).where(CaseEvent.kind == "identity_accessed")).one()
    assert event.visible_to_complainant


def test_any_officer_records_a_refused_identity_request(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    code = office["identified"]
    missing = client.post(f"/denuncias/{code}/identidad/denegacion", data={"requester": "titular"})
    assert missing.status_code == 422
    response = client.post(
        f"/denuncias/{code}/identidad/denegacion",
        data={
            "requester": "titular",
            "report_to": "oci",
            "refusal_statement": "Memorando 45-2026 del titular; denegado por RG 3.4.",
        },
    )
    assert response.status_code == 303
    db.expire_all()
    forwarding = db.scalars(
        select(Forwarding).where(Forwarding.destination == Destination.OCI)
    ).one()
    assert forwarding.event_id is not None
    assert len(actions(db, "identity.request_refused")) == 1


def test_forwarding_package_download(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    code = office["identified"]
    body = crypto.X25519Identity.generate()

    bad = client.post(
        f"/denuncias/{code}/paquete", data={"destination": "oci", "recipient": "age1nope"}
    )
    assert bad.status_code == 422
    assert "no es válida" in bad.get_data(as_text=True)
    assert 'value="age1nope"' in bad.get_data(as_text=True)  # nothing typed is lost

    response = client.post(
        f"/denuncias/{code}/paquete",
        data={"destination": "procuraduria", "recipient": body.recipient().to_string()},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    assert ".zip.age" in response.headers["Content-Disposition"]
    digest = hashlib.sha256(response.data).hexdigest()
    assert response.headers["X-Package-SHA256"] == digest
    with zipfile.ZipFile(io.BytesIO(crypto.decrypt(response.data, [body]))) as zf:
        names = zf.namelist()
        assert f"{code}/manifest.json" in names
        for name in names:
            assert b"Rosa Quispe" not in zf.read(name)
    db.expire_all()
    assert db.scalars(select(Forwarding.package_sha256)).one() == digest
    (entry,) = actions(db, "package.exported")
    assert json.loads(entry.detail)["sha256"] == digest


def test_every_decryption_left_a_verifiable_chain(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    client.get(f"/denuncias/{office['anonymous']}")
    client.get(f"/denuncias/{office['identified']}")
    db.expire_all()
    report = audit.verify_chain(db)
    assert report.entries >= 2


def test_officer_without_the_office_key_sees_an_explanation(
    casework_client, officer_factory, office
):
    nokey = officer_factory("nuevo", Role.OFFICER, grant=False)
    client = as_(casework_client, nokey)
    response = client.get(f"/denuncias/{office['anonymous']}")
    assert response.status_code == 403
    assert "llave de la oficina" in response.get_data(as_text=True)

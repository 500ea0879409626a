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
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MessageDirection
from core.law.enums import Role
from core.services import subsanacion
from core.services.case_records import calendar_for
from core.storage import audit
from core.storage.db import utcnow
from core.storage.models import AuditEntry
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Message
from core.storage.models import Note
from core.storage.padding import unpad_text

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
    # The same forwarding submitted again (a double click): refused, nothing recorded twice.
    again = client.post(
        f"/denuncias/{code}/actos/forward",
        data={"reasoning": "Corresponde a la STPAD.", "destination": "stpad"},
    )
    assert again.status_code == 422
    assert "ya fue derivada a ese órgano" in again.get_data(as_text=True)
    assert [f.destination for f in case_of(db, code).forwardings] == [Destination.STPAD]
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
    due = db.scalars(select(Deadline).where(Deadline.kind == DeadlineKind.SUBSANACION)).one()
    # RG 4.4: the term runs from notification, not from the request: no due day on the act.
    assert event.data == {"missing_items": [3]}
    # The case page names the complainant's clock once (issue 12).
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    assert page.count("(plazo del denunciante)") == 1
    # and tells the officer the complainant has not opened the request yet
    assert "aún no abrió el requerimiento de subsanación" in page
    case = db.scalars(select(Case).where(Case.code == code)).one()
    opened = subsanacion.record_notice_opened(
        db, case, now=utcnow(), calendar=calendar_for(db, case.entity)
    )
    db.commit()
    assert opened is not None
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    assert "aún no abrió" not in page
    assert "El denunciante abrió el requerimiento de subsanación el " in page
    db.expire_all()
    assert due.due_on.isoformat() == opened.data["due_on"]


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
    assert (
        unpad_text(crypto.decrypt(note.body_sealed, [office["ent"].office])) == "Nota NOTE-CANARY"
    )

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

    # DL 8.3: the old free "copy for another body" request (a destination, no act) is
    # refused and records nothing
    crafted = client.post(f"/denuncias/{code}/paquete", data={"destination": "oci"})
    assert crafted.status_code == 400
    assert db.scalars(select(Forwarding)).all() == []
    assert actions(db, "package.exported") == [] and actions(db, "case.viewed") == []

    # The package leaves for a forwarding recorded by an act
    for act, data in (
        ("verify_requirements", {"reasoning": "Cumple."}),
        ("forward", {"reasoning": "Hay indicios penales.", "destination": "procuraduria"}),
    ):
        assert client.post(f"/denuncias/{code}/actos/{act}", data=data).status_code == 303
    db.expire_all()
    fw = db.scalars(select(Forwarding)).one()
    bad = client.post(
        f"/denuncias/{code}/paquete", data={"forwarding_id": str(fw.id), "recipient": "age1nope"}
    )
    assert bad.status_code == 422
    assert "no es válida" in bad.get_data(as_text=True)

    response = client.post(
        f"/denuncias/{code}/paquete",
        data={"forwarding_id": str(fw.id), "recipient": body.recipient().to_string()},
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


def test_a_second_submission_of_the_same_act_on_a_stale_case_changes_nothing(
    office, clean_engine, casework_settings
):
    """Two officers (or a double click) act on the same case read before either committed."""
    from core.errors import TransitionRefused
    from core.law.workflow import Act
    from core.services.case_records import calendar_for
    from core.services.cases import apply_act
    from core.storage.db import utcnow
    from core.storage.models import Officer as OfficerRow

    code = office["identified"]
    with Session(clean_engine) as first, Session(clean_engine) as second:
        cases = [s.scalars(select(Case).where(Case.code == code)).one() for s in (first, second)]
        officers = [s.get(OfficerRow, office["officer"].officer.id) for s in (first, second)]
        assert all(c.state is CaseState.VERIFYING for c in cases)

        def forward(session: Session, case: Case, officer: OfficerRow) -> None:
            apply_act(
                session,
                case,
                Act.VERIFY_REQUIREMENTS,
                officer=officer,
                reasoning="Cumple.",
                now=utcnow(),
                calendar=calendar_for(session, case.entity),
                office_recipients=[crypto.parse_recipient(case.entity.office_recipient)],
            )
            session.commit()

        forward(first, cases[0], officers[0])
        # The second session still holds the case as it was (state "en verificación").
        with pytest.raises(TransitionRefused) as refused:
            forward(second, cases[1], officers[1])
        assert refused.value.code == "act_not_allowed_in_state"
        second.rollback()

    with Session(clean_engine) as check:
        case = check.scalars(select(Case).where(Case.code == code)).one()
        verified = [e for e in case.events if e.kind == "case.verify_requirements"]
        assert len(verified) == 1


def test_forged_inputs_get_a_clear_refusal_and_change_nothing(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    code = office["anonymous"]
    before = len(case_of(db, code).events)

    too_long = client.post(
        f"/denuncias/{code}/actos/verify_requirements", data={"reasoning": "x" * 20_001}
    )
    assert too_long.status_code == 422
    assert "La fundamentación es demasiado larga" in too_long.get_data(as_text=True)

    # Unicode digits and 5 000-digit numbers are not requirement items (no int() on them).
    odd = client.post(
        f"/denuncias/{code}/actos/request_subsanacion",
        data={"reasoning": "Falta.", "missing_items": ["\u00b2", "9" * 5000]},
    )
    assert odd.status_code == 422
    assert "Indique qué requisitos faltan" in odd.get_data(as_text=True)

    # Row ids beyond a BIGINT, in the URL and in the form.
    assert client.get(f"/denuncias/{code}/adjuntos/{'9' * 25}").status_code == 404
    package = client.post(f"/denuncias/{code}/paquete", data={"forwarding_id": "9" * 25})
    assert package.status_code == 400

    unknown = client.post(f"/denuncias/{code}/actos/borrar_todo", data={"reasoning": "x"})
    assert unknown.status_code == 404
    assert '<html lang="es">' in unknown.get_data(as_text=True)

    case = case_of(db, code)
    assert case.state is CaseState.VERIFYING
    assert len(case.events) == before


def test_hostile_attachment_names_cannot_break_the_download_headers(
    casework_client, office, casework_settings, clean_engine, db
):
    names = {
        # Quotes, CR/LF (header injection), a right-to-left override hiding ".exe".
        'a"b\r\nSet-Cookie: x=1;\u202egpj.exe.html': (
            'attachment; filename="abSet-Cookie x=1gpj.exe.html"; '
            "filename*=UTF-8''abSet-Cookie%20x%3D1gpj.exe.html"
        ),
        # A path that climbs out of the download folder.
        "..\\..\\Windows\\evil.html": (
            "attachment; filename=\"evil.html\"; filename*=UTF-8''evil.html"
        ),
        # Non-ASCII: an ASCII fallback plus the exact UTF-8 name (RFC 6266).
        "señal ñ.pdf": (
            "attachment; filename=\"se_al _.pdf\"; filename*=UTF-8''se%C3%B1al%20%C3%B1.pdf"
        ),
    }
    with Session(clean_engine, expire_on_commit=False) as session:
        case = make_case(
            session,
            casework_settings,
            office["ent"],
            attachments=[evidence(name, EVIL, "text/html") for name in names],
        ).case
        ids = [a.id for a in case.attachments]
        code = case.code
        session.commit()
    client = as_(casework_client, office["officer"])

    for attachment_id, expected in zip(ids, names.values(), strict=True):
        response = client.get(f"/denuncias/{code}/adjuntos/{attachment_id}")
        assert response.data == EVIL  # streamed: read and close before the next request
        response.close()
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == expected
        assert "x=1" not in response.headers.get("Set-Cookie", "")
        assert response.mimetype == "application/octet-stream"
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_copy_without_metadata_is_never_faked(
    casework_client, office, db, clean_engine, casework_settings
):
    # Given a damaged photo kept as uploaded (its metadata cannot be removed)
    broken = b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00AUTHOR-CANARY\x00garbage"
    with Session(clean_engine, expire_on_commit=False) as session:
        case = make_case(
            session,
            casework_settings,
            office["ent"],
            attachments=[evidence("dañada.jpg", broken, "image/jpeg")],
        ).case
        session.commit()
    client = as_(casework_client, office["officer"])
    attachment_id = case_of(db, case.code).attachments[0].id
    url = f"/denuncias/{case.code}/adjuntos/{attachment_id}"
    # When the officer asks for the copy without metadata
    response = client.get(url + "?version=sin-metadatos")
    # Then they are told it cannot be made, and no bytes of the file are sent
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No se pudieron quitar los metadatos" in page
    assert "AUTHOR-CANARY" not in page
    # And the attempt is on the record, like any decryption
    assert [json.loads(e.detail)["variant"] for e in actions(db, "attachment.downloaded")] == [
        "stripped"
    ]
    # The original is still available, as such
    assert client.get(url).data == broken


def test_the_case_page_says_why_an_act_is_not_offered(
    casework_client, office, db, clean_engine, casework_settings
):
    # Given a complaint with a protection request whose requirements were verified
    from core.law.enums import MeasureType

    with Session(clean_engine, expire_on_commit=False) as session:
        code = make_case(
            session,
            casework_settings,
            office["ent"],
            protection=(MeasureType.TRANSFER_COMPLAINANT,),
        ).case.code
        session.commit()
    client = as_(casework_client, office["officer"])
    verified = client.post(
        f"/denuncias/{code}/actos/verify_requirements", data={"reasoning": "Cumple el art. 7."}
    )
    assert verified.status_code == 303
    # Then forwarding is not offered, and the page says why, in Spanish
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    assert "Actos que aún no puede registrar" in page
    assert "haya vencido el plazo de evaluación (RG 4.7, 4.8)" in page


def test_rg_4_8_an_undecided_measure_past_its_evaluation_is_flagged_and_forwarding_offered(
    casework_client, office, db, clean_engine, casework_settings
):
    import datetime as dt

    from core.law.enums import MeasureType
    from core.law.workflow import Act
    from core.services.cases import apply_act

    # Filed Mon 2 Mar 2026 with a transfer request, verified Tue 3 Mar: the evaluation
    # period (RG 4.7) ended Tue 10 Mar (4, 5, 6, 9, 10) and the transfer is still undecided.
    with Session(clean_engine, expire_on_commit=False) as session:
        case = make_case(
            session,
            casework_settings,
            office["ent"],
            protection=(MeasureType.TRANSFER_COMPLAINANT,),
        ).case
        apply_act(
            session,
            case,
            Act.VERIFY_REQUIREMENTS,
            officer=None,
            reasoning="Cumple el art. 7.",
            now=dt.datetime(2026, 3, 3, 15, tzinfo=dt.UTC),
            calendar=calendar_for(session, case.entity),
            office_recipients=[crypto.parse_recipient(case.entity.office_recipient)],
        )
        code = case.code
        session.commit()
    client = as_(casework_client, office["officer"])
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    assert 'data-testid="evaluation-overdue"' in page
    assert "el plazo de evaluación venció el 10/03/2026" in page
    # RG 4.8: the file is not held: forwarding is offered and recorded.
    assert f"/denuncias/{code}/actos/forward" in page
    forwarded = client.post(
        f"/denuncias/{code}/actos/forward",
        data={"reasoning": "Corresponde a la STPAD.", "destination": "stpad"},
    )
    assert forwarded.status_code == 303
    db.expire_all()
    assert db.scalars(select(Case).where(Case.code == code)).one().state is CaseState.FORWARDED

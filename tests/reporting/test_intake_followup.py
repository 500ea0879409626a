"""Follow-up with the receipt: timeline of acts and deadlines, subsanación, protection later,
evidence added later, metadata choices at filing, several entities, draft purge."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from factories import make_entity
from intake_helpers import complaint_data
from intake_helpers import file_complaint
from intake_helpers import file_review
from intake_helpers import send_followup_evidence
from intake_helpers import submit_review
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

import crypto
from core.law import vocabulary
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.workflow import Act
from core.services import case_records
from core.services import cases as case_services
from core.services.messages import read_attachment_meta
from core.services.messages import read_message
from core.storage.blobs import read_plaintext
from core.storage.db import utcnow
from core.storage.models import Blob
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Measure
from core.storage.models import Message
from reporting import drafts


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Modelo-Z"
    exif[0x8825] = {1: "S", 2: (12.0, 3.0, 0.0), 3: "W", 4: (77.0, 2.0, 0.0)}
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def _multipart(pairs):  # type: ignore[no-untyped-def]
    boundary, body = encode_multipart(MultiDict(pairs))
    return body, f"multipart/form-data; boundary={boundary}"


def _case(session_for) -> Case:  # type: ignore[no-untyped-def]
    session_for.expire_all()
    return session_for.scalars(select(Case)).one()


def test_subsanacion_request_shows_in_the_timeline_with_its_deadline(client, ent, session_for):
    receipt, _ = file_complaint(client, complaint_data(commitment=None))
    case = _case(session_for)
    case_services.apply_act(
        session_for,
        case,
        Act.REQUEST_SUBSANACION,
        officer=None,
        reasoning="Falta el compromiso.",
        now=utcnow(),
        calendar=case_records.calendar_for(session_for, case.entity),
        office_recipients=[crypto.parse_recipient(ent.entity.office_recipient)],
        missing_items=[3],
    )
    session_for.commit()
    client.post("/seguimiento", data={"receipt": receipt})
    page = client.get("/seguimiento").get_data(as_text=True)
    assert "Observada: se requiere subsanación" in page
    assert "Se le pidió subsanar la denuncia" in page
    assert "el compromiso de permanecer a disposición" in page
    assert "Usted puede subsanar hasta el" in page
    # RG 4.4: the request comes first on the page, and this first opening is recorded once
    # (with nothing about the client) as the day the term runs from.
    assert page.index('data-testid="subsanacion"') < page.index("Observada: se requiere")
    # Issue 12: what is missing and the law's consequence of not answering (core/law).
    notice = page.split('data-testid="subsanacion"', 1)[1].split("</section>", 1)[0]
    assert "el compromiso de permanecer a disposición" in notice
    assert vocabulary.SUBSANACION_CONSEQUENCE in notice
    assert "Reglamento, art. 4.4" in vocabulary.SUBSANACION_CONSEQUENCE
    assert "Puede subsanar hasta el" in page
    client.get("/seguimiento")
    session_for.expire_all()
    (opened,) = session_for.scalars(
        select(CaseEvent).where(CaseEvent.kind == "subsanacion_notice_opened")
    ).all()
    assert set(opened.data) == {"request_event_id", "due_on"}
    assert opened.officer_id is None
    # The opening keeps the due day on the timeline, written as people in Peru read dates
    assert re.search(r"plazo: hasta el \d{2}/\d{2}/\d{4}", page)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page)
    assert "Falta el compromiso." not in page  # the officer's reasoning stays internal
    # The complainant answers the subsanación.
    resp = client.post(
        "/seguimiento/mensaje",
        data={"kind": "subsanacion", "body": "Me comprometo a estar a disposición."},
    )
    assert resp.status_code == 303
    msg = session_for.scalars(
        select(Message).where(Message.kind == MessageKind.SUBSANACION_RESPONSE)
    ).one()
    assert read_message(msg, [ent.office]) == "Me comprometo a estar a disposición."
    assert "Usted envió su subsanación" in client.get("/seguimiento").get_data(as_text=True)


def test_protection_later_and_evidence_later(client, ent, session_for):
    data = complaint_data(modality="con_reserva", full_name="Ana Ríos", document_number="40000002")
    receipt, _ = file_complaint(client, data)
    client.post("/seguimiento", data={"receipt": receipt})
    resp = client.post(
        "/seguimiento/proteccion",
        data={"measures": ["traslado_denunciante"], "risk": "Me cambiaron de turno."},
    )
    assert resp.status_code == 303
    case = _case(session_for)
    assert [m.type.value for m in session_for.scalars(select(Measure))] == ["traslado_denunciante"]
    assert case.protection_requested
    body, ctype = _multipart(
        [("files", FileStorage(io.BytesIO(_jpeg_with_gps()), filename="nueva.jpg"))]
    )
    review, sent = send_followup_evidence(client, body, ctype)
    assert "Ubicación GPS" in review and "No queda ningún dato oculto." in review
    assert sent.status_code == 303
    case = _case(session_for)
    (att,) = case.attachments
    meta = read_attachment_meta(att, [ent.office])
    assert meta["filename"] == "nueva.jpg" and "gps" in meta["metadata_removed"]
    with Image.open(io.BytesIO(read_plaintext(session_for, att.blob_id, [ent.office]))) as im:
        assert dict(im.getexif()) == {}
    page = client.get("/seguimiento").get_data(as_text=True)
    assert "nueva.jpg" in page and "Usted añadió pruebas" in page
    assert "Usted solicitó medidas de protección" in page
    kinds = {m.kind for m in case.messages if m.direction is MessageDirection.FROM_COMPLAINANT}
    assert kinds == {MessageKind.PROTECTION_REQUEST}


def test_bad_evidence_is_refused_in_spanish(client):
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    body, ctype = _multipart([("files", FileStorage(io.BytesIO(b"MZ"), filename="x.exe"))])
    resp = client.post("/seguimiento/pruebas", data=body, content_type=ctype)
    assert resp.status_code == 422
    assert "no es de un tipo permitido" in resp.get_data(as_text=True)


@pytest.mark.parametrize("keep", [False, True])
def test_metadata_removed_unless_the_person_keeps_the_original(client, ent, session_for, keep):
    photo = _jpeg_with_gps()
    client.get("/denunciar")
    data = complaint_data()
    pairs = [(k, v) for k, v in data.items() if not isinstance(v, list)]
    pairs += [("motives", m) for m in data["motives"]]
    pairs.append(("files", FileStorage(io.BytesIO(photo), filename="foto.jpg")))
    body, ctype = _multipart(pairs)
    review = client.post("/denunciar", data=body, content_type=ctype).get_data(as_text=True)
    assert "Ubicación GPS" in review and "Modelo-Z" in review
    blob_id = review.split('name="keep_original" value="', 1)[1].split('"', 1)[0]
    submit_review(client, review, keep=[blob_id] if keep else [])
    (att,) = _case(session_for).attachments
    stored = read_plaintext(session_for, att.blob_id, [ent.office])
    meta = read_attachment_meta(att, [ent.office])
    if keep:
        assert stored == photo and meta["metadata_removed"] == []
    else:
        assert stored != photo and "gps" in meta["metadata_removed"]
    assert meta["original_sha256"]


def test_several_entities_choose_one(app, settings, clean_engine, session_for):
    with Session(clean_engine, expire_on_commit=False) as s:
        first = make_entity(s, settings, name="Municipalidad de Ate")
        second = make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    with app.test_client() as c:
        page = c.get("/denunciar").get_data(as_text=True)
        assert "Municipalidad de Ate" in page and "Gobierno Regional de Piura" in page
        review = file_review(c, complaint_data(entity=second.entity.slug))
        assert "Gobierno Regional de Piura" in review
        submit_review(c, review)
    case = _case(session_for)
    assert case.entity_id == second.entity.id
    report = json.loads(read_plaintext(session_for, case.report_blob_id, [second.office]))
    assert report["facts"]
    with pytest.raises(crypto.NoIdentityMatch):
        read_plaintext(session_for, case.report_blob_id, [first.office])


def test_abandoned_drafts_are_purged(client, session_for):
    client.get("/denunciar")
    body, ctype = _multipart(
        [
            *complaint_data(motives=None).items(),
            ("files", FileStorage(io.BytesIO(b"x"), filename="a.txt")),
        ]
    )
    client.post("/denunciar", data=body, content_type=ctype)
    session_for.expire_all()
    assert len(session_for.scalars(select(Blob).where(Blob.case_id.is_(None))).all()) == 1
    later = utcnow() + drafts.DRAFT_MAX_AGE + dt.timedelta(minutes=1)
    assert drafts.purge_stale(session_for, later) == 1
    session_for.commit()
    assert session_for.scalars(select(Blob)).all() == []


def test_identity_access_appears_on_the_complainants_timeline(client, ent, session_for, settings):
    # Given an identified complainant under identity reserve
    data = complaint_data(modality="con_reserva", full_name="Ana Ríos", document_number="40000002")
    receipt, _ = file_complaint(client, data)
    case = _case(session_for)
    # When the head of the OII reads the identity, stating a legal basis
    from factories import make_officer

    from core.law.enums import Role
    from core.services import vault

    head = make_officer(session_for, settings, ent, username="jefa", role=Role.HEAD)
    document = vault.access_identity(
        session_for,
        case,
        officer=head.officer,
        vault_identities=[ent.vault],
        legal_basis=vault.LegalBasis.MEASURE_EXECUTION,
        statement="La ORH debe ejecutar el traslado temporal.",
        now=utcnow(),
        office_recipients=[crypto.parse_recipient(ent.entity.office_recipient)],
    )
    session_for.commit()
    assert document.full_name == "Ana Ríos"
    # Then the complainant sees that access, and its ground, with their receipt
    client.post("/seguimiento", data={"receipt": receipt})
    page = client.get("/seguimiento").get_data(as_text=True)
    assert "La jefatura de la OII consultó sus datos de identidad" in page
    assert "para ejecutar medidas de protección" in page
    assert "traslado temporal" not in page  # the sealed statement stays internal
    english = client.get("/seguimiento?lang=en").get_data(as_text=True)
    assert "The head of the OII consulted your identity data" in english


def test_the_timeline_says_whether_a_measure_was_granted(client, ent, session_for, settings):
    # Given an identified complainant who asked for the bidder's guarantee (DL 9.3)
    from case_factory import make_case
    from factories import make_officer

    from core.law.enums import MeasureType
    from core.law.enums import Role
    from core.law.measures_workflow import Criterion
    from core.law.measures_workflow import MeasureAct
    from core.services.measures import apply_measure_act

    filed = make_case(session_for, settings, ent, protection=(MeasureType.BIDDER_GUARANTEE,))
    session_for.commit()
    head = make_officer(session_for, settings, ent, username="jefa", role=Role.HEAD).officer
    case = filed.case
    measure = next(m for m in case.measures if m.type is MeasureType.BIDDER_GUARANTEE)
    calendar = case_records.calendar_for(session_for, case.entity)
    office = [crypto.parse_recipient(ent.entity.office_recipient)]
    # When the head grants it and the complainant is notified
    for act, extra in (
        (MeasureAct.GRANT, {"criteria": {c: True for c in Criterion}}),
        (MeasureAct.NOTIFY_COMPLAINANT, {}),
    ):
        apply_measure_act(
            session_for,
            measure,
            act,
            officer=head,
            reasoning="Motivación.",
            now=utcnow(),
            calendar=calendar,
            office_recipients=office,
            **extra,
        )
    session_for.commit()
    # Then the follow-up timeline says the measure was granted, not just "decided"
    client.post("/seguimiento", data={"receipt": filed.code})
    page = client.get("/seguimiento").get_data(as_text=True)
    assert "Se le comunicó la decisión sobre la medida" in page
    assert "Garantía al postor o contratista" in page
    assert "otorgada" in page.split("Se le comunicó la decisión sobre la medida", 1)[1][:400]


def test_an_anonymous_protection_request_is_recorded_as_one(client, ent, session_for):
    """Issue 12, defect 3: an anonymous person's request from the follow-up page is a protection
    request (measures recorded, "Solicita medidas: Sí"), not only a message."""
    receipt, _ = file_complaint(client, complaint_data())  # anonymous by default
    assert _case(session_for).modality.value == "anonima"
    client.post("/seguimiento", data={"receipt": receipt})
    resp = client.post(
        "/seguimiento/proteccion",
        data={"measures": ["traslado_denunciante"], "risk": "Me cambiaron de turno."},
    )
    assert resp.status_code == 303
    case = _case(session_for)
    assert case.protection_requested
    assert [m.type.value for m in session_for.scalars(select(Measure))] == ["traslado_denunciante"]
    (msg,) = case.messages
    assert "Me cambiaron de turno." in read_message(msg, [ent.office])


def test_the_complainant_sees_the_bad_faith_notice_its_term_and_the_decision(
    client, ent, session_for, settings
):
    """RG 11: the complainant is told of the intent and has 5 business days to allege; they see
    the outcome, never the office's reasoning."""
    from case_factory import make_case
    from factories import make_officer

    from core.law.enums import BadFaithType
    from core.law.enums import Role
    from core.services import badfaith

    filed = make_case(session_for, settings, ent)
    session_for.commit()
    officer = make_officer(session_for, settings, ent, username="ana").officer
    head = make_officer(session_for, settings, ent, username="jefa", role=Role.HEAD).officer
    case = filed.case
    calendar = case_records.calendar_for(session_for, case.entity)
    office = [crypto.parse_recipient(ent.entity.office_recipient)]
    start = utcnow() - dt.timedelta(days=20)
    procedure = badfaith.start_bad_faith(
        session_for,
        case,
        officer=officer,
        bad_faith_type=BadFaithType.FALSE,
        reasoning="Pruebas simuladas según el informe interno.",
        now=start,
        calendar=calendar,
        office_recipients=office,
    )
    badfaith.decide_bad_faith(
        session_for,
        procedure,
        officer=head,
        upheld=False,
        reasoning="No se acredita.",
        now=utcnow(),
        calendar=calendar,
        office_recipients=office,
    )
    session_for.commit()
    client.post("/seguimiento", data={"receipt": filed.code})
    page = client.get("/seguimiento").get_data(as_text=True)
    notice = page.split("procedimiento por mala fe sobre su denuncia", 1)[1][:400]
    assert re.search(r"plazo: hasta el \d{2}/\d{2}/\d{4}", notice)
    assert "Se decidió el procedimiento por mala fe" in page
    assert "no se confirmó" in page.split("Se decidió el procedimiento por mala fe", 1)[1][:300]
    assert "informe interno" not in page


def test_the_complainant_sees_each_measure_requested_and_its_state(client, ent, session_for):
    # Issue 12: the follow-up page lists the complainant's own measures with their state.
    from core.law.enums import Beneficiary
    from core.law.enums import MeasureState

    data = complaint_data(
        modality="con_reserva", full_name="Ana Ríos", document_number="40000002",
        protection_measures=["traslado_denunciante"], protection_risk="Temo un cambio de sede.",
    )  # fmt: skip
    receipt, _ = file_complaint(client, data)
    case = _case(session_for)
    (measure,) = case.measures
    assert measure.beneficiary is Beneficiary.COMPLAINANT
    measure.state = MeasureState.IN_FORCE
    measure.in_force_from = dt.date(2026, 12, 1)
    measure.in_force_until = dt.date(2027, 5, 31)
    session_for.commit()
    client.post("/seguimiento", data={"receipt": receipt})
    page = client.get("/seguimiento").get_data(as_text=True)
    table = page.split('data-testid="measures"', 1)[1].split("</table>", 1)[0]
    assert "<td>Traslado temporal del denunciante</td>" in table
    assert "vigente" in table
    assert "01/12/2026" in table and "31/05/2027" in table


def test_my_complaint_shows_everything_i_sent(client, ent, session_for):
    # Issue 12: "Ver mi denuncia" shows modality, motives, facts, identity data under reserve,
    # the measures asked for (with "Otra medida"), and each file with its name and hash.
    import hashlib

    note = b"Acta de conformidad firmada sin servicio."
    data = complaint_data(
        modality="con_reserva", full_name="Ana Ríos Paz", document_number="40000002",
        email="ana@example.org", protection_measures=["traslado_denunciante", "otra"],
        protection_other="Horario flexible para declarar.", protection_risk="Temo represalias.",
    )  # fmt: skip
    data["files"] = (io.BytesIO(note), "acta.txt")
    receipt, _ = file_complaint(client, data)
    client.post("/seguimiento", data={"receipt": receipt})
    page = client.get("/seguimiento/denuncia").get_data(as_text=True)
    assert 'data-testid="modality">Con reserva de identidad' in page
    assert data["facts"] in page
    identity = page.split('data-testid="identity"', 1)[1].split("</dl>", 1)[0]
    assert "Ana Ríos Paz" in identity and "40000002" in identity and "ana@example.org" in identity
    assert "Traslado temporal del denunciante" in page and "Horario flexible para declarar." in page
    files = page.split('data-testid="files"', 1)[1].split("</ul>", 1)[0]
    assert "acta.txt" in files and hashlib.sha256(note).hexdigest() in files

"""The intake with the Flask test client: file, review, submit, confirm, follow up."""

from __future__ import annotations

import json
import re

from intake_helpers import RECEIPT_RE
from intake_helpers import complaint_data
from intake_helpers import file_complaint
from intake_helpers import file_review
from intake_helpers import submit_review
from intake_helpers import with_files
from sqlalchemy import select

import crypto
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.services import followup
from core.services import intake
from core.services.messages import post_message
from core.services.messages import read_attachment_meta
from core.services.messages import read_message
from core.storage.blobs import read_plaintext
from core.storage.models import Case
from core.storage.models import Message


def _only_case(session_for) -> Case:  # type: ignore[no-untyped-def]
    session_for.expire_all()
    (case,) = session_for.scalars(select(Case)).all()
    return case


def test_landing_sets_no_cookie_and_loads_nothing_external(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert "Set-Cookie" not in resp.headers
    html = resp.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html
    assert "Tor Browser" in html


def test_file_a_complaint_and_decrypt_it(client, ent, session_for, settings):
    receipt, confirmation = file_complaint(
        client,
        with_files(complaint_data(), [("nota.txt", b"contenido de prueba")]),
    )
    assert "D-2026-" in confirmation or "D-20" in confirmation
    case = _only_case(session_for)
    report = json.loads(read_plaintext(session_for, case.report_blob_id, [ent.office]))
    assert report["facts"] == "El jefe de logística direccionó la compra de combustible."
    assert report["persons_reported"] == [{"name": "", "post": "Jefe de Logística"}]
    (att,) = case.attachments
    assert read_plaintext(session_for, att.blob_id, [ent.office]) == b"contenido de prueba"
    assert read_attachment_meta(att, [ent.office])["filename"] == "nota.txt"
    # The receipt opens the case and derives the complainant identity.
    found = followup.find_case(session_for, receipt, settings)
    assert found is not None and found.id == case.id
    # The acknowledgement is downloadable, verifiable, and has no receipt.
    ack = client.get("/acuse.json")
    assert ack.status_code == 200
    data = json.loads(ack.get_data(as_text=True))
    assert intake.verify_acknowledgement(data, ent.entity.signing_public_key)
    assert crypto.normalize_receipt(receipt) not in json.dumps(data)
    assert receipt not in ack.get_data(as_text=True)


def test_validation_error_keeps_text_and_files(client, ent, session_for):
    client.get("/denunciar")
    data = with_files(complaint_data(motives=None), [("uno.txt", b"archivo uno")])
    resp = client.post("/denunciar", data=data, content_type="multipart/form-data")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Revise lo siguiente" in html and 'href="#motives-0"' in html
    # The text is still in the form and the file is listed as already attached.
    assert "El jefe de logística direccionó la compra de combustible." in html
    assert "uno.txt" in html
    # Fix the error without re-choosing the file: it is still attached at review time.
    review = file_review(client, complaint_data())
    assert "uno.txt" in review
    confirmation = submit_review(client, review)
    assert RECEIPT_RE.search(confirmation)
    case = _only_case(session_for)
    assert len(case.attachments) == 1


def test_resubmission_does_not_file_twice(client, session_for):
    client.get("/denunciar")
    review = file_review(client, complaint_data())
    submit_review(client, review)
    from intake_helpers import hidden_fields
    from werkzeug.datastructures import MultiDict

    again = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(review)))
    assert again.status_code == 409
    assert len(session_for.scalars(select(Case)).all()) == 1


def test_followup_shows_state_messages_and_reply_arrives_encrypted(client, ent, session_for):
    receipt, _html = file_complaint(client)
    case = _only_case(session_for)
    post_message(
        session_for,
        case,
        direction=MessageDirection.TO_COMPLAINANT,
        kind=MessageKind.MESSAGE,
        body="Por favor, indique la fecha exacta.",
        officer_id=None,
        now=case.filed_at,
    )
    session_for.commit()
    client.post("/seguimiento/salir")
    login = client.post("/seguimiento", data={"receipt": receipt.lower().replace("-", " ")})
    assert login.status_code == 303
    page = client.get("/seguimiento").get_data(as_text=True)
    assert case.code in page
    assert "Por favor, indique la fecha exacta." in page
    assert "Denuncia registrada" in page
    resp = client.post(
        "/seguimiento/mensaje", data={"kind": "message", "body": "Fue el 15 de enero."}
    )
    assert resp.status_code == 303
    assert "Su mensaje fue enviado cifrado." in client.get("/seguimiento").get_data(as_text=True)
    session_for.expire_all()
    mine = session_for.scalars(
        select(Message).where(Message.direction == MessageDirection.FROM_COMPLAINANT)
    ).one()
    assert b"15 de enero" not in mine.body_sealed
    assert read_message(mine, [ent.office]) == "Fue el 15 de enero."


def test_wrong_receipt_is_refused_without_cookie_identity(client):
    client.get("/seguimiento")
    resp = client.post("/seguimiento", data={"receipt": "0000-0000-0000-0000"})
    assert resp.status_code == 422
    assert "no es correcto" in resp.get_data(as_text=True)
    assert client.get("/seguimiento").get_data(as_text=True).count('name="receipt"') == 1


def test_pages_answering_a_post_offer_no_link_that_would_lose_them(client):
    # The review and the receipt page answer a POST: a language or home link would fetch
    # another page and lose what was typed, or the one-time receipt for good.
    client.get("/denunciar")
    review = file_review(client, complaint_data())
    confirmation = submit_review(client, review)
    for html in (review, confirmation):
        assert "?lang=" not in html
        assert 'class="brand" href=' not in html
    # The printable acknowledgement opens in another tab, leaving the receipt on screen.
    assert re.search(r'href="/acuse"[^>]*target="_blank"', confirmation)
    # A page fetched with GET still offers both.
    landing = client.get("/").get_data(as_text=True)
    assert "?lang=en" in landing


def test_review_says_identity_typed_under_an_anonymous_choice_will_not_be_sent(client):
    client.get("/denunciar")
    review = file_review(client, complaint_data(full_name="Rosa Quispe"))  # modality anónima
    assert "los datos de identidad que escribió no se enviarán" in review
    assert "Rosa Quispe" not in review.split("Sus datos", 1)[1].split("</dd>", 1)[0]


def test_measures_ticked_under_an_anonymous_choice_are_filed(client, session_for):
    """Issue 12, defect 2 and the anonymous request: a measure ticked, then "anónima": the
    review lists it with the sentence on identification, and the filing records it (the case
    shows the request; the clocks are in tests/core/test_intake.py)."""
    from intake_helpers import file_review
    from intake_helpers import submit_review
    from sqlalchemy import select

    from core.law.enums import MeasureType
    from core.storage.models import Case
    from core.storage.models import Measure

    client.get("/denunciar")
    data = complaint_data(
        modality="anonima", protection_measures=["traslado_denunciante"], protection_risk="x"
    )
    review = file_review(client, data)
    assert "Medidas de protección solicitadas" in review
    assert "solo puede ejecutarse cuando usted se identifique" in review
    submit_review(client, review)
    case = session_for.scalars(select(Case)).one()
    assert case.protection_requested
    assert [m.type for m in session_for.scalars(select(Measure))] == [
        MeasureType.TRANSFER_COMPLAINANT
    ]

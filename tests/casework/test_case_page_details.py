"""Issue 12, defect 8: what the case page must tell an officer.

The HR feasibility result, which measure an act concerns, every package hash of a forwarding,
the kind of each complainant message, and an honest "original" download.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io

import pytest
from case_factory import evidence
from case_factory import make_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import MeasureType
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Role
from core.services import messages
from core.storage.models import Forwarding

from .conftest import login


@pytest.fixture
def office(officer_factory, casework_settings, clean_engine):  # type: ignore[no-untyped-def]
    officer = officer_factory("ana", Role.OFFICER)
    ent = officer_factory.ensure_entity()
    cleaned = dataclasses.replace(
        evidence("foto.jpg", b"JPEG sin GPS", "image/jpeg"),
        stream=io.BytesIO(b"JPEG sin GPS"),
        metadata_removed=("GPSInfo", "Make"),
        original_sha256=hashlib.sha256(b"JPEG con GPS").hexdigest(),
    )
    with Session(clean_engine, expire_on_commit=False) as session:
        case = make_case(
            session,
            casework_settings,
            ent,
            protection=(MeasureType.TRANSFER_COMPLAINANT,),
            attachments=[evidence("acta.txt", b"texto original"), cleaned],
            now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        ).case
        for kind, body in (
            (MessageKind.SUBSANACION_RESPONSE, "Adjunto mi DNI como pidieron."),
            (MessageKind.PROTECTION_REQUEST, "Pido además reserva de identidad."),
            (MessageKind.RETALIATION, "Me cambiaron de turno."),
        ):
            messages.post_message(
                session,
                case,
                direction=MessageDirection.FROM_COMPLAINANT,
                kind=kind,
                body=body,
                officer_id=None,
                now=dt.datetime.now(dt.UTC),
            )
        ids = [a.id for a in sorted(case.attachments, key=lambda a: a.id)]
        measure_id = case.measures[0].id
        session.commit()
    return {"officer": officer, "code": case.code, "measure": measure_id, "files": ids}


def as_(client, who):  # type: ignore[no-untyped-def]
    assert login(client, who.officer.username, who.password, who.totp_secret).status_code == 302
    return client


def test_hr_result_and_the_measure_of_each_act_are_shown(casework_client, office):
    client = as_(casework_client, office["officer"])
    code, mid = office["code"], office["measure"]
    base = f"/denuncias/{code}/medidas/{mid}/actos"
    assert client.post(f"{base}/request_hr_report", data={"reasoning": "A ORH."}).status_code == 303
    pending = client.get(f"/denuncias/{code}/medidas/{mid}").get_data(as_text=True)
    assert 'data-testid="hr-result">Pendiente<' in pending
    recorded = client.post(
        f"{base}/record_hr_report", data={"reasoning": "Informe 12.", "hr_feasible": "0"}
    )
    assert recorded.status_code == 303
    detail = client.get(f"/denuncias/{code}/medidas/{mid}").get_data(as_text=True)
    assert 'data-testid="hr-result">No viable<' in detail
    assert "resultado: no viable" in detail
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    assert f'data-testid="hr-result-{mid}">informe de la ORH: no viable<' in page
    assert "resultado: no viable" in page
    # The HR acts in the case history name their measure.
    assert page.count("medida: <a href=") >= 2
    assert "Traslado temporal del denunciante</a> (" in page


def test_every_package_hash_of_a_forwarding_is_kept(
    casework_client, office, db, officer_factory, casework_settings
):
    client = as_(casework_client, office["officer"])
    # A complaint without a protection request (RG 4.8 would hold its forwarding back until
    # the measures' evaluation period has run)
    plain = make_case(db, casework_settings, officer_factory.ensure_entity()).case
    code, case_id = plain.code, plain.id
    db.commit()
    # A forwarding recorded by an act (DL 8.3: nothing leaves without one), exported twice
    for act, data in (
        ("verify_requirements", {"reasoning": "Cumple."}),
        ("forward", {"reasoning": "Hay indicios penales.", "destination": "procuraduria"}),
    ):
        answer = client.post(f"/denuncias/{code}/actos/{act}", data=data)
        assert answer.status_code == 303, answer.get_data(as_text=True)[-3000:]
    db.expire_all()
    fw = db.scalars(select(Forwarding).where(Forwarding.case_id == case_id)).one()
    first = client.post(f"/denuncias/{code}/paquete", data={"forwarding_id": str(fw.id)})
    assert first.status_code == 200
    second = client.post(f"/denuncias/{code}/paquete", data={"forwarding_id": str(fw.id)})
    assert second.status_code == 200
    hashes = {hashlib.sha256(first.data).hexdigest(), hashlib.sha256(second.data).hexdigest()}
    assert len(hashes) == 2  # each export is a new package (time-stamped manifest)
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    section = page.split(f'data-testid="packages-{fw.id}"', 1)[1].split("</ol>", 1)[0]
    for digest in hashes:
        assert digest in section


def test_message_kinds_are_shown(casework_client, office):
    client = as_(casework_client, office["officer"])
    page = client.get(f"/denuncias/{office['code']}").get_data(as_text=True)
    messages_part = page.split('id="mensajes"', 1)[1]
    assert "Subsanación</span>" in messages_part
    assert "Solicitud de medidas de protección</span>" in messages_part
    assert "Represalia reportada</span>" in messages_part


def test_original_download_is_the_original_and_a_cleaned_file_says_so(casework_client, office):
    client = as_(casework_client, office["officer"])
    code = office["code"]
    kept, cleaned = office["files"]
    page = client.get(f"/denuncias/{code}").get_data(as_text=True)
    kept_item = page.split(f'data-testid="attachment-{kept}"', 1)[1].split("</li>", 1)[0]
    cleaned_item = page.split(f'data-testid="attachment-{cleaned}"', 1)[1].split("</li>", 1)[0]
    assert "Descargar original" in kept_item
    assert "Descargar original" not in cleaned_item
    assert "El original no se conservó" in cleaned_item
    assert hashlib.sha256(b"JPEG con GPS").hexdigest() in cleaned_item
    assert "GPSInfo" in cleaned_item
    original = client.get(f"/denuncias/{code}/adjuntos/{kept}")
    assert original.data == b"texto original"
    received = client.get(f"/denuncias/{code}/adjuntos/{cleaned}")
    assert received.data == b"JPEG sin GPS"
    assert "sin-metadatos-foto.jpg" in received.headers["Content-Disposition"]


def test_the_other_measure_s_description_is_shown(casework_client, officer_factory,
                                                 casework_settings, clean_engine):  # fmt: skip
    from core.services.intake import ProtectionRequest

    officer = officer_factory("beto", Role.OFFICER)
    ent = officer_factory.ensure_entity()
    with Session(clean_engine, expire_on_commit=False) as session:
        case = make_case(
            session, casework_settings, ent,
            protection=ProtectionRequest(
                measures=(MeasureType.OTHER,), risk="Temo represalias.",
                other="Que no me evalúe mi jefe directo.",
            ),
            identified=True,
        ).case  # fmt: skip
        session.commit()
    page = as_(casework_client, officer).get(f"/denuncias/{case.code}").get_data(as_text=True)
    assert "Otra medida que solicita" in page
    assert "Que no me evalúe mi jefe directo." in page

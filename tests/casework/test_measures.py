"""Protection measures register: the lifecycle through the web, head-only decisions,
bad-faith cessation ending in forwardings, retaliation reports listed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from case_factory import make_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Role
from core.services import messages
from core.storage.models import AuditEntry
from core.storage.models import BadFaithProcedure
from core.storage.models import CaseEvent
from core.storage.models import Forwarding
from core.storage.models import Measure

from .conftest import login


@pytest.fixture
def office(officer_factory, casework_settings, clean_engine):  # type: ignore[no-untyped-def]
    officer = officer_factory("ana", Role.OFFICER)
    head = officer_factory("jefa", Role.HEAD)
    ent = officer_factory.ensure_entity()
    with Session(clean_engine, expire_on_commit=False) as session:
        case = make_case(
            session,
            casework_settings,
            ent,
            protection=(MeasureType.TRANSFER_COMPLAINANT,),
            now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        ).case
        messages.post_message(
            session,
            case,
            direction=MessageDirection.FROM_COMPLAINANT,
            kind=MessageKind.RETALIATION,
            body="Me cambiaron de turno tras denunciar.",
            officer_id=None,
            now=dt.datetime.now(dt.UTC),
        )
        measure_id = case.measures[0].id
        session.commit()
    return {"officer": officer, "head": head, "code": case.code, "measure": measure_id}


def as_(client, who):  # type: ignore[no-untyped-def]
    assert login(client, who.officer.username, who.password, who.totp_secret).status_code == 302
    return client


def measure(db: Session, measure_id: int) -> Measure:
    db.expire_all()
    return db.get(Measure, measure_id)


def test_register_lists_measures_clocks_and_retaliation(casework_client, office):
    client = as_(casework_client, office["officer"])
    html = client.get(f"/denuncias/{office['code']}/medidas").get_data(as_text=True)
    assert "Traslado temporal del denunciante" in html
    assert "Solicitada" in html
    assert "Notificar medidas al denunciante" in html  # 7 business days
    assert "Plazo máximo para otorgar medidas" in html  # 15 business days
    assert "Represalias reportadas" in html and "Reporte del" in html


def test_full_lifecycle_to_bad_faith_exclusion(casework_client, office, db):
    code, mid = office["code"], office["measure"]
    base = f"/denuncias/{code}/medidas/{mid}/actos"
    client = as_(casework_client, office["officer"])

    assert (
        client.post(f"{base}/request_hr_report", data={"reasoning": "Pedir a ORH."}).status_code
        == 303
    )
    assert measure(db, mid).state is MeasureState.HR_FEASIBILITY
    page = client.get(f"/denuncias/{code}/medidas/{mid}").get_data(as_text=True)
    assert "Informe de viabilidad de la ORH" in page  # the 3-business-day clock

    missing = client.post(f"{base}/record_hr_report", data={"reasoning": "Informe 12."})
    assert missing.status_code == 422
    assert "viable" in missing.get_data(as_text=True)
    ok = client.post(
        f"{base}/record_hr_report", data={"reasoning": "Informe 12.", "hr_feasible": "1"}
    )
    assert ok.status_code == 303

    criteria = {
        "criterion_trascendencia": "1",
        "criterion_gravedad": "1",
        "criterion_verosimilitud": "1",
    }
    # An officer cannot grant: head role only (and the page says so).
    refused = client.post(
        f"{base}/grant",
        data={"reasoning": "Otorgar.", **criteria, "criterion_subordinacion": "1"},
    )
    assert refused.status_code == 422
    assert "Solo el responsable de la OII" in refused.get_data(as_text=True)
    assert measure(db, mid).state is MeasureState.HR_FEASIBILITY
    client.post("/logout")

    client = as_(casework_client, office["head"])
    no_criteria = client.post(f"{base}/grant", data={"reasoning": "Otorgar."})
    assert no_criteria.status_code == 422
    assert "trascendencia" in no_criteria.get_data(as_text=True)
    no_subordination = client.post(f"{base}/grant", data={"reasoning": "Otorgar.", **criteria})
    assert no_subordination.status_code == 422
    assert "subordinación" in no_subordination.get_data(as_text=True)
    granted = client.post(
        f"{base}/grant",
        data={"reasoning": "Riesgo cierto.", **criteria, "criterion_subordinacion": "1"},
    )
    assert granted.status_code == 303
    assert measure(db, mid).state is MeasureState.GRANTED

    assert (
        client.post(f"{base}/notify_complainant", data={"reasoning": "Notificado."}).status_code
        == 303
    )
    assert (
        client.post(f"{base}/enter_into_force", data={"reasoning": "Vigente."}).status_code == 303
    )
    assert measure(db, mid).state is MeasureState.IN_FORCE

    # Bad faith: one procedure on the complaint and the person (DL 14; RG 11), from the
    # measures register, not from one measure.
    person = f"/denuncias/{code}/mala-fe"
    no_type = client.post(person, data={"reasoning": "Falsa."})
    assert no_type.status_code == 422
    assert "tipo de mala fe" in no_type.get_data(as_text=True)
    started = client.post(
        person, data={"reasoning": "Pruebas simuladas.", "bad_faith_type": "falsa"}
    )
    assert started.status_code == 303
    db.expire_all()
    procedure = db.scalars(select(BadFaithProcedure)).one()
    page = client.get(f"/denuncias/{code}/medidas").get_data(as_text=True)
    assert "Procedimiento abierto desde el" in page and "Denuncia falsa" in page
    assert "Plazo para alegaciones" in page or "Alegaciones" in page
    again = client.post(person, data={"reasoning": "Otra vez.", "bad_faith_type": "falsa"})
    assert again.status_code == 422 and "uno por persona" in again.get_data(as_text=True)

    decision = f"{person}/{procedure.id}/decision"
    too_early = client.post(decision, data={"reasoning": "Decidir.", "upheld": "1"})
    assert too_early.status_code == 422  # alegaciones period still open
    client.post(f"{person}/{procedure.id}/alegaciones", data={"reasoning": "Alegaciones."})
    # A forged form without the decision: refused, never read as "upheld" (exclusion).
    no_decision = client.post(decision, data={"reasoning": "Se confirma."})
    assert no_decision.status_code == 422
    assert "Indique si se confirma o no la mala fe" in no_decision.get_data(as_text=True)
    assert measure(db, mid).state is MeasureState.IN_FORCE
    decided = client.post(decision, data={"reasoning": "Se confirma.", "upheld": "1"})
    assert decided.status_code == 303
    assert measure(db, mid).state is MeasureState.EXCLUDED
    db.expire_all()
    destinations = {
        f.destination
        for f in db.scalars(select(Forwarding).where(Forwarding.event_id.is_not(None)))
        if f.is_copy is False
    }
    assert {Destination.PROCURADURIA, Destination.STPAD} <= destinations
    # The acts the complainant must see are visible on their timeline.
    visible = {
        e.kind
        for e in db.scalars(select(CaseEvent).where(CaseEvent.visible_to_complainant.is_(True)))
    }
    assert {
        "measure.notify_complainant",
        "bad_faith.start",
        "bad_faith.decide",
        "measure.exclude_for_bad_faith",
    } <= visible
    kinds = [json.loads(a.detail).get("measure_id") for a in db.scalars(select(AuditEntry))]
    assert mid in kinds


def test_officer_records_a_later_request_for_a_witness(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    code = office["code"]
    bad = client.post(f"/denuncias/{code}/medidas", data={"type": "nope", "beneficiary": "testigo"})
    assert bad.status_code == 422
    empty = client.post(
        f"/denuncias/{code}/medidas",
        data={"type": "reserva_identidad", "beneficiary": "testigo", "reasoning": ""},
    )
    assert empty.status_code == 422
    made = client.post(
        f"/denuncias/{code}/medidas",
        data={"type": "reserva_identidad", "beneficiary": "testigo", "reasoning": "Testigo clave."},
    )
    assert made.status_code == 303
    db.expire_all()
    witness = db.scalars(select(Measure).where(Measure.beneficiary == "testigo")).one()
    assert witness.state is MeasureState.IN_FORCE  # identity reserve applies at once (RG 5.2)


def test_measure_of_another_case_is_404(casework_client, office):
    client = as_(casework_client, office["officer"])
    assert client.get(f"/denuncias/{office['code']}/medidas/999999").status_code == 404
    assert (
        client.post(
            f"/denuncias/{office['code']}/medidas/{office['measure']}/actos/zzz"
        ).status_code
        == 404
    )


def test_variation_not_upheld_returns_the_measure_to_force(casework_client, office, db):
    code = office["code"]
    client = as_(casework_client, office["head"])
    made = client.post(
        f"/denuncias/{code}/medidas",
        data={"type": "reserva_identidad", "beneficiary": "denunciante", "reasoning": "Reserva."},
    )
    assert made.status_code == 303
    db.expire_all()
    mid = db.scalars(select(Measure).where(Measure.type == "reserva_identidad")).one().id
    base = f"/denuncias/{code}/medidas/{mid}/actos"
    assert client.post(f"{base}/start_variation", data={"reasoning": "Cambio."}).status_code == 303
    assert measure(db, mid).state is MeasureState.VARIATION
    page = client.get(f"/denuncias/{code}/medidas/{mid}").get_data(as_text=True)
    assert "Alegaciones" in page and "Decisión motivada" in page
    client.post(f"{base}/record_alegaciones", data={"reasoning": "Se opone."})
    kept = client.post(
        f"{base}/decide_variation", data={"reasoning": "Se mantiene.", "upheld": "0"}
    )
    assert kept.status_code == 303
    assert measure(db, mid).state is MeasureState.IN_FORCE


def test_forged_measure_ids_and_acts_are_refused_cleanly(casework_client, office):
    client = as_(casework_client, office["head"])
    code = office["code"]
    huge = "9" * 25
    assert client.get(f"/denuncias/{code}/medidas/{huge}").status_code == 404
    assert (
        client.post(f"/denuncias/{code}/medidas/{huge}/actos/grant", data={"reasoning": "x"})
    ).status_code == 404
    base = f"/denuncias/{code}/medidas/{office['measure']}/actos"
    long = client.post(f"{base}/deny", data={"reasoning": "x" * 20_001})
    assert long.status_code == 422
    assert "La fundamentación es demasiado larga" in long.get_data(as_text=True)


def test_breach_and_pad_end_from_the_register(casework_client, office, db):
    """RG 10.2 needs a protected person; RG 6.2's PAD end is the head's act and is shown."""
    code = office["code"]
    client = as_(casework_client, office["officer"])
    page = client.get(f"/denuncias/{code}/medidas").get_data(as_text=True)
    assert "Incumplimiento de obligaciones (RG 10.2)" in page
    assert "Fin del procedimiento disciplinario (RG 6.2)" in page
    breach = client.post(f"/denuncias/{code}/incumplimiento", data={"reasoning": "Divulgó."})
    assert breach.status_code == 422  # the transfer is only requested: nobody is protected yet
    assert "Solo una persona con medidas otorgadas" in breach.get_data(as_text=True)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    by_officer = client.post(
        f"/denuncias/{code}/fin-pad", data={"ended_on": today, "reasoning": "Oficio STPAD."}
    )
    assert by_officer.status_code == 422
    bad_date = client.post(
        f"/denuncias/{code}/fin-pad", data={"ended_on": "ayer", "reasoning": "x"}
    )
    assert bad_date.status_code == 422
    client.post("/logout")
    client = as_(casework_client, office["head"])
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).date().isoformat()
    done = client.post(
        f"/denuncias/{code}/fin-pad", data={"ended_on": yesterday, "reasoning": "Oficio STPAD."}
    )
    assert done.status_code == 303
    page = client.get(f"/denuncias/{code}/medidas").get_data(as_text=True)
    assert "El PAD terminó el" in page
    db.expire_all()
    assert db.scalars(select(CaseEvent).where(CaseEvent.kind == "pad_ended")).one()


def test_the_officer_cannot_record_the_same_request_twice(casework_client, office, db):
    client = as_(casework_client, office["officer"])
    again = client.post(
        f"/denuncias/{office['code']}/medidas",
        data={"type": "traslado_denunciante", "beneficiary": "denunciante", "reasoning": "Otra."},
    )
    assert again.status_code == 422
    assert "ya está solicitada o vigente" in again.get_data(as_text=True)
    db.expire_all()
    assert len(db.scalars(select(Measure)).all()) == 1

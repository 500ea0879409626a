"""The casework page that registers a complaint received by another channel: a refused form
(crafted past the browser's checks) is answered 422 with the reason, keeps what was typed and
records nothing; an accepted one shows the receipt once and never stores it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlalchemy import select

from core.law.calendar import local_day
from core.law.enums import Role
from core.storage.models import AuditEntry
from core.storage.models import Case

from .conftest import login


@pytest.fixture
def ana(officer_factory):  # type: ignore[no-untyped-def]
    return officer_factory("ana", Role.OFFICER)


def _form(**changes: str) -> dict[str, str]:
    today = local_day(dt.datetime.now(dt.UTC))
    form = {
        "channel": "verbal",
        "received_on": (today - dt.timedelta(days=1)).isoformat(),
        "modality": "anonima",
        "motives": "otros_actos",
        "facts": "Acta de denuncia verbal: el jefe cobra por los trámites.",
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "web"}, "Elija por qué canal se recibió la denuncia."),
        ({"channel": "fax"}, "Elija por qué canal se recibió la denuncia."),
        ({"received_on": "2099-01-01"}, "La fecha de recepción no puede ser posterior a hoy."),
        ({"received_on": "ayer"}, "Indique la fecha de recepción (día, mes y año)."),
        ({"facts": ""}, "Escriba los hechos o adjunte el documento recibido"),
        ({"motives": "cualquiera"}, "Elija uno o dos motivos distintos."),
    ],
)
def test_a_refused_registration_says_why_and_records_nothing(
    casework_client, ana, db, changes, message
):
    assert login(casework_client, ana.officer.username, ana.password, ana.totp_secret)
    response = casework_client.post("/registro-de-denuncias", data=_form(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "el jefe cobra" in html or changes.get("facts") == ""
    assert db.scalar(select(func.count(Case.id))) == 0
    assert (
        db.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "case.filed")) == 0
    )


def test_an_accepted_registration_shows_the_receipt_once(casework_client, ana, db):
    assert login(casework_client, ana.officer.username, ana.password, ana.totp_secret)
    response = casework_client.post("/registro-de-denuncias", data=_form())
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    case = db.scalars(select(Case)).one()
    assert case.code in html and 'id="receipt"' in html
    assert case.channel == "verbal"
    # The form page again holds no receipt: it is shown only in the answer to the POST
    again = casework_client.get("/registro-de-denuncias").get_data(as_text=True)
    assert 'id="receipt"' not in again


def test_the_statistics_page_counts_complaints_by_channel(casework_client, officer_factory, db):
    ana = officer_factory("ana", Role.OFFICER)
    head = officer_factory("jefa", Role.HEAD)
    assert login(casework_client, ana.officer.username, ana.password, ana.totp_secret)
    for _ in range(5):
        assert casework_client.post("/registro-de-denuncias", data=_form()).status_code == 200
    casework_client.post("/logout")
    assert login(casework_client, head.officer.username, head.password, head.totp_secret)
    html = casework_client.get("/estadisticas").get_data(as_text=True)
    section = html.split("Denuncias por canal de recepción", 1)[1].split("</section>", 1)[0]
    row = section.split('<th scope="row">Verbal (acta)</th>', 1)[1].split("</tr>", 1)[0]
    assert row.strip() == '<td class="num">5</td>'

"""The retention page's refusals keep what was typed, in Spanish and English."""

from __future__ import annotations

from case_factory import make_case
from sqlalchemy import select

from core.storage.models import LegalHold

from .conftest import login


def test_blank_reason_is_refused_and_kept_then_a_real_one_holds(
    casework_app, officer_factory, db, casework_settings
):
    ana = officer_factory("ana")
    code = make_case(db, casework_settings, officer_factory.entity).case.code
    db.commit()
    client = casework_app.test_client()
    login(client, "ana", ana.password, ana.totp_secret)
    url = f"/denuncias/{code}/conservacion/retener"
    refused = client.post(url, data={"reason": "             "})
    assert refused.status_code == 400
    assert "Indique el motivo de la retención." in refused.get_data(as_text=True)
    english = client.post(url + "?lang=en", data={"reason": " " * 12})
    assert "State the reason for the hold." in english.get_data(as_text=True)
    assert db.scalars(select(LegalHold)).all() == []
    assert client.post(url, data={"reason": "Pedido judicial"}).status_code == 302
    again = client.post(url, data={"reason": "Otro pedido judicial"})
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    assert "ya tiene una retención activa" in html
    released = client.post(f"/denuncias/{code}/conservacion/liberar")
    assert released.status_code == 302


def test_a_shredded_case_page_says_so_instead_of_failing(
    casework_app, officer_factory, db, casework_settings
):
    import datetime as dt

    from core.services import retention
    from core.storage.db import utcnow
    from core.storage.models import Case

    ana = officer_factory("ana")
    case = make_case(db, casework_settings, officer_factory.entity).case
    retention.shred(
        db, retention.Due(case=case, ended_on=dt.date(2020, 1, 1), keep_until=dt.date(2021, 1, 1)),
        now=utcnow(),
    )  # fmt: skip
    db.commit()
    assert db.get(Case, case.id).shredded_at is not None
    client = casework_app.test_client()
    login(client, "ana", ana.password, ana.totp_secret)
    page = client.get(f"/denuncias/{case.code}")
    assert page.status_code in (200, 404, 410), page.status_code  # never a 500
    retention_page = client.get(f"/denuncias/{case.code}/conservacion")
    assert retention_page.status_code == 200

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

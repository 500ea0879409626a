"""CSRF is on by default in create_app: a POST without a valid token changes nothing."""

from __future__ import annotations

import re

import pytest
from intake_helpers import complaint_data
from sqlalchemy import select

from core.storage.models import Case
from reporting import create_app


@pytest.fixture
def csrf_client(settings, clean_engine, ent):  # type: ignore[no-untyped-def]
    app = create_app(settings, engine=clean_engine)
    assert app.config["WTF_CSRF_ENABLED"] is True
    app.config.update(TESTING=True)
    with app.test_client() as c:
        yield c


@pytest.mark.parametrize(
    "url", ["/denunciar", "/denunciar/enviar", "/seguimiento", "/seguimiento/salir"]
)
def test_post_without_token_is_refused_in_spanish(csrf_client, session_for, url):
    resp = csrf_client.post(url, data=complaint_data())
    assert resp.status_code == 400
    assert "el formulario no es válido" in resp.get_data(as_text=True)
    assert session_for.scalars(select(Case)).all() == []


def test_wrong_token_is_refused(csrf_client):
    csrf_client.get("/denunciar")
    resp = csrf_client.post("/denunciar", data={**complaint_data(), "csrf_token": "forged"})
    assert resp.status_code == 400


def test_valid_token_is_accepted(csrf_client):
    html = csrf_client.get("/denunciar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    resp = csrf_client.post("/denunciar", data={**complaint_data(), "csrf_token": token})
    assert resp.status_code == 200
    assert "Revise su denuncia antes de enviarla" in resp.get_data(as_text=True)
    cookie = resp.headers.get("Set-Cookie", "") or ""
    assert "HttpOnly" in csrf_client.get("/denunciar").headers.get("Set-Cookie", "HttpOnly")
    assert "SameSite=Strict" in (cookie or "SameSite=Strict")


def test_the_blank_form_is_rendered_once_and_carries_each_sessions_own_token(
    settings, clean_engine, ent, monkeypatch
):  # type: ignore[no-untyped-def]
    # Given the blank form, rendered once per process and key (reporting.filing_pages)
    from reporting import filing_pages

    monkeypatch.setattr(filing_pages, "_BLANK_FORMS", type(filing_pages._BLANK_FORMS)())
    app = create_app(settings, engine=clean_engine)
    app.config.update(TESTING=True)
    pages, tokens = [], []
    for _ in range(2):
        with app.test_client() as c:
            html = c.get("/denunciar").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
            # Then each person's page carries their own session's token, which files
            resp = c.post("/denunciar", data={**complaint_data(), "csrf_token": token})
            assert resp.status_code == 200
            pages.append(html.replace(token, "TOKEN"))
            tokens.append(token)
    assert tokens[0] != tokens[1]
    assert filing_pages._BLANK_FORM_MARK not in pages[0]
    # and the page is the same for both but for the token, rendered once
    assert pages[0] == pages[1]
    assert len(filing_pages._BLANK_FORMS) == 1
    # A language is a page of its own
    with app.test_client() as c:
        english = c.get("/denunciar?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Step 1 of 5" in english
    assert len(filing_pages._BLANK_FORMS) == 2

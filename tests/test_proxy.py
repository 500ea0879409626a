"""Issue 8: both apps behind a TLS proxy. Forms work whether or not the proxy sends
X-Forwarded-*, with CSRF on and no Referer (our own Referrer-Policy is no-referrer); proxy
trust is a setting that defaults to none; the intake can announce its onion service."""

from __future__ import annotations

import dataclasses
import re

import pytest
from factories import make_entity
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from casework import create_app as create_casework
from config import Settings
from reporting import create_app as create_reporting

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "denuncias.example.gob.pe"}
ONION = "b" * 56 + ".onion"


def _token(html: str) -> str:
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html[:400]
    return match.group(1)


@pytest.mark.parametrize("forwarded", [True, False], ids=["x-forwarded", "plain"])
@pytest.mark.parametrize(
    ("factory", "page", "form"),
    [
        (create_reporting, "/seguimiento", {"receipt": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}),
        (create_casework, "/login", {"username": "nadie", "password": "x" * 12}),
    ],
    ids=["intake", "casework"],
)
def test_a_form_posted_over_https_without_referer_is_not_refused(
    settings: Settings,
    clean_engine: Engine,
    factory,
    page,
    form,
    forwarded,  # type: ignore[no-untyped-def]
) -> None:
    with Session(clean_engine) as s:
        make_entity(s, settings)
        s.commit()
    app = factory(dataclasses.replace(settings, trusted_proxies=1), engine=clean_engine)
    app.config["WTF_CSRF_ENABLED"] = True  # as outside tests
    headers = FORWARDED if forwarded else {}
    client = app.test_client()
    base = "https://denuncias.example.gob.pe" if not forwarded else "http://127.0.0.1:8000"
    html = client.get(page, base_url=base, headers=headers).get_data(as_text=True)
    resp = client.post(
        page, base_url=base, headers=headers, data={**form, "csrf_token": _token(html)}
    )
    assert resp.status_code != 400, resp.get_data(as_text=True)[:300]
    assert "Referer" not in resp.get_data(as_text=True)
    # And a forged or missing token is still refused.
    forged = client.post(page, base_url=base, headers=headers, data={**form, "csrf_token": "x"})
    assert forged.status_code == 400


def _scheme_app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    app = create_reporting(settings, engine=engine)

    @app.get("/_scheme")
    def scheme() -> str:
        from flask import request

        return f"{request.scheme} {request.host} {request.remote_addr}"

    return app


def test_proxy_headers_are_believed_only_when_configured(
    settings: Settings, engine: Engine
) -> None:
    headers = {**FORWARDED, "X-Forwarded-For": "203.0.113.77"}
    plain = _scheme_app(settings, engine).test_client()
    assert (
        plain.get("/_scheme", headers=headers).get_data(as_text=True).startswith("http localhost")
    )
    trusting = _scheme_app(dataclasses.replace(settings, trusted_proxies=1), engine).test_client()
    answer = trusting.get("/_scheme", headers=headers).get_data(as_text=True)
    assert answer.startswith("https denuncias.example.gob.pe")
    assert "203.0.113.77" not in answer  # the client address is never taken from a header


def test_onion_location_on_the_intake_only(settings: Settings, engine: Engine) -> None:
    onion = dataclasses.replace(settings, onion_address=ONION)
    resp = create_reporting(onion, engine=engine).test_client().get("/denunciar?lang=en")
    assert resp.headers["Onion-Location"] == f"http://{ONION}/denunciar?lang=en"
    casework = create_casework(onion, engine=engine).test_client().get("/login")
    assert "Onion-Location" not in casework.headers
    assert (
        "Onion-Location"
        not in create_reporting(settings, engine=engine).test_client().get("/").headers
    )

"""Foundation guarantees of both web apps: headers, logging, CSRF, language."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from casework import create_app as create_casework
from config import Settings
from reporting import create_app as create_reporting

REQUIRED_HEADERS = {
    "Content-Security-Policy": "default-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
CLIENT_ADDR = "203.0.113.77"
CLIENT_UA = "Mozilla/5.0 (canary-ua-5d1f)"

Factory = Callable[..., Flask]
APPS: list[tuple[str, Factory, list[str]]] = [
    ("reporting", create_reporting, ["/", "/health", "/static/intake.css", "/no-such-page"]),
    ("casework", create_casework, ["/login", "/health", "/static/casework.css", "/no-such-page"]),
]


@pytest.fixture(params=APPS, ids=[name for name, _, _ in APPS])
def app_and_paths(
    request: pytest.FixtureRequest, settings: Settings, engine: Engine
) -> tuple[Flask, list[str]]:
    _, factory, paths = request.param
    return factory(settings, engine=engine), paths


def test_security_headers_on_every_response(app_and_paths: tuple[Flask, list[str]]) -> None:
    app, paths = app_and_paths
    client = app.test_client()
    for path in paths:
        with client.get(path) as response:
            headers = response.headers
        for header, expected in REQUIRED_HEADERS.items():
            assert expected in headers.get(header, ""), (path, header)
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "http:" not in csp and "https:" not in csp, "nothing from third parties"
        assert headers.get("Permissions-Policy"), path


def test_no_client_address_or_user_agent_in_logs(
    app_and_paths: tuple[Flask, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    app, paths = app_and_paths
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        for path in paths:
            client.get(
                path + "?canary=q-5d1f",
                environ_base={"REMOTE_ADDR": CLIENT_ADDR},
                headers={"User-Agent": CLIENT_UA, "X-Forwarded-For": "198.51.100.9"},
            ).close()
    text = caplog.text
    assert "integra.request" in {r.name for r in caplog.records}, "requests are logged"
    for secret in (CLIENT_ADDR, "198.51.100.9", "canary-ua", "q-5d1f"):
        assert secret not in text


def test_request_log_check_would_catch_an_address(caplog: pytest.LogCaptureFixture) -> None:
    # Guard for the test above: a logger that does record the address is detected.
    with caplog.at_level(logging.INFO):
        logging.getLogger("integra.request").info("GET / from %s", CLIENT_ADDR)
    assert CLIENT_ADDR in caplog.text


def test_csrf_is_on_outside_tests(app_and_paths: tuple[Flask, list[str]]) -> None:
    app, _ = app_and_paths
    assert app.config["WTF_CSRF_ENABLED"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    url = "/login" if "casework" in app.name else "/denunciar"
    response = app.test_client().post(url, data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert "formulario no es válido" in response.get_data(as_text=True)


def test_secure_cookie_flag_in_production(settings: Settings, engine: Engine) -> None:
    import dataclasses

    prod = dataclasses.replace(settings, env="production")
    for factory in (create_reporting, create_casework):
        app = factory(prod, engine=engine)
        assert app.config["SESSION_COOKIE_SECURE"] is True


def test_separate_secrets_and_cookie_names(settings: Settings, engine: Engine) -> None:
    intake = create_reporting(settings, engine=engine)
    casework = create_casework(settings, engine=engine)
    assert intake.config["SECRET_KEY"] != casework.config["SECRET_KEY"]
    assert intake.config["SESSION_COOKIE_NAME"] != casework.config["SESSION_COOKIE_NAME"]
    assert Path(intake.root_path, intake.template_folder) != Path(
        casework.root_path, casework.template_folder
    )


def test_landing_is_spanish_by_default_and_english_on_request(
    settings: Settings, engine: Engine
) -> None:
    client = create_reporting(settings, engine=engine).test_client()
    spanish = client.get("/").get_data(as_text=True)
    assert 'lang="es"' in spanish and "denuncia" in spanish.lower()
    english = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "complaint" in english.lower()
    browser_en = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="en"' in browser_en.get_data(as_text=True)


def test_login_page_is_spanish_by_default_and_english_on_request(
    settings: Settings, engine: Engine
) -> None:
    client = create_casework(settings, engine=engine).test_client()
    assert "Contraseña" in client.get("/login").get_data(as_text=True)
    assert "Password" in client.get("/login?lang=en").get_data(as_text=True)


def test_landing_sets_no_cookie(settings: Settings, engine: Engine) -> None:
    client = create_reporting(settings, engine=engine).test_client()
    for path in ("/", "/?lang=en", "/health"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path


def test_errors_render_generic_pages_without_details(settings: Settings, engine: Engine) -> None:
    app = create_reporting(settings, engine=engine)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret-internal-detail")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret-internal-detail" not in body and "Traceback" not in body
    assert "Ocurrió un error" in body


@pytest.mark.parametrize("factory", [create_reporting, create_casework], ids=["intake", "casework"])
def test_unhandled_errors_are_logged_without_their_message(
    factory: Factory, settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # Exception messages can quote user input (a parser's excerpt, int('...'), SQL params).
    app = factory(settings, engine=engine)

    @app.get("/boom/<value>")
    def boom(value: str) -> str:
        raise ValueError(f"invalid literal for int(): {value!r}")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/boom/canary-typed-5d1f")
    assert response.status_code == 500
    assert "unhandled ValueError on GET /boom/<value>" in caplog.text
    assert "canary-typed-5d1f" not in caplog.text
    assert "Traceback" not in caplog.text


def test_tor_browsers_spoofed_language_header_is_no_preference(
    settings: Settings, engine: Engine
) -> None:
    # Tor Browser sends "en-US,en;q=0.5" for everyone: a complainant on Tor gets Spanish.
    client = create_reporting(settings, engine=engine).test_client()
    tor = client.get("/", headers={"Accept-Language": "en-US, en;q=0.5"}).get_data(as_text=True)
    assert 'lang="es"' in tor
    chosen = client.get("/?lang=en", headers={"Accept-Language": "en-US, en;q=0.5"})
    assert 'lang="en"' in chosen.get_data(as_text=True)

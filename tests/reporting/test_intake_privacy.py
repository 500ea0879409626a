"""Client identifiers, cookies, headers, equal work for right and wrong receipts, idle timeout."""

from __future__ import annotations

import logging
import time

import pytest
from intake_helpers import file_complaint

IP = "203.0.113.77"
UA = "UA-canary-privacy-55"


def test_no_ip_or_user_agent_in_logs_or_database(client, caplog, clean_engine):
    caplog.set_level(logging.DEBUG)
    client.environ_base.update({"REMOTE_ADDR": IP, "HTTP_USER_AGENT": UA})
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    client.get("/seguimiento")
    client.get("/no-existe")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET" in logged  # requests are logged: method, route, status, time
    assert IP not in logged and UA not in logged
    with clean_engine.connect() as conn:
        from core.storage.db import Base

        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for value in row:
                    if isinstance(value, str):
                        assert IP not in value and UA not in value
                    elif isinstance(value, bytes):
                        assert IP.encode() not in value and UA.encode() not in value


def test_no_cookie_before_starting_and_strict_cookies_after(client):
    for url in ("/", "/?lang=en", "/health", "/static/intake.css", "/no-existe"):
        resp = client.get(url)
        resp.close()
        assert "Set-Cookie" not in resp.headers, url
    resp = client.get("/denunciar")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_security_headers_and_no_third_party(client):
    resp = client.get("/denunciar")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    assert "http://" not in html and "https://" not in html


def test_labels_are_tied_to_inputs(client):
    html = client.get("/denunciar").get_data(as_text=True)
    for field_id in ("facts", "occurred_when", "occurred_where", "persons-0-name", "files"):
        assert f'for="{field_id}"' in html and f'id="{field_id}"' in html


def test_idle_timeout_and_logout(app, client, monkeypatch):
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    assert 'name="receipt"' not in client.get("/seguimiento").get_data(as_text=True)
    idle = app.extensions["integra"].settings.complainant_idle_minutes * 60
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + idle + 5)
    html = client.get("/seguimiento").get_data(as_text=True)
    assert 'name="receipt"' in html
    monkeypatch.setattr(time, "time", real)
    client.post("/seguimiento", data={"receipt": receipt})
    resp = client.post("/seguimiento/salir")
    assert resp.status_code == 303
    assert 'name="receipt"' in client.get("/seguimiento").get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/seguimiento/mensaje", "/seguimiento/pruebas", "/seguimiento/proteccion"]
)
def test_followup_actions_need_a_login(client, url):
    resp = client.post(url, data={"body": "x"})
    assert resp.status_code == 303

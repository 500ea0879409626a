"""Client identifiers, cookies, headers, equal work for right and wrong receipts, idle timeout."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from intake_helpers import file_complaint
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from core.services import followup
from core.storage.db import utcnow
from core.storage.models import IntakeSession

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


def _logged_in_copy(app, client, receipt):
    """Log in, then copy the session cookie into a second browser (a seized or stolen copy)."""
    assert client.post("/seguimiento", data={"receipt": receipt}).status_code == 303
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    assert 'name="receipt"' not in thief.get("/seguimiento").get_data(as_text=True)
    return thief


def test_a_copied_cookie_is_refused_after_logout(app, client, session_for):
    receipt, _ = file_complaint(client)
    thief = _logged_in_copy(app, client, receipt)
    assert session_for.scalar(select(func.count()).select_from(IntakeSession)) == 1
    resp = client.post("/seguimiento/salir")
    assert resp.status_code == 303
    assert 'name="receipt"' in client.get("/seguimiento").get_data(as_text=True)
    # The copy taken before logout is replayed: the server-side session is gone.
    html = thief.get("/seguimiento").get_data(as_text=True)
    assert 'name="receipt"' in html
    assert thief.post("/seguimiento/mensaje", data={"body": "x"}).status_code == 303
    assert session_for.scalar(select(func.count()).select_from(IntakeSession)) == 0


def test_idle_timeout_ends_the_session_and_every_copy(app, client, session_for):
    receipt, _ = file_complaint(client)
    thief = _logged_in_copy(app, client, receipt)
    idle = dt.timedelta(minutes=app.extensions["integra"].settings.complainant_idle_minutes)
    session_for.execute(
        update(IntakeSession).values(last_seen_at=utcnow() - idle - dt.timedelta(seconds=5))
    )
    session_for.commit()
    html = client.get("/seguimiento").get_data(as_text=True)
    assert 'name="receipt"' in html
    assert 'name="receipt"' in thief.get("/seguimiento").get_data(as_text=True)
    # Logging in again works, and so does logout.
    client.post("/seguimiento", data={"receipt": receipt})
    assert 'name="receipt"' not in client.get("/seguimiento").get_data(as_text=True)
    assert client.post("/seguimiento/salir").status_code == 303
    assert 'name="receipt"' in client.get("/seguimiento").get_data(as_text=True)


def test_purge_removes_only_idle_sessions(app, client, session_for):
    settings = app.extensions["integra"].settings
    receipt, _ = file_complaint(client)
    _logged_in_copy(app, client, receipt)
    now = utcnow()
    idle = dt.timedelta(minutes=settings.complainant_idle_minutes)
    session_for.add(IntakeSession(id="0" * 64, last_seen_at=now - idle - dt.timedelta(minutes=1)))
    session_for.commit()
    assert followup.purge_expired_followup_sessions(session_for, settings, now) == 1
    session_for.commit()
    assert session_for.scalar(select(func.count()).select_from(IntakeSession)) == 1
    assert 'name="receipt"' not in client.get("/seguimiento").get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/seguimiento/mensaje", "/seguimiento/pruebas", "/seguimiento/proteccion"]
)
def test_followup_actions_need_a_login(client, url):
    resp = client.post(url, data={"body": "x"})
    assert resp.status_code == 303

"""Login, TOTP, lockout, sessions and keys of the casework app."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from casework import create_app
from casework.auth import unlocked_identity
from core.access import accounts
from core.access import keysessions
from core.access import officers
from core.law.enums import Role
from core.storage.models import AuditEntry
from core.storage.models import Officer
from core.storage.models import OfficerSession
from core.storage.models import Throttle

from .conftest import login
from .conftest import next_totp_code


def _actions(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_login_flow_unlocks_office_key(casework_app, casework_client, officer_factory, db):
    # Given an enrolled officer holding the office key
    made = officer_factory("ana", Role.OFFICER)
    # When they log in with password and TOTP
    response = login(casework_client, "ana", made.password, made.totp_secret)
    # Then they are in, and the session holds the office identity (and not the vault)
    assert response.status_code == 302
    page = casework_client.get("/cuenta")
    assert page.status_code == 200
    assert "Llave de la oficina desbloqueada" in page.get_data(as_text=True)
    with casework_app.test_request_context("/cuenta"):
        from flask import session as flask_session

        with casework_client.session_transaction() as sess:
            token = sess["sid"]
        flask_session["sid"] = token
        office = unlocked_identity("office")
        assert office is not None
        assert office.recipient().to_string() == officer_factory.entity.entity.office_recipient
        assert unlocked_identity("vault") is None
    assert "login.succeeded" in _actions(db)


def test_wrong_password_is_refused_and_audited(casework_client, officer_factory, db):
    made = officer_factory("ana")
    response = casework_client.post("/login", data={"username": "ana", "password": "nope"})
    assert response.status_code == 401
    assert "Usuario o contraseña incorrectos" in response.get_data(as_text=True)
    assert casework_client.get("/cuenta").status_code == 302
    assert _actions(db)[-1] == "login.failed"
    assert made.officer.id is not None


def test_totp_replay_is_refused(casework_app, officer_factory, db):
    # Given a code that was just used to log in
    made = officer_factory("ana")
    first = casework_app.test_client()
    code = next_totp_code(made.totp_secret)
    first.post("/login", data={"username": "ana", "password": made.password})
    assert first.post("/login/totp", data={"code": code}).status_code == 302
    # When someone else presents the same code (same time step)
    second = casework_app.test_client()
    step = second.post("/login", data={"username": "ana", "password": made.password})
    assert step.headers["Location"].endswith("/login/totp")
    replay = second.post("/login/totp", data={"code": code})
    # Then it is refused
    assert replay.status_code == 401
    assert second.get("/cuenta").status_code == 302


def test_password_step_alone_does_not_log_in(casework_client, officer_factory):
    made = officer_factory("ana")
    casework_client.post("/login", data={"username": "ana", "password": made.password})
    response = casework_client.get("/cuenta")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def _step_up_login(client, username: str, password: str, totp_secret: str):  # type: ignore[no-untyped-def]
    """The holder meets the stepped-up form: password alone is answered with a request for
    the code, then password and code together log in."""
    first = client.post("/login", data={"username": username, "password": password})
    assert first.status_code == 401
    page = first.get_data(as_text=True)
    assert 'name="code"' in page and "también el código" in page
    return client.post(
        "/login",
        data={"username": username, "password": password, "code": next_totp_code(totp_secret)},
    )


def test_attempts_are_counted_across_app_instances_and_never_lock_the_holder(
    settings, clean_engine, officer_factory, db
):
    # Given two app instances (two workers) sharing the database
    made = officer_factory("ana")
    apps: list[Flask] = []
    for _ in range(2):
        app = create_app(settings, engine=clean_engine)
        app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
        apps.append(app)
    # When an outsider's wrong passwords are spread over both
    for i in range(accounts.STEP_UP_AFTER + 2):
        outsider = apps[i % 2].test_client()
        assert (
            outsider.post("/login", data={"username": "ana", "password": "bad"}).status_code == 401
        )
    # Then in either worker the holder's password alone is not enough, but the password
    # and the TOTP code together log in on the first try
    done = _step_up_login(apps[1].test_client(), "ana", made.password, made.totp_secret)
    assert done.status_code == 302 and "/login" not in done.headers["Location"]
    assert "login.stepped_up" in _actions(db)
    assert "login.succeeded" in _actions(db)


def test_an_outsider_cannot_lock_the_holder_out(casework_app, officer_factory, db):
    made = officer_factory("ana")
    outsider = casework_app.test_client()
    for _ in range(12):
        outsider.post("/login", data={"username": "ana", "password": "adivinanza"})
    # The right password with a wrong code is still refused (guessing needs both factors)
    guess = outsider.post(
        "/login", data={"username": "ana", "password": made.password, "code": "000000"}
    )
    assert guess.status_code == 401
    holder = casework_app.test_client()
    done = _step_up_login(holder, "ana", made.password, made.totp_secret)
    assert done.status_code == 302
    assert holder.get("/cuenta").status_code == 200


def test_step_up_applies_to_unknown_usernames_too(casework_client):
    for _ in range(accounts.STEP_UP_AFTER):
        casework_client.post("/login", data={"username": "ghost", "password": "x"})
    response = casework_client.post("/login", data={"username": "ghost", "password": "x"})
    assert response.status_code == 401
    assert 'name="code"' in response.get_data(as_text=True)


def test_failed_logins_cost_bounded_storage(casework_app, officer_factory, db):
    # 300 failed logins, on a real account and on 150 made-up names
    officer_factory("ana")
    client = casework_app.test_client()
    for i in range(300):
        name = "ana" if i % 2 else f"nadie{i}"
        assert (
            client.post("/login", data={"username": name, "password": f"x{i}"}).status_code == 401
        )
    db.expire_all()
    # one counter per account plus one for every unknown name; a few aggregated audit rows
    assert db.scalar(select(func.count()).select_from(Throttle)) == 2
    failures = [a for a in _actions(db) if a.startswith("login.")]
    assert 1 <= len(failures) <= 4, failures


def test_logout_deletes_the_session_and_its_keys(casework_client, officer_factory, db):
    made = officer_factory("ana")
    login(casework_client, "ana", made.password, made.totp_secret)
    assert db.scalar(select(func.count()).select_from(OfficerSession)) == 1
    assert casework_client.post("/logout").status_code == 302
    assert db.scalar(select(func.count()).select_from(OfficerSession)) == 0
    assert casework_client.get("/cuenta").status_code == 302
    assert "logout" in _actions(db)


def test_sealed_keys_need_the_cookie_token(casework_client, officer_factory, db):
    made = officer_factory("ana")
    login(casework_client, "ana", made.password, made.totp_secret)
    row = db.scalars(select(OfficerSession)).one()
    assert row.keys_sealed is not None
    # The database alone (id = SHA-256 of the token) does not open the keys.
    other = keysessions.new_token()
    try:
        keysessions.unseal_identities(other, row.id, row.keys_sealed)
    except keysessions.SessionKeyError:
        pass
    else:  # pragma: no cover
        raise AssertionError("sealed keys opened without the cookie token")
    with casework_client.session_transaction() as sess:
        token = sess["sid"]
    assert keysessions.session_id(token) == row.id
    held = keysessions.unseal_identities(token, row.id, row.keys_sealed)
    assert set(held) == {"office"}


def test_logout_everywhere_kills_other_sessions(casework_app, officer_factory, db):
    made = officer_factory("ana")
    laptop, phone = casework_app.test_client(), casework_app.test_client()
    login(laptop, "ana", made.password, made.totp_secret)
    login(phone, "ana", made.password, made.totp_secret)
    assert phone.get("/cuenta").status_code == 200
    assert laptop.post("/cuenta/cerrar-sesiones").status_code == 302
    assert phone.get("/cuenta").status_code == 302
    assert laptop.get("/cuenta").status_code == 302
    assert db.scalar(select(func.count()).select_from(OfficerSession)) == 0
    assert "logout.everywhere" in _actions(db)


def test_idle_session_expires(casework_client, officer_factory, db):
    made = officer_factory("ana")
    login(casework_client, "ana", made.password, made.totp_secret)
    # Given the session was last seen longer ago than the idle timeout
    row = db.scalars(select(OfficerSession)).one()
    row.last_seen_at = row.last_seen_at - dt.timedelta(minutes=31)
    db.commit()
    # Then the next request goes back to the login page, and the keys are gone
    response = casework_client.get("/cuenta")
    assert response.status_code == 302
    assert "expired=1" in response.headers["Location"]
    assert db.scalar(select(func.count()).select_from(OfficerSession)) == 0
    assert "session.ended" in _actions(db)


def test_enrolment_then_forced_password_change_rewraps_keys(
    casework_client, officer_factory, db, settings
):
    # Given a new account: TOTP not enrolled, one-time password, office key granted
    made = officer_factory("nuevo", enrolled=False)
    first = casework_client.post("/login", data={"username": "nuevo", "password": made.password})
    assert first.headers["Location"].endswith("/login/enrolar")
    page = casework_client.get("/login/enrolar")
    html = page.get_data(as_text=True)
    assert "<svg" in html
    assert made.totp_secret in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    done = casework_client.post("/login/enrolar", data={"code": next_totp_code(made.totp_secret)})
    assert done.headers["Location"].endswith("/cuenta/contrasena")
    # Any other page sends them to the password change
    assert casework_client.get("/cuenta").headers["Location"].endswith("/cuenta/contrasena")
    new_password = "una frase nueva muy larga"
    changed = casework_client.post(
        "/cuenta/contrasena",
        data={
            "current_password": made.password,
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert changed.status_code == 302
    assert casework_client.get("/cuenta").status_code == 200
    # The key copy now opens with the new password only
    from core.access import entities

    db.expire_all()
    officer = db.get(Officer, made.officer.id)
    assert officer is not None
    assert officer.totp_confirmed
    assert not officer.must_change_password
    identity = entities.unwrap_for_officer(
        db, officer=officer, purpose="office", passphrase=new_password
    )
    assert identity is not None
    try:
        entities.unwrap_for_officer(db, officer=officer, purpose="office", passphrase=made.password)
    except crypto.AgeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("old password still opens the key")
    assert {"totp.enrolled", "password.changed"} <= set(_actions(db))


def test_officer_without_key_sees_a_notice(casework_client, officer_factory):
    made = officer_factory("sinllave", grant=False)
    login(casework_client, "sinllave", made.password, made.totp_secret)
    html = casework_client.get("/cuenta").get_data(as_text=True)
    assert "todavía no tiene la llave de la oficina" in html


def test_next_parameter_only_accepts_local_paths(casework_client, officer_factory):
    made = officer_factory("ana")
    casework_client.post(
        "/login?next=//evil.example/x", data={"username": "ana", "password": made.password}
    )
    done = casework_client.post("/login/totp", data={"code": next_totp_code(made.totp_secret)})
    assert "evil" not in done.headers["Location"]


def test_csrf_is_enforced_outside_tests(settings, clean_engine):
    # Given the app as configured for real use (CSRF not disabled)
    app = create_app(dataclasses.replace(settings), engine=clean_engine)
    client = app.test_client()
    # When a login form is posted without a token
    response = client.post("/login", data={"username": "ana", "password": "x"})
    # Then it is refused with a clear message
    assert response.status_code == 400
    assert "formulario no es válido" in response.get_data(as_text=True)


def test_role_refusal_is_403(casework_client, officer_factory):
    made = officer_factory("aud", Role.AUDITOR)
    login(casework_client, "aud", made.password, made.totp_secret)
    response = casework_client.get("/admin")
    assert response.status_code == 403
    assert "No tiene permiso" in response.get_data(as_text=True)


def test_totp_code_helper_matches_core(officer_factory):
    made = officer_factory("ana")
    code = next_totp_code(made.totp_secret)
    now = dt.datetime.now(dt.UTC)
    assert officers.match_totp(made.totp_secret, code, now, 0) is not None


def test_wrong_totp_codes_end_the_pending_login(casework_client, officer_factory, db):
    made = officer_factory("ana")
    casework_client.post("/login", data={"username": "ana", "password": made.password})
    statuses = [
        casework_client.post("/login/totp", data={"code": "000000"}).status_code
        for _ in range(accounts.STEP_UP_AFTER - 1)
    ]
    assert statuses == [401] * (accounts.STEP_UP_AFTER - 1)
    # The pending login is gone; the next one needs the password and the code together
    assert casework_client.get("/login/totp").status_code == 302
    done = _step_up_login(casework_client, "ana", made.password, made.totp_secret)
    assert done.status_code == 302 and "/login" not in done.headers["Location"]


def test_success_resets_the_failure_counter(casework_client, officer_factory, db):
    made = officer_factory("ana")
    for _ in range(4):
        casework_client.post("/login", data={"username": "ana", "password": "bad"})
    assert login(casework_client, "ana", made.password, made.totp_secret).status_code == 302
    casework_client.post("/logout")
    for _ in range(4):
        casework_client.post("/login", data={"username": "ana", "password": "bad"})
    # 8 failures in all, but never 5 in a window: no code asked
    response = casework_client.post("/login", data={"username": "ana", "password": made.password})
    assert response.status_code == 302


def test_logged_out_session_cannot_decrypt(casework_app, officer_factory, db):
    # Keys gone after logout: the old cookie's token no longer finds sealed keys
    made = officer_factory("ana")
    client = casework_app.test_client()
    login(client, "ana", made.password, made.totp_secret)
    with client.session_transaction() as sess:
        token = sess["sid"]
    row_id = keysessions.session_id(token)
    assert db.get(OfficerSession, row_id) is not None
    client.post("/logout")
    db.expire_all()
    assert db.get(OfficerSession, row_id) is None
    # Replaying the old cookie does not bring the session back
    with client.session_transaction() as sess:
        sess["sid"] = token
    assert client.get("/cuenta").status_code == 302
    with casework_app.test_request_context("/"):
        from flask import session as flask_session

        flask_session["sid"] = token
        assert unlocked_identity("office") is None


def test_pages_send_security_headers(casework_client):
    response = casework_client.get("/login")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers.get("Set-Cookie", "")
    if cookie:
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie


def test_pages_are_spanish_first_with_an_english_catalog(casework_client, officer_factory):
    assert "Iniciar sesión" in casework_client.get("/login").get_data(as_text=True)
    english = casework_client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in english
    assert "Iniciar sesión" not in english
    made = officer_factory("aud", Role.AUDITOR)
    login(casework_client, "aud", made.password, made.totp_secret)
    page = casework_client.get("/estadisticas?lang=en").get_data(as_text=True)
    assert "Complaints by state" in page
    assert "Statistics" in page


def test_navigation_depends_on_role(casework_app, officer_factory):
    expected = {
        Role.OFFICER: ({"Bandeja", "Llaves"}, {"Administración", "Auditoría", "Estadísticas"}),
        Role.HEAD: ({"Bandeja", "Estadísticas", "Llaves"}, {"Administración", "Auditoría"}),
        Role.AUDITOR: ({"Auditoría", "Estadísticas"}, {"Bandeja", "Administración", "Llaves"}),
        Role.ADMIN: ({"Administración"}, {"Bandeja", "Auditoría", "Estadísticas", "Llaves"}),
    }
    for role, (shown, hidden) in expected.items():
        made = officer_factory(f"u-{role.value}", role)
        client = casework_app.test_client()
        login(client, f"u-{role.value}", made.password, made.totp_secret)
        html = client.get("/cuenta").get_data(as_text=True)
        nav = html.split('class="sections"', 1)[1].split("</nav>", 1)[0]
        for label in shown:
            assert f">{label}</a>" in nav, (role, label)
        for label in hidden:
            assert f">{label}</a>" not in nav, (role, label)


def test_keyless_officer_sees_a_banner_everywhere(casework_client, officer_factory):
    made = officer_factory("sinllave", grant=False)
    login(casework_client, "sinllave", made.password, made.totp_secret)
    html = casework_client.get("/llaves").get_data(as_text=True)
    assert "no tiene la llave de la oficina" in html


def test_pending_second_factor_is_where_protected_pages_lead(casework_client, officer_factory):
    made = officer_factory("nuevo", enrolled=False)
    casework_client.post("/login", data={"username": "nuevo", "password": made.password})
    response = casework_client.get("/cuenta")
    assert response.headers["Location"].endswith("/login/enrolar")

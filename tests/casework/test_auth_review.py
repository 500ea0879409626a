"""Security review regressions: lockout bypasses, session rotation, audit/stats edge cases."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import accounts
from core.access.accounts import counter_key
from core.law.enums import Role
from core.storage.models import AuditEntry
from core.storage.models import Officer
from core.storage.models import Throttle

from .conftest import login


def _actions(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _change(client, current: str, new: str = "otra frase bastante larga"):  # type: ignore[no-untyped-def]
    return client.post(
        "/cuenta/contrasena",
        data={"current_password": current, "new_password": new, "confirm_password": new},
    )


def test_password_change_form_is_not_an_unthrottled_password_oracle(
    casework_client, officer_factory, db, settings
):
    # Given a logged-in session (say, a stolen cookie)
    made = officer_factory("ana", Role.OFFICER)
    assert login(casework_client, "ana", made.password, made.totp_secret).status_code == 302
    # When it guesses the current password on the change form
    for _ in range(5):
        assert _change(casework_client, "no es la contraseña").status_code == 400
    # Then the guesses count on the account, and past the limit the form refuses
    for _ in range(accounts.STEP_UP_AFTER):
        _change(casework_client, "no es la contraseña")
    refused = _change(casework_client, made.password)
    assert refused.status_code == 400
    assert "bloqueada" in refused.get_data(as_text=True)
    assert "password.change_failed" in _actions(db)
    # and a login now needs the TOTP code with the password
    other = casework_client.application.test_client()
    page = other.post("/login", data={"username": "ana", "password": made.password})
    assert page.status_code == 401 and 'name="code"' in page.get_data(as_text=True)


def test_password_change_ends_other_sessions_and_rotates_the_token(
    casework_app: Flask, officer_factory, db
):
    # Given the same officer logged in twice (the second one, say, with a stolen password)
    made = officer_factory("ana", Role.OFFICER)
    mine, theirs = casework_app.test_client(), casework_app.test_client()
    assert login(mine, "ana", made.password, made.totp_secret).status_code == 302
    assert login(theirs, "ana", made.password, made.totp_secret).status_code == 302
    with mine.session_transaction() as sess:
        old_token = sess["sid"]
    # When one of them changes the password
    assert _change(mine, made.password).status_code == 302
    # Then the other session is over, and this one goes on under a new token with its key
    assert theirs.get("/cuenta").status_code == 302
    with mine.session_transaction() as sess:
        assert sess["sid"] != old_token
    page = mine.get("/cuenta")
    assert page.status_code == 200
    assert "Llave de la oficina desbloqueada en esta sesión." in page.get_data(as_text=True)
    db.expire_all()
    officer = db.get(Officer, made.officer.id)
    assert officer is not None and not officer.must_change_password
    replay = casework_app.test_client()
    with replay.session_transaction() as sess:
        sess["sid"] = old_token
    assert replay.get("/cuenta").status_code == 302


def test_a_burst_of_parallel_guesses_is_all_counted(
    casework_app: Flask, officer_factory, db, settings
):
    # Given an account, and twelve password guesses sent at the same moment (several
    # workers or threads: each passed the lock check before any failure was counted)
    import threading

    officer_factory("ana", Role.OFFICER)
    statuses: list[object] = []
    barrier = threading.Barrier(12)

    def guess(n: int) -> None:
        client = casework_app.test_client()
        barrier.wait()
        try:
            response = client.post("/login", data={"username": "ana", "password": f"guess {n}"})
            statuses.append(response.status_code)
        except Exception as exc:  # pragma: no cover - what the test guards against
            statuses.append(type(exc).__name__)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every request was answered (no unique-key race on the counter), all twelve
    # were counted, and the account now asks for the code with the password
    assert len(statuses) == 12
    assert all(s == 401 for s in statuses), statuses
    db.expire_all()
    row = db.get(Throttle, counter_key(db.scalar(select(Officer))))
    assert row is not None and row.attempts == 12


def test_a_full_login_clears_the_counter(casework_client, officer_factory, db, settings):
    # Given four wrong passwords, then the right password and code
    made = officer_factory("ana", Role.OFFICER)
    for _ in range(4):
        casework_client.post("/login", data={"username": "ana", "password": "mal"})
    assert login(casework_client, "ana", made.password, made.totp_secret).status_code == 302
    db.expire_all()
    row = db.get(Throttle, counter_key(made.officer))
    assert row is not None and row.attempts == 0


def test_logging_in_again_ends_the_session_the_cookie_held(
    casework_app: Flask, officer_factory, db
):
    # Given a logged-in browser whose cookie was copied
    made = officer_factory("ana", Role.OFFICER)
    client = casework_app.test_client()
    assert login(client, "ana", made.password, made.totp_secret).status_code == 302
    with client.session_transaction() as sess:
        old_token = sess["sid"]
    # When someone logs in again in that browser
    assert login(client, "ana", made.password, made.totp_secret).status_code == 302
    # Then the copied cookie's session (and its sealed keys) is gone
    copy = casework_app.test_client()
    with copy.session_transaction() as sess:
        sess["sid"] = old_token
    assert copy.get("/cuenta").status_code == 302


def test_a_password_typed_as_the_username_is_not_shown_to_the_auditor(casework_client, db):
    # Given someone who types their password into the user field
    secret = "my secret password 2026"
    casework_client.post("/login", data={"username": secret, "password": "x"})
    # Then the audit log (which the auditor reads) does not hold it
    db.expire_all()
    details = " ".join(db.scalars(select(AuditEntry.detail)))
    assert "login.failed" in _actions(db)
    assert secret not in details


def test_next_parameter_refuses_paths_a_browser_turns_into_another_host():
    from casework.auth import _safe_next

    # Browsers drop tabs and newlines in URLs: "/\t/evil.example" is "//evil.example"
    for target in ("/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/ /evil"):
        assert _safe_next(target) is None, repr(target)
    assert _safe_next("/casos/3?x=1") == "/casos/3?x=1"


def test_login_with_a_tab_in_next_stays_on_this_site(casework_client, officer_factory):
    from .conftest import next_totp_code

    made = officer_factory("ana", Role.OFFICER)
    casework_client.post(
        "/login?next=/%09/evil.example", data={"username": "ana", "password": made.password}
    )
    done = casework_client.post("/login/totp", data={"code": next_totp_code(made.totp_secret)})
    assert "evil" not in done.headers["Location"]


def test_a_refused_new_password_costs_no_attempt(casework_client, officer_factory, db, settings):
    made = officer_factory("ana", Role.OFFICER)
    assert login(casework_client, "ana", made.password, made.totp_secret).status_code == 302
    for _ in range(6):
        assert _change(casework_client, made.password, new="corta").status_code == 400
    db.expire_all()
    row = db.get(Throttle, counter_key(made.officer))
    assert row is None or row.attempts == 0


def test_the_throttle_table_never_holds_what_was_typed_as_a_user_name(casework_client, db):
    # People type their password into the user field; the lockout counter must not keep it.
    typed = "MiClaveSecreta-2026"
    casework_client.post("/login", data={"username": typed, "password": "x"})
    db.expire_all()
    keys = db.scalars(select(Throttle.key)).all()
    assert keys
    assert all(typed.lower() not in key.lower() for key in keys)

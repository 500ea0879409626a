"""Administration: accounts, resets, non-working days, and key grants between officers."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import entities
from core.law.enums import Role
from core.storage.models import AuditEntry
from core.storage.models import NonWorkingDay
from core.storage.models import Officer
from core.storage.models import OfficerSession
from core.storage.models import WrappedKey

from .conftest import login
from .conftest import next_totp_code


def _actions(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _admin(client, officer_factory):  # type: ignore[no-untyped-def]
    made = officer_factory("admin1", Role.ADMIN)
    assert login(client, "admin1", made.password, made.totp_secret).status_code == 302
    return made


def test_admin_creates_account_then_new_officer_enrols(casework_app, officer_factory, db):
    admin_client = casework_app.test_client()
    _admin(admin_client, officer_factory)
    # When the admin creates an account
    page = admin_client.post(
        "/admin/cuentas/nueva",
        data={"username": "Nueva.Oficial", "display_name": "Nueva", "role": "officer"},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    password = re.search(r'class="secret">([a-z0-9-]+)<', html).group(1)  # type: ignore[union-attr]
    # The admin is not shown the TOTP secret: the officer enrols it at first login.
    assert "otpauth://" not in html
    assert "no podrá leer denuncias" in html
    # Then the new officer logs in: enrolment (QR), then the forced password change
    client = casework_app.test_client()
    first = client.post("/login", data={"username": "nueva.oficial", "password": password})
    assert first.headers["Location"].endswith("/login/enrolar")
    enrol = client.get("/login/enrolar").get_data(as_text=True)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', enrol).group(1)  # type: ignore[union-attr]
    done = client.post("/login/enrolar", data={"code": next_totp_code(secret)})
    assert done.headers["Location"].endswith("/cuenta/contrasena")
    assert {"officer.created", "totp.enrolled"} <= set(_actions(db))


def test_duplicate_username_is_refused(casework_client, officer_factory):
    _admin(casework_client, officer_factory)
    officer_factory("ana")
    page = casework_client.post("/admin/cuentas/nueva", data={"username": "ana", "role": "officer"})
    assert page.status_code == 400
    assert "Ya existe" in page.get_data(as_text=True)


def test_deactivate_ends_sessions_and_blocks_login(casework_app, officer_factory, db):
    admin_client = casework_app.test_client()
    _admin(admin_client, officer_factory)
    ana = officer_factory("ana")
    ana_client = casework_app.test_client()
    login(ana_client, "ana", ana.password, ana.totp_secret)
    assert ana_client.get("/cuenta").status_code == 200
    admin_client.post(f"/admin/cuentas/{ana.officer.id}/desactivar")
    assert ana_client.get("/cuenta").status_code == 302
    again = ana_client.post("/login", data={"username": "ana", "password": ana.password})
    assert again.status_code == 401
    assert "officer.deactivated" in _actions(db)


def test_deactivation_page_says_backups_keep_copies_and_rotation_is_the_remedy(
    casework_app, officer_factory, db
):
    admin_client = casework_app.test_client()
    _admin(admin_client, officer_factory)
    ana = officer_factory("ana", Role.HEAD)
    page = admin_client.post(f"/admin/cuentas/{ana.officer.id}/desactivar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "se borraron sus 2 copias de llaves" in html
    assert "copias de seguridad anteriores" in html and "integra keys rotate" in html
    db.expire_all()
    assert db.scalars(select(WrappedKey).where(WrappedKey.officer_id == ana.officer.id)).all() == []
    bob = officer_factory("bob")
    english = admin_client.post(f"/admin/cuentas/{bob.officer.id}/desactivar?lang=en").get_data(
        as_text=True
    )
    assert "Earlier database backups still hold their key copies" in english


def test_reset_password_drops_keys_and_forces_change(casework_app, officer_factory, db):
    admin_client = casework_app.test_client()
    _admin(admin_client, officer_factory)
    ana = officer_factory("ana")
    page = admin_client.post(f"/admin/cuentas/{ana.officer.id}/restablecer-contrasena")
    html = page.get_data(as_text=True)
    new_password = re.search(r'class="secret">([a-z0-9-]+)<', html).group(1)  # type: ignore[union-attr]
    assert "concederla de nuevo" in html
    db.expire_all()
    assert db.scalars(select(WrappedKey).where(WrappedKey.officer_id == ana.officer.id)).all() == []
    client = casework_app.test_client()
    login(client, "ana", new_password, ana.totp_secret)
    assert client.get("/cuenta").headers["Location"].endswith("/cuenta/contrasena")
    assert "officer.password_reset" in _actions(db)


def test_reset_totp_requires_new_enrolment(casework_app, officer_factory, db):
    admin_client = casework_app.test_client()
    _admin(admin_client, officer_factory)
    ana = officer_factory("ana")
    ana_client = casework_app.test_client()
    login(ana_client, "ana", ana.password, ana.totp_secret)
    admin_client.post(f"/admin/cuentas/{ana.officer.id}/restablecer-totp")
    assert ana_client.get("/cuenta").status_code == 302
    step = ana_client.post("/login", data={"username": "ana", "password": ana.password})
    assert step.headers["Location"].endswith("/login/enrolar")
    assert "officer.totp_reset" in _actions(db)
    # The new secret differs from the old one: the old authenticator no longer works
    enrol = ana_client.get("/login/enrolar").get_data(as_text=True)
    assert ana.totp_secret not in enrol


def test_admin_cannot_manage_other_entities(casework_app, officer_factory, db, settings):
    from factories import make_entity
    from factories import make_officer

    admin_client = casework_app.test_client()
    _admin(admin_client, officer_factory)
    other_ent = make_entity(db, settings, name="Otra", pq=False)
    stranger = make_officer(db, settings, other_ent, username="extrano")
    db.commit()
    response = admin_client.post(f"/admin/cuentas/{stranger.officer.id}/desactivar")
    assert response.status_code == 404


def test_non_working_days(casework_client, officer_factory, db):
    _admin(casework_client, officer_factory)
    assert (
        casework_client.post(
            "/admin/dias-no-laborables", data={"day": "2026-12-24", "reason": "Decreto"}
        ).status_code
        == 302
    )
    bad = casework_client.post("/admin/dias-no-laborables", data={"day": "24/12"})
    assert bad.status_code == 400
    dup = casework_client.post("/admin/dias-no-laborables", data={"day": "2026-12-24"})
    assert dup.status_code == 400
    day = db.scalars(select(NonWorkingDay)).one()
    assert casework_client.get("/admin/dias-no-laborables").status_code == 200
    casework_client.post(f"/admin/dias-no-laborables/{day.id}/eliminar")
    db.expire_all()
    assert db.scalars(select(NonWorkingDay)).all() == []
    assert {"entity.non_working_day_added", "entity.non_working_day_removed"} <= set(_actions(db))


def test_non_working_days_page_lists_the_national_days(casework_client, officer_factory, db):
    import datetime as dt

    from core.services import calendar_admin
    from core.storage.db import utcnow

    _admin(casework_client, officer_factory)
    calendar_admin.add_national_day(
        db, dt.date(2027, 11, 2), reason="D.S. ficticio-2027-PCM", now=utcnow(), actor="cli"
    )
    db.commit()
    page = casework_client.get("/admin/dias-no-laborables").get_data(as_text=True)
    assert "Días no laborables nacionales (para todas las entidades)" in page
    assert "02/11/2027" in page and "D.S. ficticio-2027-PCM" in page
    # The entity's admin cannot delete a national day through the entity's form
    assert page.count("/eliminar") == 0


def test_key_grant_and_redeem(casework_app, officer_factory, db):
    # Given a head holding both keys and a new officer without any
    head = officer_factory("jefa", Role.HEAD)
    new = officer_factory("nuevo", grant=False)
    head_client = casework_app.test_client()
    login(head_client, "jefa", head.password, head.totp_secret)
    # When the head grants the office key
    page = head_client.post(
        "/llaves", data={"officer_id": str(new.officer.id), "purpose": "office"}
    )
    assert page.status_code == 200
    code = re.search(r'class="secret">([a-z0-9-]+)<', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    # A grant of the vault to a plain officer is refused (head only)
    refused = head_client.post(
        "/llaves", data={"officer_id": str(new.officer.id), "purpose": "vault"}
    )
    assert refused.status_code == 400
    # Then the grantee redeems it with the code and their own password
    client = casework_app.test_client()
    login(client, "nuevo", new.password, new.totp_secret)
    assert "pendientes de recibir" in client.get("/cuenta").get_data(as_text=True)
    wrong = client.post("/llaves/recibir", data={"code": "xxxx", "password": new.password})
    assert wrong.status_code == 400
    ok = client.post("/llaves/recibir", data={"code": code, "password": new.password})
    assert ok.status_code == 302
    # The session now holds the key; the copy opens with the officer's password
    assert "Llave de la oficina desbloqueada" in client.get("/cuenta").get_data(as_text=True)
    db.expire_all()
    officer = db.get(Officer, new.officer.id)
    assert officer is not None
    identity = entities.unwrap_for_officer(
        db, officer=officer, purpose="office", passphrase=new.password
    )
    assert identity is not None
    assert identity.recipient().to_string() == officer_factory.entity.entity.office_recipient
    purposes = set(
        db.scalars(select(WrappedKey.purpose).where(WrappedKey.officer_id == officer.id))
    )
    assert purposes == {"office"}  # the grant row is gone
    assert {"key.grant_created", "key.grant_redeemed"} <= set(_actions(db))


def test_officer_without_key_cannot_grant(casework_app, officer_factory):
    keyless = officer_factory("sinllave", grant=False)
    other = officer_factory("otro", grant=False)
    client = casework_app.test_client()
    login(client, "sinllave", keyless.password, keyless.totp_secret)
    page = client.get("/llaves").get_data(as_text=True)
    assert "no puede conceder llaves" in page
    refused = client.post(
        "/llaves", data={"officer_id": str(other.officer.id), "purpose": "office"}
    )
    assert refused.status_code == 400


def test_sessions_store_no_plain_identity(casework_app, officer_factory, db):
    head = officer_factory("jefa", Role.HEAD)
    client = casework_app.test_client()
    login(client, "jefa", head.password, head.totp_secret)
    row = db.scalars(select(OfficerSession)).one()
    secret = officer_factory.entity.office.to_string().encode()
    assert row.keys_sealed is not None
    assert secret not in row.keys_sealed
    assert b"AGE-SECRET-KEY" not in row.keys_sealed


def test_look_alike_usernames_are_refused(casework_client, officer_factory):
    # Given an account "ana", an admin must not create "аna" (Cyrillic а): the two read
    # the same in the accounts list, the key-grant form and the audit log
    _admin(casework_client, officer_factory)
    officer_factory("ana")
    page = casework_client.post(
        "/admin/cuentas/nueva", data={"username": "\u0430na", "role": "officer"}
    )
    assert page.status_code == 400

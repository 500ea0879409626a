"""Deadline-notice preferences in Chromium, through the browser's own validation
(issue 9, item 4): an officer opts in with an address; an admin chooses counts only."""

from __future__ import annotations

import pytest
from browser_login import log_in
from factories import make_entity
from factories import make_officer
from servers import casework_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import Role
from core.storage.models import Entity
from core.storage.models import Officer

pytestmark = pytest.mark.e2e


def test_officer_opts_in_and_admin_chooses_counts_only(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        ana = make_officer(s, settings, ent, username="ana.oii")
        admin = make_officer(s, settings, ent, username="admin.oii", role=Role.ADMIN)
        s.commit()

    with casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework:
        page = browser.new_context(locale="es-PE").new_page()
        log_in(page, casework, ana.officer.username, ana.password, ana.totp_secret)
        page.goto(casework + "/cuenta")
        page.click("text=Avisos de plazos por correo")
        form = page.locator("#notices-form")
        # The browser refuses a malformed address: nothing is sent.
        form.locator("#address").fill("ana en la entidad")
        form.locator("#opt_in").check()
        url = page.url
        form.locator("button[type=submit]").click()
        assert page.url == url and form.locator("input:invalid").count() == 1
        # Opting in without an address: the server refuses it and keeps the choice.
        form.locator("#address").fill("")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Indique un correo para recibir los avisos." in page.inner_text(".error-summary")
        assert page.locator("#opt_in").is_checked()
        page.locator("#address").fill("ana@entidad.gob.pe")
        page.locator("#notices-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "Se guardó su preferencia." in page.inner_text("main")
        with Session(clean_engine) as s:
            officer = s.get_one(Officer, ana.officer.id)
            assert officer.notify_opt_in and officer.notify_email == "ana@entidad.gob.pe"

        admin_page = browser.new_context(locale="es-PE").new_page()
        log_in(admin_page, casework, admin.officer.username, admin.password, admin.totp_secret)
        admin_page.goto(casework + "/admin")
        admin_page.click("text=Avisos de plazos por correo")
        admin_page.locator("#counts_only").check()
        admin_page.locator("#counts-form button[type=submit]").click()
        admin_page.wait_for_load_state()
        assert "Se guardó su preferencia." in admin_page.inner_text("main")
        with Session(clean_engine) as s:
            assert s.scalars(select(Entity)).one().notify_counts_only is True

"""An outsider's wrong passwords never lock an officer out (docs/threat-model.md, "Officer
login"): in Debian Chromium, after the outsider's guesses, the holder's password alone is
answered with the stepped-up form, and password plus TOTP code log in on that form."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import make_entity
from factories import make_officer
from servers import casework_server
from sqlalchemy.orm import Session

from core.access import accounts
from core.access import officers
from core.law.enums import Role

pytestmark = pytest.mark.e2e


def _try(page, base: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_the_holder_logs_in_through_the_stepped_up_form(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        made = make_officer(s, settings, ent, username="ana.oii", role=Role.OFFICER)
        s.commit()
    with casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as base:
        outsider = browser.new_context(locale="es-PE")
        page = outsider.new_page()
        for n in range(accounts.STEP_UP_AFTER + 1):
            _try(page, base, "ana.oii", f"adivinanza {n}")
        outsider.close()

        holder = browser.new_context(locale="es-PE")
        page = holder.new_page()
        _try(page, base, "ana.oii", made.password)
        assert "también el código" in page.inner_text(".error-summary")
        # The code field is required by the browser: the form does not go without it
        page.fill("#password", made.password)
        page.locator("main form button[type=submit]").click()
        assert page.evaluate("document.querySelector('#code').validity.valueMissing")
        assert page.input_value("#username") == "ana.oii"
        step = officers.totp_step(dt.datetime.now(dt.UTC))
        page.fill("#code", officers.totp_code(made.totp_secret, step))
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/bandeja")
        holder.close()

"""A legal hold placed and released in Chromium through the browser's own validation
(issue 9, item 3; docs/workflow.md "Retention")."""

from __future__ import annotations

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from servers import casework_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.storage.models import LegalHold

pytestmark = pytest.mark.e2e

REASON = "Requerimiento de la Fiscalía Anticorrupción, carpeta 512-2026"


def test_officer_places_and_releases_a_legal_hold(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        ana = make_officer(s, settings, ent, username="ana.oii")
        code = make_case(s, settings, ent).case.code
        s.commit()

    with casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework:
        page = browser.new_context(locale="es-PE").new_page()
        log_in(page, casework, ana.officer.username, ana.password, ana.totp_secret)
        page.click(f"text={code}")
        page.click("text=Conservación y retención")
        assert "sigue en trámite" in page.inner_text("main")
        assert "Sin retención" in page.inner_text("[data-testid=hold-status]")

        # The browser refuses an empty and a too short reason: nothing is sent.
        form = page.locator("#hold-form")
        url = page.url
        form.locator("button[type=submit]").click()
        assert page.url == url
        assert form.locator("textarea:invalid").count() == 1
        form.locator("#reason").fill("fiscal")
        form.locator("button[type=submit]").click()
        assert page.url == url and form.locator("textarea:invalid").count() == 1
        with Session(clean_engine) as s:
            assert s.scalars(select(LegalHold)).all() == []

        form.locator("#reason").fill(REASON)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Retención activa desde" in page.inner_text("[data-testid=hold-status]")
        with Session(clean_engine) as s:
            hold = s.scalars(select(LegalHold)).one()
            assert hold.released_at is None and hold.reason_sealed is not None
            assert REASON.encode() not in hold.reason_sealed  # sealed to the office

        page.click("text=Levantar la retención")
        page.wait_for_load_state()
        assert "Sin retención" in page.inner_text("[data-testid=hold-status]")
        with Session(clean_engine) as s:
            assert s.scalars(select(LegalHold)).one().released_at is not None

"""An entity's administrator enters a non-working day in Chromium, through the browser's own
validation, and the open clock it falls on moves (issue 11 item 6; docs/workflow.md,
"Deadlines")."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from servers import casework_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import DeadlineKind
from core.law.enums import Role
from core.storage.models import CaseEvent
from core.storage.models import Deadline

pytestmark = pytest.mark.e2e


def _verify_due(engine) -> dt.date:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.scalars(
            select(Deadline.due_on).where(Deadline.kind == DeadlineKind.VERIFY_REQUIREMENTS)
        ).one()


def test_admin_adds_an_entity_day_and_the_open_clock_moves(
    browser, settings, clean_engine, tmp_path
):
    # Filed Mon 2 Mar 2026: RG 4.4 verification due Wed 4 Mar (Tue 3, Wed 4).
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        admin = make_officer(s, settings, ent, username="admin.oii", role=Role.ADMIN, grant=False)
        make_case(s, settings, ent)
        s.commit()
    assert _verify_due(clean_engine) == dt.date(2026, 3, 4)

    with casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework:
        page = browser.new_context(locale="es-PE").new_page()
        log_in(page, casework, admin.officer.username, admin.password, admin.totp_secret)
        page.goto(casework + "/admin/dias-no-laborables")
        url = page.url
        # The browser refuses an empty date: nothing is sent.
        page.click("text=Agregar")
        assert page.url == url and page.locator("input#day:invalid").count() == 1
        page.fill("#day", "2026-03-03")
        page.fill("#reason", "Aniversario de la entidad")
        page.click("text=Agregar")
        page.wait_for_load_state()
        assert "Aniversario de la entidad" in page.inner_text("main")

    # Tue 3 Mar no longer counts: Wed 4 (1), Thu 5 (2).
    assert _verify_due(clean_engine) == dt.date(2026, 3, 5)
    with Session(clean_engine) as s:
        (event,) = s.scalars(select(CaseEvent).where(CaseEvent.kind == "clocks_recomputed")).all()
        assert event.data["scope"] == "entity" and event.data["day"] == "2026-03-03"

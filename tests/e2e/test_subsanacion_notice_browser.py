"""RG 4.4 as the complainant meets it, in a real browser (Debian Chromium, JavaScript off):
the subsanación request comes first on the follow-up page, the first opening is recorded and
starts the 3-business-day term, and the answer goes through the page's own form (issue 11
item 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from case_factory import make_case
from factories import make_entity
from servers import followup_login
from servers import intake_server
from servers import phone_page
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.law.workflow import Act
from core.services.case_records import calendar_for
from core.services.cases import apply_act
from core.storage.db import utcnow
from core.storage.models import Case
from core.storage.models import CaseEvent

pytestmark = pytest.mark.e2e


def test_the_request_comes_first_and_its_opening_starts_the_term(
    browser, settings, clean_engine, tmp_path
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        filed = make_case(s, settings, ent)
        case = s.get(Case, filed.case.id)
        assert case is not None
        apply_act(
            s,
            case,
            Act.REQUEST_SUBSANACION,
            officer=None,
            reasoning="Falta el nombre o cargo del denunciado.",
            now=utcnow(),
            calendar=calendar_for(s, case.entity),
            office_recipients=[crypto.parse_recipient(case.entity.office_recipient)],
            missing_items=[2],
        )
        s.commit()
        receipt = filed.formatted
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context, page = phone_page(browser)
        followup_login(page, base, receipt)
        # The request is the first thing under the case title.
        assert page.locator("main h2").first.inner_text() == (
            "La Oficina le pide subsanar su denuncia"
        )
        notice = page.locator("[data-testid=subsanacion]").inner_text()
        assert "la descripción de los hechos o el nombre o cargo del denunciado" in notice
        with Session(clean_engine) as s:
            (opened,) = s.scalars(
                select(CaseEvent).where(CaseEvent.kind == "subsanacion_notice_opened")
            ).all()
            due = dt.date.fromisoformat(opened.data["due_on"])
        assert f"Puede subsanar hasta el {due:%d/%m/%Y}" in notice
        # The complainant answers through the page's own form.
        page.click("text=Responder ahora")
        page.select_option("#kind", "subsanacion")
        page.fill("#body", "El denunciado es el jefe de la Oficina de Logística.")
        page.click("text=Enviar mensaje cifrado")
        assert "Su mensaje fue enviado cifrado." in page.inner_text("main")
        context.close()
    with Session(clean_engine) as s:
        kinds = s.scalars(select(CaseEvent.kind).order_by(CaseEvent.id)).all()
    assert kinds.count("subsanacion_notice_opened") == 1  # reloads record nothing more
    assert kinds[-1] == "subsanacion_response"


def test_the_follow_up_page_with_a_pending_request_passes_axe(settings, clean_engine, tmp_path):
    from e2e.test_accessibility import Audit
    from e2e.test_accessibility import axe_available
    from e2e.test_accessibility import new_context
    from servers import launch_chromium

    axe_available()
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        filed = make_case(s, settings, ent)
        case = s.get(Case, filed.case.id)
        assert case is not None
        apply_act(
            s,
            case,
            Act.REQUEST_SUBSANACION,
            officer=None,
            reasoning="Falta el compromiso.",
            now=utcnow(),
            calendar=calendar_for(s, case.entity),
            office_recipients=[crypto.parse_recipient(case.entity.office_recipient)],
            missing_items=[2, 3],
        )
        s.commit()
        receipt = filed.formatted
    audit = Audit()
    with (
        launch_chromium() as browser,
        intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc),
    ):
        for lang in ("es", "en"):
            context = new_context(browser)
            page = context.new_page()
            page.goto(f"{base}/seguimiento?lang={lang}")
            page.fill("input[name=receipt]", receipt)
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=subsanacion]")
            audit.run(page, f"follow-up with a subsanación request ({lang})")
            context.close()
    audit.check()

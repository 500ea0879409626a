"""End to end in Chromium (issue 11 items 3 and 4):

- RG 4.9: an OII officer registers, on paper, a complaint against the OII's own staff, ticking
  that box; it leaves the OII's inbox and the entity's titular finds it in theirs and opens it.
- DL 8.1 ¶2 and DL 8.3: an archived complaint is passed on to the Procuraduría through the
  act's own form (destinations from core), and the complainant sees it with JavaScript off.
"""

from __future__ import annotations

import datetime as dt

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from servers import casework_server
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.law.calendar import local_day
from core.law.enums import Role
from core.law.workflow import Act
from core.services import case_records
from core.services import cases
from core.services.subsanacion import record_notice_opened
from core.storage.models import Case
from core.storage.models import Forwarding

pytestmark = pytest.mark.e2e


def only_the_titular_opens(
    browser, casework: str, oii_page, titular, code: str, facts: str
) -> None:  # type: ignore[no-untyped-def]
    """RG 4.9: the OII's account (logged in on `oii_page`) finds no such case, neither in the
    inbox nor by its address; the titular finds it in theirs and opens it."""
    oii_page.goto(casework + "/bandeja")
    assert code not in oii_page.inner_text("main")
    assert oii_page.goto(f"{casework}/denuncias/{code}").status == 404
    context = browser.new_context(locale="es-PE")
    page = context.new_page()
    log_in(page, casework, titular.officer.username, titular.password, titular.totp_secret)
    page.goto(casework + "/bandeja")
    page.click(f"text={code}")
    assert facts in page.inner_text("main")
    context.close()


def test_a_complaint_against_the_oii_goes_to_the_titular_rg_4_9(
    browser, settings, clean_engine, tmp_path
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        officer = make_officer(s, settings, ent, username="mesa.oii", role=Role.OFFICER)
        titular = make_officer(s, settings, ent, username="titular", role=Role.TITULAR)
        s.commit()
    received = local_day(dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    with casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework:
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, officer.officer.username, officer.password, officer.totp_secret)
        page.click("text=Registrar denuncia recibida")
        page.select_option("#channel", "mesa_de_partes")
        page.fill("#received_on", received.isoformat())
        page.check("input[name=modality][value=anonima]")
        page.check("input[name=motives][value=otros_actos]")
        page.fill("#facts", "La jefa de la OII archiva denuncias a cambio de favores.")
        page.check("#against_oii")
        page.click("#register-form button[type=submit]")
        page.wait_for_selector("#receipt")
        code = page.inner_text(".case-code").strip()
        assert "La atiende el titular de la entidad (RG 4.9)." in page.inner_text("main")
        only_the_titular_opens(
            browser, casework, page, titular, code, "archiva denuncias a cambio de favores"
        )
        context.close()


def test_an_archived_complaint_is_passed_on_and_the_complainant_sees_it_dl_8_1(
    browser, settings, clean_engine, tmp_path
):
    today = local_day(dt.datetime.now(dt.UTC))
    noon = dt.time(17, 0, tzinfo=dt.UTC)  # 12:00 in Lima
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        officer = make_officer(s, settings, ent, username="ana", role=Role.OFFICER)
        filed = make_case(
            s, settings, ent, now=dt.datetime.combine(today - dt.timedelta(days=30), noon)
        )
        case = filed.case
        calendar = case_records.calendar_for(s, case.entity)
        office = [crypto.parse_recipient(ent.entity.office_recipient)]
        for days_ago, act, extra in (
            (25, Act.REQUEST_SUBSANACION, {"missing_items": [2]}),
            (5, Act.DECLARE_WITHDRAWAL, {}),
        ):
            cases.apply_act(
                s,
                case,
                act,
                officer=officer.officer,
                reasoning="Motivación.",
                now=dt.datetime.combine(today - dt.timedelta(days=days_ago), noon),
                calendar=calendar,
                office_recipients=office,
                **extra,  # type: ignore[arg-type]
            )
            if act is Act.REQUEST_SUBSANACION:  # opened by the complainant that day (RG 4.4)
                record_notice_opened(
                    s,
                    case,
                    now=dt.datetime.combine(today - dt.timedelta(days=days_ago), noon),
                    calendar=calendar,
                )
        s.commit()
        code = case.code

    with (
        intake_server(settings, tmp_path / "tmp-in", tmp_path / "intake.log") as (intake, _),
        casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework,
    ):
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, officer.officer.username, officer.password, officer.totp_secret)
        page.goto(f"{casework}/denuncias/{code}")
        form = page.locator("#act-refer_archived")
        options = form.locator("select[name=destination] option").evaluate_all(
            "els => els.map(e => e.value).filter(v => v)"
        )
        assert options == ["stpad", "oci", "procuraduria", "otra_entidad"]
        # The browser's own validation: no reasoning, no request
        form.locator("select[name=destination]").select_option("procuraduria")
        form.locator("button[type=submit]").click()
        assert form.locator("textarea[name=reasoning]").evaluate("e => e.validity.valueMissing")
        form.locator("textarea[name=reasoning]").fill("Hay materialidad: posible peculado.")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:1500]
        assert "Archivada por desistimiento" in page.inner_text("[data-testid=case-state]")
        context.close()

        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(intake + "/seguimiento")
        page.fill("input[name=receipt]", filed.formatted)
        page.click("text=Ingresar")
        text = page.inner_text("main")
        assert "fue remitida a un órgano competente" in text
        assert "Procuraduría Pública" in text
        assert "posible peculado" not in text
        context.close()

    with Session(clean_engine) as s:
        case = s.scalars(select(Case).where(Case.code == code)).one()
        (row,) = s.scalars(select(Forwarding).where(Forwarding.case_id == case.id))
        assert row.destination.value == "procuraduria"


def test_a_web_complaint_against_the_oii_reaches_only_the_titular_rg_4_9(
    browser, settings, clean_engine, tmp_path
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        head = make_officer(s, settings, ent, username="jefa.oii", role=Role.HEAD)
        titular = make_officer(s, settings, ent, username="titular", role=Role.TITULAR)
        s.commit()
    with (
        intake_server(settings, tmp_path / "tmp-in", tmp_path / "intake.log") as (intake, _),
        casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework,
    ):
        # The complainant files on the web with JavaScript off, ticking RG 4.9
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(intake + "/denunciar")
        page.check("input[name=modality][value=anonima]")
        page.check("input[name=motives][value=otros_actos]")
        page.fill("#facts", "El responsable de la OII cobra por archivar denuncias.")
        page.fill("#persons-0-post", "Responsable de la OII")
        page.check("#against_oii")
        page.check("#commitment")
        page.click("button[name=action][value=review]:not(.default-action)")
        assert "la atenderá el titular de la entidad (RG 4.9)" in page.inner_text("main")
        page.click("text=Enviar la denuncia")
        code = page.inner_text(".case-code").strip()
        context.close()

        # The OII's head does not see it; the titular does
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, head.officer.username, head.password, head.totp_secret)
        only_the_titular_opens(
            browser, casework, page, titular, code, "cobra por archivar denuncias"
        )
        context.close()
    with Session(clean_engine) as s:
        assert s.scalars(select(Case).where(Case.code == code)).one().against_oii

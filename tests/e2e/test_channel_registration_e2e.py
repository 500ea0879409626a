"""End to end (issue 11, test b): in Chromium, an officer registers a complaint received on
paper at the front desk (mesa de partes) — facts typed and the scanned letter attached, the day
of receipt entered — through the browser's own form validation, prints the acknowledgement, and
the complainant follows the case at the intake's /seguimiento (JavaScript off) with the printed
receipt code."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_login import log_in
from factories import make_entity
from factories import make_officer
from servers import casework_server
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.calendar import local_day
from core.law.enums import Role
from core.storage.models import AuditEntry
from core.storage.models import Case

pytestmark = pytest.mark.e2e

FACTS = "El encargado de almacén entregó combustible a un vehículo particular (escrito recibido)."
SCAN = b"%PDF-1.4\n% carta manuscrita escaneada\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_officer_registers_a_paper_complaint_and_the_complainant_follows_it(
    browser, settings, clean_engine, tmp_path
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        officer = make_officer(s, settings, ent, username="mesa.oii", role=Role.OFFICER)
        s.commit()
    today = local_day(dt.datetime.now(dt.UTC))
    received = today - dt.timedelta(days=3)

    with (
        intake_server(settings, tmp_path / "tmp-in", tmp_path / "intake.log") as (intake, _),
        casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework,
    ):
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, officer.officer.username, officer.password, officer.totp_secret)
        page.click("text=Registrar denuncia recibida")
        assert "Registrar una denuncia recibida por otro canal" in page.inner_text("main")

        page.select_option("#channel", "mesa_de_partes")
        page.check("input[name=modality][value=anonima]")
        page.check("input[name=motives][value=apropiacion_recursos]")
        page.fill("#facts", FACTS)
        page.fill("#person_post", "Encargado de almacén")
        page.set_input_files(
            "#files",
            files=[{"name": "escrito-recibido.pdf", "mimeType": "application/pdf", "buffer": SCAN}],
        )
        # A day of receipt in the future is stopped by the browser (max = today): no request
        page.fill("#received_on", (today + dt.timedelta(days=1)).isoformat())
        page.click("#register-form button[type=submit]")
        assert page.locator("#received_on").evaluate("e => e.validity.rangeOverflow")
        assert "/registro-de-denuncias" in page.url and page.locator("#receipt").count() == 0
        page.fill("#received_on", received.isoformat())
        page.click("#register-form button[type=submit]")
        page.wait_for_selector("#receipt")

        receipt = page.inner_text("#receipt").strip()
        code = page.inner_text(".case-code").strip()
        assert page.inner_text("[data-testid=channel]") == "Por escrito (mesa de partes)"
        assert page.inner_text("[data-testid=received-on]") == received.strftime("%d/%m/%Y")
        # Printed: the receipt and the case code are on paper, the officer's menus are not
        page.emulate_media(media="print")
        assert page.locator("#receipt").is_visible()
        assert page.locator(".case-code").is_visible()
        assert not page.locator("header.site").is_visible()
        assert not page.locator(".no-print").is_visible()
        # The case is in the officer's inbox
        page.emulate_media(media="screen")
        page.goto(casework + "/")
        assert code in page.inner_text("main")
        context.close()

        # The complainant follows it with the printed receipt, JavaScript off
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(intake + "/seguimiento")
        page.fill("input[name=receipt]", receipt)
        page.click("text=Ingresar")
        text = page.inner_text("main")
        assert code in text
        assert "Denuncia registrada" in text
        context.close()

    with Session(clean_engine) as s:
        case = s.scalars(select(Case).where(Case.code == code)).one()
        assert case.channel == "mesa_de_partes"
        assert case.received_on == received
        assert len(case.attachments) == 1
        filed = s.scalars(select(AuditEntry).where(AuditEntry.action == "case.filed")).one()
        assert filed.officer_id == officer.officer.id

"""The measure details form (issue 12) in Debian's Chromium, through the browser's own
validation: the head records the days in force, the duration and the target unit of a
transfer; a measure ending before it starts is refused with everything typed kept; the
measure page and the case page show the details."""

from __future__ import annotations

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from servers import casework_server
from sqlalchemy.orm import Session

from core.law.enums import MeasureType
from core.law.enums import Role

pytestmark = pytest.mark.e2e

UNIT = "Sede Regional Piura, Oficina de Abastecimiento"


def test_the_head_records_a_transfers_details(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        head = make_officer(s, settings, ent, username="jefa.detalle", role=Role.HEAD)
        case = make_case(s, settings, ent, protection=(MeasureType.TRANSFER_COMPLAINANT,)).case
        code, measure_id = case.code, case.measures[0].id
        s.commit()

    with casework_server(settings, tmp_path / "cw", tmp_path / "casework.log") as base:
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, base, head.officer.username, head.password, head.totp_secret)
        page.goto(f"{base}/denuncias/{code}/medidas/{measure_id}")
        form = page.locator("#measure-details")
        # Refused: it would end before it starts; what was typed stays.
        form.locator("#in_force_from").fill("2026-04-10")
        form.locator("#in_force_until").fill("2026-04-01")
        form.locator("#target_unit").fill(UNIT)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "La medida no puede terminar antes de empezar." in page.inner_text(".error-summary")
        assert page.locator("#target_unit").input_value() == UNIT
        # Corrected and saved.
        form = page.locator("#measure-details")
        form.locator("#in_force_until").fill("2026-10-09")
        form.locator("#duration").fill("Seis meses")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 0
        assert page.inner_text("[data-testid=measure-in-force]") == (
            "desde 10/04/2026 hasta 09/10/2026"
        )
        assert page.inner_text("[data-testid=measure-duration]") == "Seis meses"
        assert page.inner_text("[data-testid=measure-target-unit]") == UNIT
        page.goto(f"{base}/denuncias/{code}")
        assert UNIT in page.inner_text(f"[data-testid=measure-target-unit-{measure_id}]")
        assert "10/04/2026" in page.inner_text(f"[data-testid=measure-in-force-{measure_id}]")
        context.close()

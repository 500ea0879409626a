"""The complainant requests protection from the follow-up page in a real browser (Debian
Chromium, JavaScript off), through the browser's own validation: one ticked measure is enough
(issue 12, defect 1: every checkbox used to carry `required`)."""

from __future__ import annotations

import pytest
from case_factory import make_case
from factories import make_entity
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import MeasureType
from core.law.enums import Modality
from core.storage.models import Case
from core.storage.models import Measure

pytestmark = pytest.mark.e2e


def test_one_measure_ticked_is_sent(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        receipt = make_case(s, settings, ent, identified=True).formatted
        s.commit()
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context = browser.new_context(
            java_script_enabled=False, locale="es-PE", viewport={"width": 360, "height": 740}
        )
        page = context.new_page()
        page.goto(base + "/seguimiento")
        page.fill("input[name=receipt]", receipt)
        page.click("text=Ingresar")
        # Nothing ticked: the browser lets the form go (a group has no HTML constraint) and
        # the server answers in Spanish, keeping what was typed.
        page.fill("#risk", "Mi jefe me cambió de turno después de la denuncia.")
        page.click("text=Enviar solicitud")
        assert "Elija al menos una medida." in page.inner_text("main")
        assert page.input_value("#risk") == "Mi jefe me cambió de turno después de la denuncia."
        # One box ticked is enough.
        page.check(f"input[name=measures][value={MeasureType.TRANSFER_COMPLAINANT.value}]")
        page.click("text=Enviar solicitud")
        assert "Su solicitud de medidas de protección fue enviada." in page.inner_text("main")
        context.close()
    with Session(clean_engine) as s:
        types = [m.type for m in s.scalars(select(Measure))]
    assert MeasureType.TRANSFER_COMPLAINANT in types


def test_an_anonymous_request_is_recorded_as_measures(browser, settings, clean_engine, tmp_path):
    """Issue 12, defect 3: from a real browser an anonymous person's request records the measure
    and marks the case "solicita medidas", not only a message."""
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        receipt = make_case(s, settings, ent, identified=False).formatted
        s.commit()
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(base + "/seguimiento")
        page.fill("input[name=receipt]", receipt)
        page.click("text=Ingresar")
        assert "Su denuncia es anónima" in page.inner_text("main")
        page.check(f"input[name=measures][value={MeasureType.CONTRACT_RENEWAL.value}]")
        page.fill("#risk", "Me dijeron que no renovarán mi contrato.")
        page.click("text=Enviar solicitud")
        assert "Su solicitud de medidas de protección fue enviada." in page.inner_text("main")
        context.close()
    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        assert case.modality is Modality.ANONYMOUS
        assert case.protection_requested
        assert [m.type for m in case.measures] == [MeasureType.CONTRACT_RENEWAL]

"""The complainant requests protection from the follow-up page in a real browser (Debian
Chromium, JavaScript off), through the browser's own validation: one ticked measure is enough
(issue 12, defect 1: every checkbox used to carry `required`)."""

from __future__ import annotations

import pytest
from case_factory import make_case
from factories import make_entity
from servers import followup_login
from servers import intake_server
from servers import phone_page
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import MeasureType
from core.law.enums import Modality
from core.storage.models import Case
from core.storage.models import Measure

pytestmark = pytest.mark.e2e


def _identified_case(settings, clean_engine):  # type: ignore[no-untyped-def]
    """An entity and an identified complainant's receipt."""
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        receipt = make_case(s, settings, ent, identified=True).formatted
        s.commit()
    return ent, receipt


def test_one_measure_ticked_is_sent(browser, settings, clean_engine, tmp_path):
    _ent, receipt = _identified_case(settings, clean_engine)
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context, page = phone_page(browser)
        followup_login(page, base, receipt)
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
        followup_login(page, base, receipt)
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


def test_other_measure_needs_its_description_and_reaches_the_office(
    browser, settings, clean_engine, tmp_path
):
    # Issue 12: "Otra medida" has a field to say which; ticked without it, the page says so
    # and keeps what was typed; with it, the office reads it in the request's message.
    from core.services.messages import read_message
    from core.storage.models import Message

    ent, receipt = _identified_case(settings, clean_engine)
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context, page = phone_page(browser)
        followup_login(page, base, receipt)
        page.check(f"input[name=measures][value={MeasureType.OTHER.value}]")
        page.fill("#risk", "Me negaron las vacaciones.")
        page.click("text=Enviar solicitud")
        assert "Describa la otra medida que solicita." in page.inner_text("main")
        assert page.input_value("#risk") == "Me negaron las vacaciones."
        page.check(f"input[name=measures][value={MeasureType.OTHER.value}]")
        page.fill("#other", "Que no me evalúe mi jefe directo este año.")
        page.click("text=Enviar solicitud")
        assert "Su solicitud de medidas de protección fue enviada." in page.inner_text("main")
        context.close()
    with Session(clean_engine) as s:
        assert [m.type for m in s.scalars(select(Measure))] == [MeasureType.OTHER]
        bodies = [read_message(m, [ent.office]) for m in s.scalars(select(Message))]
    assert any("Otra medida: Que no me evalúe mi jefe directo este año." in b for b in bodies)

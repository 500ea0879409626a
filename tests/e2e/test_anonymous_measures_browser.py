"""Issue 12: an anonymous person asks for protection measures on the complaint form in
Chromium (360 px, JavaScript off, the browser's own validation): the measures stay visible
while the identity part is hidden, identity reserve is refused at its visible box, the review
says when a measure can be carried out, and the filing records the measure."""

from __future__ import annotations

import pytest
from factories import make_entity
from servers import intake_server
from servers import phone_page
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import MeasureType
from core.law.enums import Modality
from core.storage.models import Case
from core.storage.models import Measure

pytestmark = pytest.mark.e2e

TRANSFER = MeasureType.TRANSFER_COMPLAINANT.value
RESERVE = MeasureType.IDENTITY_RESERVE.value


def test_an_anonymous_filing_asks_for_a_measure(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        make_entity(s, settings)
        s.commit()
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context, page = phone_page(browser)
        page.goto(base + "/denunciar")
        assert page.is_checked("input[name=modality][value=anonima]")
        assert not page.is_visible("#full_name")
        assert page.is_visible(f"input[name=protection_measures][value={TRANSFER}]")
        assert "solo puede ejecutarse cuando usted se identifique" in page.inner_text("main")
        page.check("input[name=motives][value=favorecimiento_soborno]")
        page.fill("#facts", "El jefe pidió un pago para firmar la conformidad.")
        page.check("#commitment")
        page.check(f"input[name=protection_measures][value={RESERVE}]")
        page.check(f"input[name=protection_measures][value={TRANSFER}]")
        page.fill("#protection_risk", "Temo que me cambien de turno.")
        page.click("button[name=action][value=review]:not(.default-action)")
        assert "no tiene identidad que reservar" in page.inner_text("main")
        assert page.input_value("#protection_risk") == "Temo que me cambien de turno."
        page.uncheck(f"input[name=protection_measures][value={RESERVE}]")
        page.click("button[name=action][value=review]:not(.default-action)")
        assert "Revise su denuncia" in page.content()
        review = page.inner_text("main")
        assert "Traslado" in review
        assert "aunque la denuncia sea anónima" in review
        page.click("text=Enviar la denuncia")
        assert page.inner_text("#receipt")
        context.close()
    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        assert case.modality is Modality.ANONYMOUS and case.protection_requested
        assert [m.type for m in s.scalars(select(Measure))] == [MeasureType.TRANSFER_COMPLAINANT]

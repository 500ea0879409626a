"""Issue 12: "Otra medida" on the complaint form has a field to describe it, through the
browser's own validation with JavaScript off: ticked without a description the page says so
and keeps everything typed; described, the review shows it, the sealed report carries it and
the office's case page shows it."""

from __future__ import annotations

import json

import pytest
from factories import make_entity
from servers import intake_server
from servers import phone_page
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import MeasureType
from core.storage.blobs import read_plaintext
from core.storage.models import Case
from core.storage.models import Measure

pytestmark = pytest.mark.e2e

OTHER = "Que mi evaluación de desempeño la haga otra jefatura."


def test_other_measure_is_described_at_filing(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        s.commit()
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context, page = phone_page(browser)
        page.goto(base + "/denunciar")
        page.check("input[name=modality][value=con_reserva]")
        page.check("input[name=motives][value=favorecimiento_soborno]")
        page.fill("#facts", "El jefe pidió un pago para firmar la conformidad.")
        page.check("#commitment")
        page.fill("#full_name", "Rosa Quispe")
        page.fill("#document_number", "41234567")
        page.check(f"input[name=protection_measures][value={MeasureType.OTHER.value}]")
        page.fill("#protection_risk", "Mi jefe evalúa mi desempeño.")
        page.click("button[name=action][value=review]:not(.default-action)")
        main = page.inner_text("main")
        assert "Describa la otra medida que solicita." in main
        assert page.input_value("#full_name") == "Rosa Quispe"
        assert page.input_value("#protection_risk") == "Mi jefe evalúa mi desempeño."
        page.fill("#protection_other", OTHER)
        page.click("button[name=action][value=review]:not(.default-action)")
        assert "Revise su denuncia" in page.content()
        assert f"Otra medida: {OTHER}" in page.inner_text("main")
        page.click("text=Enviar la denuncia")
        assert page.inner_text("#receipt")
        context.close()
    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        report = json.loads(read_plaintext(s, case.report_blob_id, [ent.office]))
        assert report["protection"]["other"] == OTHER
        assert report["protection"]["measures"] == [MeasureType.OTHER.value]
        assert [m.type for m in s.scalars(select(Measure))] == [MeasureType.OTHER]

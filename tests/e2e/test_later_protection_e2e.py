"""Issue 11, end to end (a), in Debian's Chromium against both apps as server processes: a
complainant files with identity reserve (intake with JavaScript off) and asks for protection
later from the follow-up page (RG 4.10); the head of the OII sees the three clocks the request
opened (RG 4.7, 5.1, 6) and the two RG 4.3 copies, decides the measure, and the complainant
sees the decision with their receipt."""

from __future__ import annotations

import pytest
from browser_login import log_in
from factories import make_entity
from factories import make_officer
from servers import casework_server
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import Role
from core.storage.models import Case
from core.storage.models import Deadline

pytestmark = pytest.mark.e2e

FACTS = "El jefe de logística direccionó la compra de equipos a la empresa de su cuñado."


def file_with_reserve(browser, base: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="es-PE")
    page = context.new_page()
    page.goto(base + "/denunciar")
    page.check("input[name=modality][value=con_reserva]")
    page.check("input[name=motives][value=contratacion_irregular]")
    page.fill("#facts", FACTS)
    page.fill("#occurred_when", "Abril de 2026")
    page.fill("#occurred_where", "Oficina de Logística")
    page.fill("#persons-0-post", "Jefe de Logística")
    page.check("#commitment")
    page.fill("#full_name", "Rosa Quispe Mamani")
    page.fill("#document_number", "42345678")
    page.click("button[name=action][value=review]:not(.default-action)")
    assert "Revise su denuncia" in page.content(), page.inner_text("main")[:2000]
    page.click("text=Enviar la denuncia")
    receipt = page.inner_text("#receipt").strip()
    code = page.inner_text(".case-code").strip()
    page.check("#written_down")
    page.click("text=Terminar")
    context.close()
    return receipt, code


def followup(browser, base: str, receipt: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        java_script_enabled=False, locale="es-PE", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto(base + "/seguimiento")
    page.fill("input[name=receipt]", receipt)
    page.click("text=Ingresar")
    return context, page


def submit_act(page, form_id: str, reasoning: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator(f"#{form_id}")
    form.locator("textarea[name=reasoning]").fill(reasoning)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:1500]


def test_a_later_protection_request_runs_its_clocks_copies_and_decision(
    browser, settings, clean_engine, tmp_path
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        head = make_officer(s, settings, ent, username="jefe.oii", role=Role.HEAD)
        s.commit()

    with (
        intake_server(settings, tmp_path / "tmp-in", tmp_path / "intake.log") as (intake, _),
        casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework,
    ):
        # The complainant files with identity reserve and no measure...
        receipt, code = file_with_reserve(browser, intake)
        # ...and later asks for a transfer from the follow-up page (RG 4.10)
        context, page = followup(browser, intake, receipt)
        page.check("input[name=measures][value=traslado_denunciante]")
        page.fill("#risk", "Desde la denuncia me asignan tareas fuera de mi puesto.")
        page.click("text=Enviar solicitud")
        assert "Su solicitud de medidas de protección fue enviada." in page.inner_text("main")
        context.close()

        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, head.officer.username, head.password, head.totp_secret)
        page.goto(f"{casework}/denuncias/{code}")
        main = page.inner_text("main")
        assert (
            "Solicita medidas de protección\nSí" in main
            or "Solicita medidas de protección\tSí" in main
        )
        # The two RG 4.3 copies, sent once
        copies = page.locator("#forwardings ~ table tr, section[aria-labelledby=forwardings] tr")
        rows = [copies.nth(i).inner_text() for i in range(copies.count())]
        assert sum("Órgano de Control Institucional" in r and "Copia" in r for r in rows) == 1
        assert sum("Procuraduría Pública" in r and "Copia" in r for r in rows) == 1
        # Verifying the requirements leads to the evaluation of measures (RG 4.7)
        submit_act(page, "act-verify_requirements", "Cumple los requisitos del art. 7.")
        assert page.inner_text("[data-testid=case-state]") == "En evaluación de medidas"

        # The measure and its three clocks (RG 4.7, 5.1, 6)
        page.click("text=Registro de medidas de protección")
        page.click("text=Traslado temporal del denunciante")
        clocks = page.inner_text("main")
        for label in (
            "Evaluar medidas de protección",
            "Notificar medidas al denunciante",
            "Plazo máximo para otorgar medidas",
        ):
            assert label in clocks, label
        # The head decides: HR report, grant with the RG 7 criteria, notice (RG 5.1)
        submit_act(page, "measure-act-request_hr_report", "Se pide informe a la ORH.")
        page.locator("#measure-act-record_hr_report input[name=hr_feasible][value='1']").check()
        submit_act(page, "measure-act-record_hr_report", "Informe ORH: viable.")
        grant = page.locator("#measure-act-grant")
        for criterion in ("trascendencia", "gravedad", "verosimilitud", "subordinacion"):
            grant.locator(f"select[name=criterion_{criterion}]").select_option("1")
        submit_act(page, "measure-act-grant", "Riesgo cierto e inminente para la denunciante.")
        submit_act(page, "measure-act-notify_complainant", "Notificación por la plataforma.")
        assert page.inner_text("[data-testid=measure-state]") == "Otorgada"
        context.close()

        # The complainant sees the decision with the receipt
        context, page = followup(browser, intake, receipt)
        text = page.inner_text("main")
        assert "Se le comunicó la decisión sobre la medida" in text
        after = text.split("Se le comunicó la decisión sobre la medida", 1)[1][:300]
        assert "Traslado temporal" in after and "otorgada" in after
        assert "Riesgo cierto" not in text  # the head's reasoning stays internal
        context.close()

    with Session(clean_engine) as s:
        case = s.scalars(select(Case).where(Case.code == code)).one()
        assert case.protection_requested
        (measure,) = case.measures
        assert measure.state is MeasureState.GRANTED
        own = {d.kind for d in s.scalars(select(Deadline).where(Deadline.measure_id == measure.id))}
        assert own >= {
            DeadlineKind.EVALUATE_MEASURES,
            DeadlineKind.NOTIFY_MEASURES,
            DeadlineKind.GRANT_LIMIT,
        }
        copies = sorted(f.destination for f in case.forwardings if f.is_copy)
        assert copies == [Destination.OCI, Destination.PROCURADURIA]

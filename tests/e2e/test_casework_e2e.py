"""End to end in a real browser (Debian Chromium) against both apps as real server processes:
a complainant files through the intake's web form (/denunciar) asking for protection; an
officer with the head role logs in with TOTP, verifies the requirements, takes the protection
measure from request to grant and notice, reads the identity with a stated basis, forwards the
complaint to the STPAD and downloads the forwarding package; the complainant then sees the
office's acts at /seguimiento with the receipt."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from browser_login import log_in
from factories import make_entity
from factories import make_officer
from servers import casework_server
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import CaseState
from core.law.enums import MeasureState
from core.law.enums import Role
from core.storage import audit
from core.storage.models import AuditEntry
from core.storage.models import Case

pytestmark = pytest.mark.e2e

FACTS = "La jefa de abastecimiento pidió un pago para aprobar la conformidad del servicio."
FULL_NAME = "Lucía Huamán Torres"


def file_complaint(browser, base: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The intake's real form, without JavaScript; returns (receipt, case code)."""
    context = browser.new_context(java_script_enabled=False, locale="es-PE")
    page = context.new_page()
    page.goto(base + "/denunciar")
    page.check("input[name=modality][value=con_reserva]")
    page.check("input[name=motives][value=favorecimiento_soborno]")
    page.fill("#facts", FACTS)
    page.fill("#occurred_when", "Marzo de 2026")
    page.fill("#occurred_where", "Oficina de Abastecimiento")
    page.fill("#persons-0-post", "Jefa de Abastecimiento")
    page.check("#commitment")
    page.fill("#full_name", FULL_NAME)
    page.fill("#document_number", "41234567")
    page.fill("#email", "lucia@example.org")
    page.check("input[name=protection_measures][value=traslado_denunciante]")
    page.fill("#protection_risk", "Mi jefa directa es la denunciada y ya me amenazó.")
    page.click("button[name=action][value=review]:not(.default-action)")
    assert "Revise su denuncia" in page.content(), page.inner_text("main")[:2000]
    page.click("text=Enviar la denuncia")
    receipt = page.inner_text("#receipt").strip()
    code = page.inner_text(".case-code").strip()
    page.check("#written_down")
    page.click("text=Terminar")
    context.close()
    return receipt, code


def submit_act(page, form_id: str, reasoning: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator(f"#{form_id}")
    form.locator("textarea[name=reasoning]").fill(reasoning)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:1500]


def test_officer_takes_a_complaint_to_a_granted_measure_and_a_package(
    browser, settings, clean_engine, tmp_path
):
    # Given an entity whose head of the OII is enrolled (TOTP) and holds both keys
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        head = make_officer(s, settings, ent, username="jefa.oii", role=Role.HEAD)
        s.commit()

    with (
        intake_server(settings, tmp_path / "tmp-in", tmp_path / "intake.log") as (intake, _),
        casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework,
    ):
        # A complainant files through the intake's web form, asking for protection
        receipt, code = file_complaint(browser, intake)

        context = browser.new_context(locale="es-PE", accept_downloads=True)
        page = context.new_page()
        # The officer logs in: password, then TOTP
        log_in(page, casework, head.officer.username, head.password, head.totp_secret)

        # The complaint is in the inbox with its next deadline; open it
        assert code in page.inner_text("main")
        assert "Verificar requisitos" in page.inner_text("main")
        page.click(f"text={code}")
        assert FACTS in page.inner_text("main")
        assert FULL_NAME not in page.content()  # identity is not on the case page

        # Verify the requirements: the case goes to the evaluation of measures
        submit_act(page, "act-verify_requirements", "Cumple los cuatro requisitos del art. 7.")
        assert page.inner_text("[data-testid=case-state]") == "En evaluación de medidas"

        # Forwarding is not offered while the protection request is undecided (RG 4.7, 4.8)
        assert page.locator("#act-forward").count() == 0

        # The measure: HR feasibility report, grant (head), notice, in force
        page.click("text=Registro de medidas de protección")
        assert "Plazo máximo para otorgar medidas" in page.inner_text("main")
        page.click("text=Traslado temporal del denunciante")
        submit_act(page, "measure-act-request_hr_report", "Se pide informe a la ORH.")
        page.locator("#measure-act-record_hr_report input[name=hr_feasible][value='1']").check()
        submit_act(page, "measure-act-record_hr_report", "Informe ORH 015-2026: viable.")
        # A refused act shows the reason (criteria not assessed) and keeps the reasoning
        grant = page.locator("#measure-act-grant")
        grant.locator("textarea[name=reasoning]").fill("Riesgo cierto: la denunciada es su jefa.")
        grant.locator("button[type=submit]").click()
        assert "trascendencia" in page.inner_text(".error-summary")
        grant = page.locator("#measure-act-grant")
        assert "jefa" in grant.locator("textarea[name=reasoning]").input_value()
        for criterion in ("trascendencia", "gravedad", "verosimilitud", "subordinacion"):
            grant.locator(f"select[name=criterion_{criterion}]").select_option("1")
        submit_act(page, "measure-act-grant", "Riesgo cierto: la denunciada es su jefa directa.")
        submit_act(page, "measure-act-notify_complainant", "Notificación por la plataforma.")
        submit_act(page, "measure-act-enter_into_force", "La ORH ejecutó el traslado.")
        assert page.inner_text("[data-testid=measure-state]") == "Vigente"

        # The head reads the identity (HR must execute the transfer), stating the basis
        page.goto(f"{casework}/denuncias/{code}/identidad")
        page.select_option("#legal_basis", "ejecucion_medidas")
        page.fill("#statement", "La ORH ejecuta el traslado temporal otorgado (RG 5.4).")
        page.locator("main form button[type=submit]").click()
        assert FULL_NAME in page.inner_text("main")

        # Forward to the STPAD, then download the package for that forwarding
        page.goto(f"{casework}/denuncias/{code}")
        page.locator("#act-forward select[name=destination]").select_option("stpad")
        submit_act(page, "act-forward", "Evaluación concluida: corresponde a la STPAD.")
        assert page.inner_text("[data-testid=case-state]") == "Derivada"
        row = page.locator("tr", has_text="Secretaría Técnica del PAD").filter(
            has_text="Derivación"
        )
        with page.expect_download() as download_info:
            row.locator("button[type=submit]").click()
        package = Path(download_info.value.path()).read_bytes()
        context.close()

        with zipfile.ZipFile(io.BytesIO(package)) as zf:
            manifest = json.loads(zf.read(f"{code}/manifest.json"))
            assert manifest["identity_included"] is False
            for name in zf.namelist():
                data = zf.read(name)
                assert FULL_NAME.encode() not in data and b"41234567" not in data
            assert FACTS in zf.read(f"{code}/denuncia.txt").decode()

        # The complainant sees the office's acts with the receipt
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(intake + "/seguimiento")
        page.fill("input[name=receipt]", receipt)
        page.click("text=Ingresar")
        text = page.inner_text("main")
        assert code in text
        assert "Se le comunicó la decisión sobre la medida" in text
        assert "Traslado temporal" in text
        context.close()

    with Session(clean_engine) as s:
        case = s.scalars(select(Case).where(Case.code == code)).one()
        assert case.state is CaseState.FORWARDED
        assert case.measures[0].state is MeasureState.IN_FORCE
        actions = {a.action for a in s.scalars(select(AuditEntry))}
        assert {
            "case.viewed",
            "identity.accessed",
            "package.exported",
            "measure.grant",
        } <= actions
        audit.verify_chain(s)

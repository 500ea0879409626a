"""The acts on the protected person, submitted in Chromium through the browser's own
validation: the bad-faith procedure (DL 14; RG 11) notice, alegaciones and decision; a breach
of obligations (RG 10.2); a suspension lifted (RG 9); the end of the PAD (RG 6.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from servers import casework_server
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.law.calendar import local_day
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import Role
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.services.case_records import calendar_for
from core.services.measures import apply_measure_act
from core.storage.models import BadFaithProcedure
from core.storage.models import Case
from core.storage.models import Forwarding

pytestmark = pytest.mark.e2e


def test_the_person_forms_work_in_a_real_browser(browser, settings, clean_engine, tmp_path):
    now = dt.datetime.now(dt.UTC)
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        head = make_officer(s, settings, ent, username="jefa.oii", role=Role.HEAD)
        filed = make_case(s, settings, ent, protection=(MeasureType.TRANSFER_COMPLAINANT,), now=now)
        case = filed.case
        transfer = case.measures[0]
        for act, extra in (
            (MeasureAct.REQUEST_HR_REPORT, {}),
            (MeasureAct.RECORD_HR_REPORT, {"hr_feasible": True}),
            (MeasureAct.GRANT, {"criteria": dict.fromkeys(Criterion, True)}),
            (MeasureAct.NOTIFY_COMPLAINANT, {}),
            (MeasureAct.ENTER_INTO_FORCE, {}),
        ):
            apply_measure_act(
                s,
                transfer,
                act,
                officer=head.officer,
                reasoning="Preparación.",
                now=now,
                calendar=calendar_for(s, case.entity),
                office_recipients=[crypto.parse_recipient(ent.entity.office_recipient)],
                **extra,  # type: ignore[arg-type]
            )
        s.commit()
        code, measure_id = case.code, transfer.id

    with casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework:
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, head.officer.username, head.password, head.totp_secret)
        register = f"{casework}/denuncias/{code}/medidas"
        page.goto(register)

        def submit(button: str) -> str:
            page.click(f"text={button}")
            page.wait_for_load_state()
            main = page.inner_text("main")
            assert page.locator(".error-summary").count() == 0, main[:1500]
            return main

        # Bad faith, with the browser's validation: nothing chosen is not sent
        page.click("text=Iniciar el procedimiento por mala fe")
        assert page.url.startswith(register)
        assert "Procedimiento abierto" not in page.inner_text("main")
        page.select_option("#bf-type", "reiterada")
        page.fill("#bf-reasoning", "Existe resolución firme sobre los mismos hechos.")
        main = submit("Iniciar el procedimiento por mala fe")
        assert "Procedimiento abierto desde el" in main and "Denuncia reiterada" in main
        page.fill("#bf-alegaciones-reasoning", "Escrito de alegaciones recibido.")
        submit("Registrar las alegaciones")
        page.check("input[name=upheld][value='0']")
        page.fill("#bf-decision-reasoning", "Los hechos no son los mismos.")
        main = submit("Decidir")
        assert "no se confirmó la mala fe" in main

        # RG 10.2: breach of obligations, forwarded
        page.fill("#breach-reasoning", "Divulgó la medida a terceros.")
        submit("Registrar el incumplimiento y remitir")

        # RG 9: a suspension decided, then lifted; the measure is in force again
        page.goto(f"{register}/{measure_id}")
        for form_id, reasoning in (
            ("measure-act-start_suspension", "Incumplió sus obligaciones (DL 13.2)."),
            ("measure-act-record_alegaciones", "Alegaciones recibidas."),
            ("measure-act-decide_suspension", "Se suspende."),
        ):
            form = page.locator(f"#{form_id}")
            form.locator("textarea[name=reasoning]").fill(reasoning)
            form.locator("button[type=submit]").click()
            page.wait_for_load_state()
            assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:1500]
        assert page.inner_text("[data-testid=measure-state]") == "Suspendida"
        form = page.locator("#measure-act-lift_suspension")
        form.locator("textarea[name=reasoning]").fill("Cesó el incumplimiento.")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert page.inner_text("[data-testid=measure-state]") == "Vigente"

        # RG 6.2: the end of the PAD ends the transfer
        page.goto(register)
        page.fill("#pad-ended-on", local_day(dt.datetime.now(dt.UTC)).isoformat())
        page.fill("#pad-reasoning", "Oficio de la STPAD: PAD concluido.")
        main = submit("Registrar el fin del PAD")
        assert "El PAD terminó el" in main
        context.close()

    with Session(clean_engine) as s:
        case = s.scalars(select(Case).where(Case.code == code)).one()
        assert case.measures[0].state is MeasureState.CEASED
        (procedure,) = s.scalars(select(BadFaithProcedure)).all()
        assert procedure.upheld is False
        sent = [f.destination.value for f in s.scalars(select(Forwarding)) if not f.is_copy]
        assert sorted(sent) == ["procuraduria", "stpad"]  # the RG 10.2 forwarding

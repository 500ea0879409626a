"""The text for the complainant typed in the act forms (issue 12), in Debian's Chromium through
the browser's own validation: the head asks for a subsanación saying what exactly is missing,
denies a measure and notifies the complainant with the reasons; the office's case page shows
both texts apart from the reasoning, and the complainant's follow-up page (JavaScript off)
shows them while the internal reasoning never reaches it."""

from __future__ import annotations

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from servers import casework_server
from servers import followup_login
from servers import intake_server
from servers import phone_page
from sqlalchemy.orm import Session

from core.law.enums import MeasureType
from core.law.enums import Role

pytestmark = pytest.mark.e2e

INTERNAL = "INTERNO: el denunciado es pariente del gerente general."
ASKED = "Indique el cargo de la persona denunciada. Si no responde a tiempo, se archiva."
DENIED = "No hay plaza equivalente en otra sede de la provincia: se deniega el traslado."


def _submit(page, form_id: str, reasoning: str, notice: str | None = None) -> None:  # type: ignore[no-untyped-def]
    form = page.locator(f"#{form_id}")
    form.locator("textarea[name=reasoning]").fill(reasoning)
    if notice is not None:
        form.locator("textarea[name=notice]").fill(notice)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:1500]


def test_the_office_writes_to_the_complainant_with_its_acts(
    browser, settings, clean_engine, tmp_path
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        head = make_officer(s, settings, ent, username="jefa.avisos", role=Role.HEAD)
        filed = make_case(s, settings, ent, protection=(MeasureType.TRANSFER_COMPLAINANT,))
        code, receipt, measure_id = filed.case.code, filed.formatted, filed.case.measures[0].id
        s.commit()

    with (
        casework_server(settings, tmp_path / "cw", tmp_path / "casework.log") as casework,
        intake_server(settings, tmp_path / "in", tmp_path / "intake.log") as (intake, _proc),
    ):
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, head.officer.username, head.password, head.totp_secret)

        # The measure: denied (internal), then the complainant is told why (RG 5.1)
        page.goto(f"{casework}/denuncias/{code}/medidas/{measure_id}")
        assert page.locator("#measure-act-deny textarea[name=notice]").count() == 0
        _submit(page, "measure-act-deny", INTERNAL)
        _submit(page, "measure-act-notify_complainant", INTERNAL + " (aviso)", DENIED)

        # The subsanación request: what is missing, in the office's words
        page.goto(f"{casework}/denuncias/{code}")
        request = page.locator("#act-request_subsanacion")
        request.locator("input[name=missing_items][value='2']").check()
        _submit(page, "act-request_subsanacion", INTERNAL, ASKED)
        timeline = page.inner_text("section[aria-labelledby=timeline]")
        assert f"Texto para el denunciante: {ASKED}" in timeline
        assert f"Texto para el denunciante: {DENIED}" in timeline
        assert INTERNAL in timeline  # the office reads its reasoning, apart
        context.close()

        context, page = phone_page(browser)
        followup_login(page, intake, receipt)
        assert ASKED in page.inner_text("[data-testid=subsanacion]")
        text = page.inner_text("main")
        after = text.split("Se le comunicó la decisión sobre la medida", 1)[1][:400]
        assert DENIED in after
        assert "INTERNO" not in page.content()
        context.close()

"""The forms no other end-to-end test sends, each submitted once in Debian's Chromium through
the browser's own validation (issue 12: "every form of both apps"): an administrator creates,
deactivates, reactivates and resets an account and deletes a non-working day; the new officer
enrols TOTP and changes the one-time password; the head grants a key, assigns a case, writes to
the complainant, keeps a note, records a refused identity request and a later protection
request, then closes every session; the officer receives the key; a complainant cancels
evidence on its review page. tests/conftest.py fails a whole end-to-end run when a POST route
of either app was never reached by a browser's form (tests/form_coverage.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from servers import casework_server
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import officers
from core.law.enums import Role
from core.storage.models import CaseEvent
from core.storage.models import Measure
from core.storage.models import Message
from core.storage.models import NonWorkingDay
from core.storage.models import Note
from core.storage.models import Officer

pytestmark = pytest.mark.e2e


_LAST_STEP: dict[str, int] = {}


def _totp(secret: str) -> str:
    """A code for a step this secret has not used yet (a used step is refused, by design):
    the current one, else the next, which the server also accepts; else wait for it."""
    while True:
        current = officers.totp_step(dt.datetime.now(dt.UTC))
        step = max(current, _LAST_STEP.get(secret, 0) + 1)
        if step <= current + 1:
            _LAST_STEP[secret] = step
            return officers.totp_code(secret, step)
        time.sleep(1)


def _ok(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:1500]


def test_every_remaining_form_in_chromium(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        admin = make_officer(s, settings, ent, username="admin.oii", role=Role.ADMIN)
        head = make_officer(s, settings, ent, username="jefa.oii", role=Role.HEAD)
        filed = make_case(s, settings, ent, identified=True)
        code, receipt = filed.case.code, filed.formatted
        s.add(NonWorkingDay(entity_id=ent.entity.id, day=dt.date(2027, 12, 24), reason="Prueba"))
        s.commit()

    with casework_server(settings, tmp_path / "cw", tmp_path / "casework.log") as base:
        context = browser.new_context(locale="es-PE")
        page = context.new_page()

        # The administrator: a new account, off and on again, new credentials, a day removed
        log_in(page, base, admin.officer.username, admin.password, admin.totp_secret)
        page.goto(base + "/admin/cuentas/nueva")
        page.fill("#username", "nuevo.oficial")
        page.fill("#display_name", "Nuevo Oficial")
        page.check("#role-officer")
        page.click("button:has-text('Crear cuenta')")
        _ok(page)
        page.goto(base + "/admin")
        row = page.locator("tr", has_text="nuevo.oficial")
        row.locator("button:has-text('Desactivar')").click()
        _ok(page)
        page.locator("tr", has_text="nuevo.oficial").locator("button:has-text('Activar')").click()
        _ok(page)
        page.locator("tr", has_text="nuevo.oficial").locator("button:has-text('2FA')").click()
        _ok(page)
        page.goto(base + "/admin")
        page.locator("tr", has_text="nuevo.oficial").locator(
            "button:has-text('Restablecer contraseña')"
        ).click()
        one_time = page.inner_text("code.secret").strip()
        page.goto(base + "/admin/dias-no-laborables")
        page.locator("tr", has_text="2027").locator("button").click()
        _ok(page)
        page.locator("header form button[type=submit]").click()  # log out (auth.logout)
        page.wait_for_load_state()

        # The new officer: first login with the one-time password, TOTP enrolment, new password
        page.goto(base + "/login")
        page.fill("#username", "nuevo.oficial")
        page.fill("#password", one_time)
        page.locator("form button[type=submit]").click()
        page.wait_for_selector("code.secret", timeout=90_000)
        secret = page.inner_text("code.secret").strip().replace(" ", "")
        page.fill("#code", _totp(secret))
        page.click("button:has-text('Confirmar y continuar')")
        page.wait_for_selector("#new_password", timeout=90_000)
        new_password = "caballo correcto batería grapa 2027"
        page.fill("#current_password", one_time)
        page.fill("#new_password", new_password)
        page.fill("#confirm_password", new_password)
        page.click("button:has-text('Guardar contraseña')")
        _ok(page)
        context.close()

        # The head: a key granted, the case assigned, a message, a note, a refused identity
        # request, a later protection request, then every session closed
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, base, head.officer.username, head.password, head.totp_secret)
        page.goto(base + "/llaves")
        page.select_option("#officer_id", label="nuevo.oficial · Oficial de la OII")
        page.click("button:has-text('Generar código de concesión')")
        grant_code = page.inner_text("code.secret").strip()
        page.goto(f"{base}/denuncias/{code}")
        page.select_option("#officer_id", label="Nuevo Oficial")
        page.click("button:has-text('Asignar')")
        _ok(page)
        page.fill("#message", "Gracias por su denuncia; la estamos verificando.")
        page.click("button:has-text('Enviar mensaje')")
        _ok(page)
        page.fill("#note", "Revisar el expediente de contratación.")
        page.click("button:has-text('Guardar nota')")
        _ok(page)
        page.fill("#refusal_statement", "El gerente pidió por teléfono el nombre; se denegó.")
        page.click("button:has-text('Registrar denegación')")
        _ok(page)
        page.goto(f"{base}/denuncias/{code}/medidas")
        page.select_option("#type", "reserva_identidad")
        page.fill("#reasoning", "La denunciante lo pidió por escrito a la Oficina.")
        page.click("button:has-text('Registrar solicitud')")
        _ok(page)
        page.goto(base + "/cuenta")
        page.click("button:has-text('Cerrar sesión en todos los equipos')")
        page.wait_for_url(lambda url: "/login" in url, timeout=90_000)
        context.close()

        # The officer receives the key with the grant code and their password
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        with Session(clean_engine) as s:
            nuevo = s.scalars(select(Officer).where(Officer.username == "nuevo.oficial")).one()
        page.goto(base + "/login")
        page.fill("#username", "nuevo.oficial")
        page.fill("#password", new_password)
        page.locator("form button[type=submit]").click()
        page.wait_for_selector("#code", timeout=90_000)
        page.fill("#code", _totp(secret))
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url, timeout=90_000)
        page.goto(base + "/llaves/recibir")
        page.fill("#code", grant_code)
        page.fill("#password", new_password)
        page.click("button:has-text('Recibir llave')")
        _ok(page)
        context.close()

    with Session(clean_engine) as s:
        assert s.get(Officer, nuevo.id).active  # type: ignore[union-attr]
        assert s.scalars(select(NonWorkingDay)).all() == []
        assert s.scalars(select(Note)).all() and s.scalars(select(Message)).all()
        assert any(m.type.value == "reserva_identidad" for m in s.scalars(select(Measure)))
        assert s.scalars(
            select(CaseEvent).where(CaseEvent.kind == "identity_request_refused")
        ).all()

    # A complainant adds evidence, looks at its review and cancels it
    with intake_server(settings, tmp_path / "in", tmp_path / "intake.log") as (intake, _proc):
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(intake + "/seguimiento")
        page.fill("input[name=receipt]", receipt)
        page.click("text=Ingresar")
        page.set_input_files(
            "input[type=file]",
            [{"name": "nota.txt", "mimeType": "text/plain", "buffer": b"una nota mas"}],
        )
        page.click("form:has(input[type=file]) button[type=submit]")
        assert "nota.txt" in page.inner_text("main")
        page.click("button:has-text('Cancelar')")
        page.wait_for_load_state()
        assert "Revise los archivos" not in page.inner_text("main")
        context.close()

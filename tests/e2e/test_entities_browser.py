"""Issue 13 in a real browser (Debian Chromium): a complainant with JavaScript off finds the
entity by typing part of its name in the directory and files there; the platform operator
disables an entity from the casework page, and its address then says so."""

from __future__ import annotations

import pytest
from browser_login import log_in
from factories import make_officer
from servers import casework_server
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import Role
from core.services import entities_admin
from core.storage.models import Case
from core.storage.models import Entity

pytestmark = pytest.mark.e2e


def _onboard(settings, clean_engine):  # type: ignore[no-untyped-def]
    with Session(clean_engine, expire_on_commit=False) as s:
        made = {}
        for name, acronym, region in (
            ("Ministerio de Educación", "MINEDU", "Lima"),
            ("Municipalidad Distrital de Ate", "", "Lima"),
            ("Gobierno Regional de Piura", "GORE Piura", "Piura"),
        ):
            onboarded = entities_admin.add_entity(
                s, settings, name=name, acronym=acronym, region=region
            )
            made[name] = onboarded.keys
        s.commit()
    return made


def test_complainant_finds_the_entity_and_files_there(browser, settings, clean_engine, tmp_path):  # type: ignore[no-untyped-def]
    made = _onboard(settings, clean_engine)
    minedu = made["Ministerio de Educación"].entity
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        # Given several offices on one channel: the landing page leads to the directory
        page.goto(base + "/")
        page.click("text=Buscar la entidad ante la que denuncia")
        page.wait_for_load_state("load")
        # When the person types part of the name, without accents, and searches
        page.fill("#q", "educacion")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("load")
        results = page.inner_text("main")
        assert "Ministerio de Educación" in results
        assert "Piura" not in results and "Ate" not in results
        # Then they reach its own address and the form with that entity chosen
        page.click("text=Ministerio de Educación")
        page.wait_for_load_state("load")
        assert page.url.endswith("/e/ministerio-de-educacion/")
        page.click("text=Presentar una denuncia ante esta entidad")
        page.wait_for_load_state("load")
        assert "Entidad: Ministerio de Educación" in page.inner_text("main")
        assert page.locator("select[name=entity]").count() == 0
        page.check("input[name=modality][value=anonima]")
        page.check("input[name=motives][value=contratacion_irregular]")
        page.fill("#facts", "Compra de textos escolares direccionada a un proveedor.")
        page.check("#commitment")
        page.click("button[name=action][value=review]:not(.default-action)")
        page.wait_for_load_state("load")
        assert "Revise su denuncia" in page.content()
        assert "Ministerio de Educación" in page.inner_text("main")
        page.click("text=Enviar la denuncia")
        page.wait_for_load_state("load")
        code = page.inner_text(".case-code").strip()
        assert page.inner_text(".case-entity").strip() == "Ministerio de Educación"
        context.close()
    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        assert (case.entity_id, case.code) == (minedu.id, code)


def test_platform_operator_disables_an_entity(browser, settings, clean_engine, tmp_path):  # type: ignore[no-untyped-def]
    made = _onboard(settings, clean_engine)
    ate = made["Municipalidad Distrital de Ate"]
    with Session(clean_engine, expire_on_commit=False) as s:
        operator = make_officer(s, settings, ate, username="operador", role=Role.PLATFORM)
        s.commit()
    with casework_server(settings, tmp_path / "tmp-cw", tmp_path / "casework.log") as casework:
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, casework, "operador", operator.password, operator.totp_secret)
        assert page.url.endswith("/plataforma/entidades")
        assert "municipalidad-distrital-de-ate" in page.inner_text("main")
        page.click("text=Desactivar municipalidad-distrital-de-ate")
        page.wait_for_load_state("load")
        assert "ya no recibe denuncias nuevas" in page.inner_text("main")
        # Enabling goes through its own form (Piura, disabled and enabled again)
        page.click("text=Desactivar gobierno-regional-de-piura")
        page.wait_for_load_state("load")
        page.click("text=Activar gobierno-regional-de-piura")
        page.wait_for_load_state("load")
        assert "Gobierno Regional de Piura vuelve a recibir denuncias." in page.inner_text("main")
        # The operator reaches no case page
        assert page.goto(casework + "/bandeja").status == 403
        context.close()
    with Session(clean_engine) as s:
        states = dict(s.execute(select(Entity.slug, Entity.active)).all())
    assert states == {
        "ministerio-de-educacion": True,
        "municipalidad-distrital-de-ate": False,
        "gobierno-regional-de-piura": True,
    }
    with intake_server(settings, tmp_path / "tmp2", tmp_path / "server2.log") as (base, _proc):
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(base + "/e/municipalidad-distrital-de-ate/")
        assert "Esta entidad ya no recibe denuncias por este canal." in page.inner_text("main")
        page.goto(base + "/entidades?q=ate")
        assert "Ninguna entidad coincide" in page.inner_text("main")
        context.close()


def test_directory_and_entity_pages_pass_axe_at_360px(settings, clean_engine, tmp_path):  # type: ignore[no-untyped-def]
    from e2e.test_accessibility import Audit
    from e2e.test_accessibility import axe_available
    from e2e.test_accessibility import new_context
    from servers import launch_chromium

    axe_available()
    made = _onboard(settings, clean_engine)
    with Session(clean_engine) as s:
        gone = s.get(Entity, made["Gobierno Regional de Piura"].entity.id)
        assert gone is not None
        entities_admin.set_active(s, gone, active=False, actor=None)
        s.commit()
    audit = Audit()
    with (
        launch_chromium() as browser,
        intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc),
    ):
        context = new_context(browser)
        page = context.new_page()
        for path, name in (
            ("/entidades", "directory (empty)"),
            ("/entidades?q=municipalidad", "directory (results)"),
            ("/entidades?q=hospital", "directory (no result)"),
            ("/entidades?q=educacion&lang=en", "directory (en)"),
            ("/e/ministerio-de-educacion/", "entity page"),
            ("/e/gobierno-regional-de-piura/", "disabled entity page"),
            ("/denunciar?entidad=ministerio-de-educacion", "form with the entity chosen"),
        ):
            page.goto(base + path)
            audit.run(page, name)
        context.close()
    audit.check()

"""Issue 13: an entity's own host name, as deployed. Two entities on one install; the
shipped nginx site (`integra deploy nginx --host …`) serves the intake under its own name
and the entity's. Chromium with JavaScript off opens the entity's host: the landing page
names the entity, the form has it chosen (no other office offered), and the complaint is
filed there. The install's own name still offers no preselected office."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factories import make_entity
from nginx_harness import check
from nginx_harness import main_config
from nginx_harness import running
from nginx_harness import site_for
from peers import chromium_path
from servers import CHROMIUM_ARGS
from servers import app_server
from servers import free_port
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import deploy_configs
from core.services import entities_admin
from core.storage.models import Case

pytestmark = pytest.mark.e2e

HOST = "denuncias.ate.test"


def test_an_entity_s_own_host_name_files_there(settings, clean_engine, tmp_path: Path) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad Distrital de Ate")
        piura = make_entity(s, settings, name="Gobierno Regional de Piura")
        entities_admin.set_host(s, ate.entity, HOST.upper() + ".", actor=None)
        s.commit()
    assert ate.entity.host == HOST
    prefix = tmp_path / "nginx"
    port, onion_port = free_port(), free_port()
    env = {"INTEGRA_TRUSTED_PROXIES": "1", "INTEGRA_APP": "intake"}
    with app_server(
        "reporting", settings, tmp_path / "app-tmp", tmp_path / "intake.log", workers=1,
        gunicorn_config=deploy_configs.GUNICORN_CONF, extra_env=env,
    ) as (intake, _proc):  # fmt: skip
        site = site_for(
            prefix, intake=intake.removeprefix("http://"), casework="127.0.0.1:9", port=port,
            onion_port=onion_port, entity_hosts=(HOST,),
        )  # fmt: skip
        assert f"server_name intake.test {HOST};" in site
        conf = main_config(prefix, site)
        assert check(conf, prefix).returncode == 0

        from playwright.sync_api import sync_playwright

        with running(conf, prefix, port), sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium_path(),
                args=[
                    *CHROMIUM_ARGS,
                    f"--host-resolver-rules=MAP intake.test 127.0.0.1, MAP {HOST} 127.0.0.1",
                ],
            )
            context = browser.new_context(
                java_script_enabled=False, ignore_https_errors=True, locale="es-PE",
                viewport={"width": 360, "height": 740},
            )  # fmt: skip
            page = context.new_page()
            # The install's own name: no office chosen for the person.
            page.goto(f"https://intake.test:{port}/")
            assert "Ante:" not in page.inner_text("main")
            page.goto(f"https://intake.test:{port}/denunciar")
            assert page.locator("select[name=entity] option[selected]").count() == 0
            # The entity's own name: its landing page, and its form.
            page.goto(f"https://{HOST}:{port}/")
            assert "Ante: Municipalidad Distrital de Ate" in page.inner_text("main")
            page.click("text=Presentar una denuncia")
            assert page.url.startswith(f"https://{HOST}:{port}/denunciar")
            html = page.content()
            assert piura.entity.name not in html
            page.check("input[name=motives][value=contratacion_irregular]")
            page.fill("#facts", "El gerente municipal direccionó la compra de combustible.")
            page.check("#commitment")
            page.click("button[name=action][value=review]:not(.default-action)")
            assert "Revise su denuncia" in page.content()
            assert "Municipalidad Distrital de Ate" in page.inner_text("main")
            page.click("text=Enviar la denuncia")
            assert re.search(r"[0-9A-Z]{4}", page.inner_text("#receipt"))
            context.close()
            browser.close()
    with Session(clean_engine) as s:
        (case,) = s.scalars(select(Case)).all()
        assert case.entity_id == ate.entity.id

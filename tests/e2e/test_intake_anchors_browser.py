"""Issue 12: after "Añadir otra persona" or "Adjuntar", the complaint form comes back where
the person was (a fragment on the button's own action), not at the top of a long page, on a
phone-sized screen with JavaScript off; nothing typed is lost."""

from __future__ import annotations

import pytest
from factories import make_entity
from servers import intake_server
from servers import phone_page
from sqlalchemy.orm import Session

pytestmark = pytest.mark.e2e


def _in_view(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    box = page.locator(selector).bounding_box()  # relative to the viewport
    height = page.viewport_size["height"]
    return box is not None and 0 <= box["y"] < height and box["y"] + min(box["height"], 40) > 0


def test_adding_a_person_or_a_file_returns_to_it(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        make_entity(s, settings)
        s.commit()
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context, page = phone_page(browser)
        page.goto(base + "/denunciar")
        page.wait_for_load_state("load")
        rows = page.locator("fieldset.person").count()
        page.fill("#facts", "El jefe de logística direccionó la compra.")
        page.fill("#persons-0-post", "Jefe de logística")
        page.click("text=Añadir otra persona")
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/denunciar#persona-{rows + 1}")
        assert page.locator("fieldset.person").count() == rows + 1
        assert _in_view(page, f"#persona-{rows + 1}")
        assert not _in_view(page, "h1")  # not the top of the form
        assert page.input_value("#facts") == "El jefe de logística direccionó la compra."
        assert page.input_value("#persons-0-post") == "Jefe de logística"

        page.set_input_files(
            "#files", [{"name": "acta.txt", "mimeType": "text/plain", "buffer": b"Acta de obra"}]
        )
        page.click("text=Adjuntar los archivos elegidos")
        page.wait_for_load_state("load")
        assert page.url.endswith("/denunciar#adjuntos")
        assert _in_view(page, "#adjuntos")
        assert "acta.txt" in page.inner_text("ul.files")
        assert page.input_value("#facts") == "El jefe de logística direccionó la compra."
        context.close()

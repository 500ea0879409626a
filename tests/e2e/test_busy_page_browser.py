"""The "service busy, your complaint is safe" page in a real browser (Debian Chromium,
JavaScript off): a person files while every argon2id slot is taken, sees the Spanish notice
with everything typed and attached still there, and files with one more click once a slot is
free (issue 10, deliverable 2).

The intake runs in a thread of this process (werkzeug's threaded server on loopback), so that
the test can hold the process's argon2id slots itself, as a flood of filings would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from factories import make_entity
from servers import free_port
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from core.services import receipt_keys
from core.storage.models import Case
from reporting import create_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def threaded_intake(settings, clean_engine) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(settings, engine=clean_engine)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_busy_page_keeps_everything_and_files_on_the_next_click(
    browser, settings, clean_engine, threaded_intake, monkeypatch
):
    monkeypatch.setattr(receipt_keys, "KDF_WAIT_SECONDS", 0.3)
    with Session(clean_engine) as s:
        make_entity(s, settings)
        s.commit()
    context = browser.new_context(
        java_script_enabled=False, locale="es-PE", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto(threaded_intake + "/denunciar")
    page.wait_for_load_state("load")
    page.check("input[name=motives][value=contratacion_irregular]")
    page.fill("#facts", "Cobros indebidos en la ventanilla de licencias, canario ocupado-4417.")
    page.fill("#persons-0-post", "Cajero de licencias")
    page.set_input_files(
        "#files",
        [{"name": "boletas.txt", "mimeType": "text/plain", "buffer": b"boletas de pago"}],
    )
    page.check("#commitment")
    page.click("button[name=action][value=review]:not(.default-action)")
    assert "Revise su denuncia" in page.content()

    # A flood holds every argon2id slot of the process when the person sends.
    gate = receipt_keys.kdf_gate(settings)
    held = 0
    while gate.acquire(blocking=False):
        held += 1
    assert held == settings.kdf_concurrency
    try:
        page.click('button:has-text("Enviar la denuncia")')
        main = page.inner_text("main")
        assert "Su denuncia está a salvo" in main
        assert "ocupado-4417" in main and "boletas.txt" in main  # nothing typed or attached lost
        with Session(clean_engine) as s:
            assert s.scalars(select(Case)).first() is None
    finally:
        for _ in range(held):
            gate.release()

    # A minute later, the same button on the same page files the complaint.
    page.click('button:has-text("Enviar la denuncia")')
    assert len(page.inner_text("#receipt").strip()) == 19
    context.close()
    with Session(clean_engine) as s:
        (case,) = s.scalars(select(Case)).all()
        assert len(case.attachments) == 1

"""The printable case file in Debian's Chromium (issue 12): printed to PDF (page.pdf) it is
paginated, A4, each part on a new page with the case on every page; an ordinary officer's copy
carries no trace of the complainant's identity, the head's carries it after the vault's form
(legal basis and statement, submitted through the browser's own validation)."""

from __future__ import annotations

import io

import pytest
from browser_login import log_in
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from pypdf import PdfReader
from servers import casework_server
from sqlalchemy.orm import Session

from core.law.enums import Role

pytestmark = pytest.mark.e2e

CANARIES = ("Rosa Quispe Mamani", "40000001", "rosa@example.org")  # tests/case_factory.py


def _pdf(page) -> tuple[int, str, tuple[float, float]]:  # type: ignore[no-untyped-def]
    reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    # Words as printed, lines joined (a long text wraps where the page ends).
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    box = reader.pages[0].mediabox
    return len(reader.pages), text, (float(box.width), float(box.height))


def test_the_case_file_prints_paginated_and_the_identity_only_for_the_head(
    browser, settings, clean_engine, tmp_path
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        officer = make_officer(s, settings, ent, username="ana.exp", role=Role.OFFICER)
        head = make_officer(s, settings, ent, username="jefa.exp", role=Role.HEAD)
        code = make_case(s, settings, ent, identified=True).case.code
        s.commit()

    with casework_server(settings, tmp_path / "cw", tmp_path / "casework.log") as base:
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, base, officer.officer.username, officer.password, officer.totp_secret)
        page.goto(f"{base}/denuncias/{code}")
        page.click("text=Expediente para imprimir")
        assert page.locator("#expediente-identity").count() == 0
        pages, text, (width, height) = _pdf(page)
        # A4 (595 x 842 pt); the cover and four parts, each part on a new page.
        assert (round(width), round(height)) == (595, 842)
        assert pages >= 5
        # The case and the reserve head every page (@page margin boxes).
        assert text.count(f"Expediente {code} · Entidad de Prueba") == pages
        assert text.count("RESERVADO (D. Leg. 1327, art. 6.1)") == pages
        assert f"{pages} / {pages}" in text  # page numbers from @page
        assert "direccionó la compra de combustible" in text
        for canary in CANARIES:
            assert canary not in text
        context.close()

        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        log_in(page, base, head.officer.username, head.password, head.totp_secret)
        page.goto(f"{base}/denuncias/{code}/expediente")
        form = page.locator("#expediente-identity")
        form.locator("button[type=submit]").click()  # the browser refuses: nothing chosen
        assert page.locator("[data-testid=expediente-identity]").count() == 0
        form.locator("select[name=legal_basis]").select_option("aclaraciones")
        form.locator("textarea[name=statement]").fill("Remisión del expediente a la Procuraduría.")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("[data-testid=expediente-identity]")
        head_pages, head_text, _size = _pdf(page)
        assert head_pages >= pages
        for canary in CANARIES:
            assert canary in head_text
        assert "Remisión del expediente" in head_text  # the access is itself an act on file
        context.close()

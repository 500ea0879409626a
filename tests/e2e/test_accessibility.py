"""Accessibility audit with axe-core (WCAG 2.0/2.1 A and AA) of every page a complainant sees
on the public intake, and of the casework login, in Debian Chromium at 360 x 740 px.

The pages never need JavaScript (Tor Browser "Safest"); the browser context enables it only so
that axe can run, and a separate check keeps every page free of <script> tags. axe-core comes
from npm, pinned by tests/e2e/a11y/package-lock.json (`npm ci --prefix tests/e2e/a11y`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from factories import make_entity
from peers import require_peer
from servers import casework_server
from servers import intake_server
from servers import launch_chromium
from sqlalchemy.orm import Session

pytestmark = pytest.mark.e2e

AXE_JS = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
FAILING_IMPACTS = {"critical", "serious", "moderate"}
# Rules whose moderate findings are accepted, with the reason. (Serious and critical ones of
# the same rules would still fail.) Empty: nothing is excluded today.
EXCLUDED_MODERATE_RULES: dict[str, str] = {}


def axe_available() -> None:
    require_peer(
        "axe-core",
        AXE_JS.is_file(),
        "run `npm ci --prefix tests/e2e/a11y` to install the pinned axe-core",
    )


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    axe_available()
    with launch_chromium() as b:
        yield b


def new_context(browser):  # type: ignore[no-untyped-def]
    # JavaScript on, and the pages' CSP (default-src 'none') bypassed, only so that the
    # injected axe can run; the pages themselves carry no script (checked in Audit.run).
    return browser.new_context(
        java_script_enabled=True,
        bypass_csp=True,
        locale="es-PE",
        viewport={"width": 360, "height": 740},
    )


class Audit:
    """Collects axe results and page-level checks for each named page."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.pages: list[str] = []

    def run(self, page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        self.pages.append(name)
        found: list[str] = []
        scripts = page.evaluate("document.querySelectorAll('script').length")
        if scripts:
            found.append(f"page has {scripts} <script> element(s); it must work without JS")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            found.append(f"page scrolls sideways at 360 px (scrollWidth {width})")
        # axe 4.10 no longer reports duplicate ids (WCAG 2.2 dropped 4.1.1), but a duplicate
        # id breaks label for=, aria-describedby and the error summary's links.
        duplicates = page.evaluate(
            """() => { const seen = {}; for (const e of document.querySelectorAll('[id]'))
                 seen[e.id] = (seen[e.id] || 0) + 1;
               return Object.keys(seen).filter(id => seen[id] > 1); }"""
        )
        if duplicates:
            found.append(f"duplicate ids: {duplicates}")
        # Every link of the error summary leads to something on the page.
        dangling = page.evaluate(
            """() => [...document.querySelectorAll('.error-summary a[href^="#"]')]
                 .map(a => a.getAttribute('href').slice(1))
                 .filter(id => !document.getElementById(id))"""
        )
        if dangling:
            found.append(f"error summary links to missing ids: {dangling}")
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        for v in result["violations"]:
            impact = v.get("impact")
            if impact not in FAILING_IMPACTS:
                continue
            if impact == "moderate" and v["id"] in EXCLUDED_MODERATE_RULES:
                continue
            targets = [", ".join(map(str, n["target"])) for n in v["nodes"]]
            found.append(f"[{impact}] {v['id']}: {v['help']} -> {targets}")
        if found:
            self.problems[name] = found

    def check(self) -> None:
        if self.problems:
            lines = [f"{name}:\n  " + "\n  ".join(items) for name, items in self.problems.items()]
            pytest.fail("accessibility violations\n" + "\n".join(lines), pytrace=False)


def test_intake_pages_pass_axe_at_360px(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        make_entity(s, settings)
        s.commit()
    audit = Audit()
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context = new_context(browser)
        page = context.new_page()
        page.goto(base + "/")
        audit.run(page, "landing (es)")
        page.goto(base + "/?lang=en")
        audit.run(page, "landing (en)")
        page.goto(base + "/denunciar?lang=en")
        audit.run(page, "form (en)")
        page.goto(base + "/denunciar?lang=es")
        audit.run(page, "form (es)")

        # Submitted empty: errors at the fields and the summary at the top.
        page.click("button[name=action][value=review]:not(.default-action)")
        page.wait_for_load_state("load")
        assert page.is_visible(".error-summary")
        audit.run(page, "form with errors")

        # A valid complaint with a file, to the review page.
        page.check("input[name=motives][value=contratacion_irregular]")
        page.fill("#facts", "El residente de obra firmó valorizaciones por trabajos no ejecutados.")
        page.fill("#occurred_when", "Febrero de 2026")
        page.fill("#persons-0-post", "Residente de obra")
        page.set_input_files(
            "#files",
            [{"name": "resumen.txt", "mimeType": "text/plain", "buffer": b"Gastos inflados"}],
        )
        page.check("#commitment")
        page.click("button[name=action][value=review]:not(.default-action)")
        page.wait_for_load_state("load")
        assert "resumen.txt" in page.inner_text("main")
        audit.run(page, "review")

        page.click("text=Enviar la denuncia")
        page.wait_for_load_state("load")
        receipt = page.inner_text("#receipt").strip()
        audit.run(page, "confirmation with receipt")

        # The printable acknowledgement opens in another tab, so the receipt stays on screen
        with context.expect_page() as opened:
            page.click("text=Ver el acuse para imprimir")
        tab = opened.value
        tab.wait_for_load_state("load")
        audit.run(tab, "acknowledgement")
        assert page.inner_text("#receipt").strip() == receipt
        context.close()

        context = new_context(browser)
        page = context.new_page()
        page.goto(base + "/seguimiento")
        audit.run(page, "follow-up login")
        page.click("button[type=submit]")  # empty: the error summary
        audit.run(page, "follow-up login with error")
        page.fill("input[name=receipt]", receipt)
        page.click("text=Ingresar")
        page.wait_for_load_state("load")
        assert "Historial" in page.inner_text("main")
        audit.run(page, "follow-up case")
        context.close()
    audit.check()


def test_casework_login_passes_axe_at_360px(browser, settings, clean_engine, tmp_path):
    audit = Audit()
    with casework_server(settings, tmp_path / "tmp", tmp_path / "casework.log") as base:
        context = new_context(browser)
        page = context.new_page()
        page.goto(base + "/login")
        audit.run(page, "casework login (es)")
        page.fill("#username", "nadie")
        page.fill("#password", "incorrecta")
        page.click("button[type=submit]")
        audit.run(page, "casework login with error")
        page.goto(base + "/login?lang=en")
        audit.run(page, "casework login (en)")
        context.close()
    audit.check()


def test_casework_complaint_registration_passes_axe_at_360px(
    browser, settings, clean_engine, tmp_path
):
    """Issue 11: the officer's form for a complaint received by another channel, its refusal
    and the printed acknowledgement with the receipt."""
    import datetime as dt

    from browser_login import log_in
    from factories import make_officer

    from core.law.calendar import local_day
    from core.law.enums import Role

    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        ana = make_officer(s, settings, ent, username="ana", role=Role.OFFICER)
        s.commit()
    audit = Audit()
    with casework_server(settings, tmp_path / "tmp", tmp_path / "casework.log") as base:
        context = new_context(browser)
        page = context.new_page()
        log_in(page, base, ana.officer.username, ana.password, ana.totp_secret)
        page.goto(base + "/registro-de-denuncias")
        audit.run(page, "registration form")
        page.select_option("#channel", "verbal")
        yesterday = local_day(dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
        page.fill("#received_on", yesterday.isoformat())
        page.check("input[name=modality][value=anonima]")
        page.check("input[name=motives][value=otros_actos]")
        page.click("#register-form button[type=submit]")  # no facts, no document: refused
        audit.run(page, "registration refused")
        page.fill("#facts", "Acta de denuncia verbal.")
        page.click("#register-form button[type=submit]")
        page.wait_for_selector("#receipt")
        audit.run(page, "acknowledgement with the receipt")
        context.close()
    audit.check()

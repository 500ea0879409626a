"""Statistics pages: role access, suppression in HTML and CSV, audit of exports."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import Role
from core.storage.models import AuditEntry

from .conftest import login


def _file_cases(db: Session, settings, ent, n: int) -> None:  # type: ignore[no-untyped-def]
    from case_factory import make_case

    for _ in range(n):
        make_case(db, settings, ent)
    db.commit()


def test_stats_page_renders_svg_without_style_attributes(
    casework_client, officer_factory, db, settings
):
    made = officer_factory("aud", Role.AUDITOR)
    _file_cases(db, settings, officer_factory.entity, 3)
    login(casework_client, "aud", made.password, made.totp_secret)
    page = casework_client.get("/estadisticas")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html
    assert "style=" not in html
    assert "<script" not in html
    # 3 cases: every non-zero count is suppressed
    assert "&lt;5" in html


def test_csv_export_is_suppressed_and_audited(casework_client, officer_factory, db, settings):
    made = officer_factory("jefa", Role.HEAD)
    _file_cases(db, settings, officer_factory.entity, 2)
    login(casework_client, "jefa", made.password, made.totp_secret)
    response = casework_client.get("/estadisticas.csv?desde=2026-01-01&hasta=2026-12-31")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "key", "label", "value"]
    values = {r[3] for r in rows[1:]}
    assert not values & {"1", "2", "3", "4"}
    db.expire_all()
    last = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert last.action == "stats.exported"


def test_bad_period_gives_a_clear_error(casework_client, officer_factory):
    made = officer_factory("aud", Role.AUDITOR)
    login(casework_client, "aud", made.password, made.totp_secret)
    html = casework_client.get("/estadisticas?desde=ayer").get_data(as_text=True)
    assert "AAAA-MM-DD" in html
    # The last representable days are a period end like any other, never a 500
    for url in ("/estadisticas?hasta=9999-12-31", "/estadisticas.csv?hasta=9999-12-01"):
        assert casework_client.get(url).status_code == 200, url


def test_officer_and_admin_cannot_see_stats(casework_app, officer_factory):
    for name, role in (("of", Role.OFFICER), ("adm", Role.ADMIN)):
        made = officer_factory(name, role)
        client = casework_app.test_client()
        login(client, name, made.password, made.totp_secret)
        assert client.get("/estadisticas").status_code == 403
        assert client.get("/estadisticas.csv").status_code == 403

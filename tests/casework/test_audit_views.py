"""The auditor's view of the audit log: entries, filter, chain status, no case content."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from core.law.enums import Role
from core.storage.models import AuditEntry

from .conftest import login


def test_auditor_sees_entries_and_intact_chain(casework_client, officer_factory):
    made = officer_factory("aud", Role.AUDITOR)
    login(casework_client, "aud", made.password, made.totp_secret)
    page = casework_client.get("/auditoria")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cadena íntegra" in html
    assert "login.succeeded" in html
    assert "officer.created" in html


def test_filter_by_action_and_prefix(casework_client, officer_factory):
    made = officer_factory("aud", Role.AUDITOR)
    casework_client.post("/login", data={"username": "aud", "password": "wrong"})
    login(casework_client, "aud", made.password, made.totp_secret)
    exact = casework_client.get("/auditoria?accion=login.failed").get_data(as_text=True)
    assert "<code>login.failed</code>" in exact
    assert "<code>officer.created</code>" not in exact
    prefix = casework_client.get("/auditoria?accion=login.").get_data(as_text=True)
    assert "<code>login.failed</code>" in prefix
    assert "<code>login.succeeded</code>" in prefix


def test_pagination(casework_client, officer_factory, db):
    from core.storage import audit

    made = officer_factory("aud", Role.AUDITOR)
    for i in range(60):
        audit.record(db, action="test.filler", entity_id=made.officer.entity_id, detail={"i": i})
    db.commit()
    login(casework_client, "aud", made.password, made.totp_secret)
    first = casework_client.get("/auditoria").get_data(as_text=True)
    assert "Más antiguas" in first
    last_seq = db.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    older = casework_client.get(f"/auditoria?antes={last_seq - 49}").get_data(as_text=True)
    assert "Más recientes" in older


def test_tampering_is_shown(casework_client, officer_factory, db):
    made = officer_factory("aud", Role.AUDITOR)
    db.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(detail='{"x":1}'))
    db.commit()
    login(casework_client, "aud", made.password, made.totp_secret)
    html = casework_client.get("/auditoria").get_data(as_text=True)
    assert "NO verifica" in html


def test_audit_view_is_for_auditors_and_the_head(casework_client, officer_factory):
    """Issue 12: the head of the OII reads the audit log too; an officer does not."""
    made = officer_factory("oficial", Role.OFFICER)
    login(casework_client, "oficial", made.password, made.totp_secret)
    assert casework_client.get("/auditoria").status_code == 403
    head = officer_factory("jefa", Role.HEAD)
    fresh = casework_client.application.test_client()
    login(fresh, "jefa", head.password, head.totp_secret)
    assert fresh.get("/auditoria").status_code == 200


def test_an_auditor_reads_only_their_entitys_entries(
    casework_client, officer_factory, casework_settings, clean_engine, db
):
    """Issue 13: entity B's auditor saw every entry of entity A (case views, logins, failed
    user names). Now only B's own, and no install-wide count or head."""
    from factories import make_entity
    from factories import make_officer
    from sqlalchemy.orm import Session

    from core.storage import audit

    officer_factory("jefa_a", Role.HEAD)  # entity A, its officers and their audit entries
    audit.record(db, action="test.entity_a", entity_id=officer_factory.entity.entity.id)
    db.commit()
    with Session(clean_engine, expire_on_commit=False) as s:
        other = make_entity(s, casework_settings, name="Entidad B")
        aud_b = make_officer(s, casework_settings, other, username="aud_b", role=Role.AUDITOR)
        s.commit()
    login(casework_client, "aud_b", aud_b.password, aud_b.totp_secret)
    html = casework_client.get("/auditoria").get_data(as_text=True)
    assert "login.succeeded" in html  # B's own login
    assert "test.entity_a" not in html and "jefa_a" not in html
    mine = db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.officer_id == aud_b.officer.id)
    )
    total = db.scalar(select(func.count()).select_from(AuditEntry))
    import re

    shown = int(re.search(r"Cadena íntegra: (\d+) entradas", html).group(1))  # type: ignore[union-attr]
    assert mine and mine <= shown < total


def test_entries_show_names_and_case_codes_and_filter_by_case_and_officer(
    casework_client, officer_factory, casework_settings, clean_engine, db
):
    """Issue 12, defect 9: no `officer:4`, no internal case id; filters by case, officer."""
    from case_factory import make_case
    from sqlalchemy.orm import Session

    from core.storage import audit
    from core.storage.models import Officer

    ana = officer_factory("ana", Role.OFFICER)
    ent = officer_factory.ensure_entity()
    db.execute(update(Officer).where(Officer.id == ana.officer.id).values(display_name="Ana Pérez"))
    db.commit()
    head = officer_factory("jefa", Role.HEAD)
    with Session(clean_engine, expire_on_commit=False) as s:
        first = make_case(s, casework_settings, ent).case
        second = make_case(s, casework_settings, ent).case
        s.commit()
    audit.record(
        db,
        action="case.viewed",
        officer_id=ana.officer.id,
        entity_id=ent.entity.id,
        case_id=first.id,
        detail={"case": first.id, "officer": ana.officer.id},
    )
    audit.record(db, action="case.viewed", officer_id=head.officer.id, case_id=second.id)
    db.commit()
    login(casework_client, "jefa", head.password, head.totp_secret)
    html = casework_client.get("/auditoria").get_data(as_text=True)
    assert f"officer:{ana.officer.id}" not in html
    assert "Ana Pérez (ana)" in html
    assert f"case={first.code}" in html and "officer=Ana Pérez (ana)" in html
    assert f"<td>{first.code}</td>" in html and f"<td>{second.code}</td>" in html
    by_case = casework_client.get(f"/auditoria?caso={first.code.lower()}").get_data(as_text=True)
    assert f"<td>{first.code}</td>" in by_case and f"<td>{second.code}</td>" not in by_case
    by_officer = casework_client.get(f"/auditoria?oficial={ana.officer.id}").get_data(as_text=True)
    assert f"<td>{first.code}</td>" in by_officer and f"<td>{second.code}</td>" not in by_officer
    assert "<code>login.succeeded</code>" not in by_officer  # the head's login
    both = casework_client.get(f"/auditoria?oficial={head.officer.id}&accion=case.viewed").get_data(
        as_text=True
    )
    assert f"<td>{second.code}</td>" in both and "<code>login.succeeded</code>" not in both
    unknown = casework_client.get("/auditoria?caso=D-1999-000001").get_data(as_text=True)
    assert "No hay entradas." in unknown

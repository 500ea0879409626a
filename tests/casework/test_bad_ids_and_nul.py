"""Every id and text a person can send is answered 4xx, never 5xx, on both databases: ids past
the 32-bit id columns of PostgreSQL (and past 2^63) on routes and in queries and forms, and
NUL characters, which PostgreSQL refuses in text (issue 10, deliverable 7)."""

from __future__ import annotations

import pytest
from flask import Flask

from core.law.enums import Role

from .conftest import login

BIG_IDS = [2**31, 2**31 + 7, 2**63 - 1, 2**63, 2**64 + 1, 10**30]


def _client(app: Flask, officer_factory, name: str, role: Role):  # type: ignore[no-untyped-def]
    made = officer_factory(name, role)
    client = app.test_client()
    assert login(client, name, made.password, made.totp_secret).status_code == 302
    return client


@pytest.mark.parametrize("big", BIG_IDS)
def test_admin_routes_answer_404_for_ids_no_column_holds(casework_app, officer_factory, big):
    admin = _client(casework_app, officer_factory, "admin", Role.ADMIN)
    for action in ("desactivar", "activar", "restablecer-contrasena", "restablecer-totp"):
        assert admin.post(f"/admin/cuentas/{big}/{action}").status_code == 404
    assert admin.post(f"/admin/dias-no-laborables/{big}/eliminar").status_code == 404


@pytest.mark.parametrize("big", BIG_IDS)
def test_audit_page_treats_a_huge_antes_as_absent(casework_app, officer_factory, big):
    auditor = _client(casework_app, officer_factory, "auditora", Role.AUDITOR)
    assert auditor.get(f"/auditoria?antes={big}").status_code == 200
    assert auditor.get("/auditoria?antes=-3").status_code == 200


@pytest.mark.parametrize("big", BIG_IDS)
def test_key_grant_with_a_huge_officer_id_is_a_form_error(casework_app, officer_factory, big):
    head = _client(casework_app, officer_factory, "jefa", Role.HEAD)
    resp = head.post("/llaves", data={"purpose": "office", "officer_id": str(big)})
    assert resp.status_code < 500
    assert "Elija a quién conceder la llave." in resp.get_data(as_text=True)


@pytest.mark.parametrize("big", BIG_IDS)
def test_case_routes_answer_404_for_huge_ids(casework_app, officer_factory, big):
    head = _client(casework_app, officer_factory, "jefa", Role.HEAD)
    assert head.get(f"/denuncias/D-2026-000001/adjuntos/{big}").status_code == 404
    assert head.get(f"/denuncias/D-2026-000001/medidas/{big}").status_code == 404


def test_nul_in_the_unauthenticated_login_is_not_a_500(casework_app, officer_factory):
    made = officer_factory("ana", Role.OFFICER)
    client = casework_app.test_client()
    resp = client.post("/login", data={"username": "an\x00a", "password": "x\x00y"})
    assert resp.status_code == 401
    # The NUL is dropped, not the rest of what was typed: "an\x00a" is "ana"
    resp = client.post("/login", data={"username": "an\x00a", "password": made.password})
    assert resp.status_code == 302


def test_nul_in_queries_and_paths_is_a_4xx(casework_app, officer_factory):
    head = _client(casework_app, officer_factory, "jefa", Role.HEAD)
    assert head.get("/denuncias/D-2026%00").status_code == 400
    assert head.get("/bandeja?cursor=%00abc&asignacion=%00").status_code < 500
    assert head.get("/estadisticas?desde=2026%00-01-01").status_code < 500
    auditor = _client(casework_app, officer_factory, "auditora", Role.AUDITOR)
    assert auditor.get("/auditoria?accion=login%00.&antes=1%00").status_code == 200

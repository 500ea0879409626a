"""The printable case file (issue 12): every act, message, note, measure and package hash in
one document; the complainant's identity only for the head of the OII, through the vault's
audited access; an officer's attempt refused and recorded."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.storage.models import AuditEntry
from core.storage.models import CaseEvent

from .test_cases import actions
from .test_cases import as_
from .test_cases import office  # noqa: F401 - the fixture

NAME = "Rosa Quispe Mamani"  # the identity of tests/case_factory.py


def test_an_officers_copy_has_the_file_and_never_the_identity(casework_client, office, db):  # noqa: F811
    code = office["identified"]
    client = as_(casework_client, office["officer"])
    client.post(f"/denuncias/{code}/notas", data={"body": "Nota: llamar a logística."})
    html = client.get(f"/denuncias/{code}/expediente").get_data(as_text=True)
    assert f"Expediente de la denuncia {code}" in html
    assert "direccionó la compra de combustible" in html  # the report, decrypted
    assert "2. Actos" in html and html.count('data-testid="expediente-act"') >= 1
    assert "Nota: llamar a logística." in html
    assert 'id="expediente-identity"' not in html  # no form for an officer
    assert NAME not in html and "40000001" not in html
    (entry,) = [e for e in actions(db, "case.viewed") if json.loads(e.detail)["part"] == "print"]
    assert entry.officer_id == office["officer"].officer.id
    # Asking for the identity anyway is refused and recorded.
    refused = client.post(
        f"/denuncias/{code}/expediente",
        data={"legal_basis": "aclaraciones", "statement": "Quiero verla."},
    )
    assert refused.status_code == 403 and NAME not in refused.get_data(as_text=True)
    assert len(actions(db, "identity.access_denied")) == 1
    assert not actions(db, "identity.accessed")


def test_the_heads_copy_carries_the_identity_after_an_audited_access(casework_client, office, db):  # noqa: F811
    code = office["identified"]
    client = as_(casework_client, office["head"])
    plain = client.get(f"/denuncias/{code}/expediente").get_data(as_text=True)
    assert 'id="expediente-identity"' in plain and NAME not in plain
    no_basis = client.post(f"/denuncias/{code}/expediente", data={"statement": "x"})
    assert no_basis.status_code == 422 and NAME not in no_basis.get_data(as_text=True)
    shown = client.post(
        f"/denuncias/{code}/expediente",
        data={"legal_basis": "aclaraciones", "statement": "Expediente para la Procuraduría."},
    )
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert NAME in html and "40000001" in html
    (entry,) = actions(db, "identity.accessed")
    assert entry.officer_id == office["head"].officer.id
    # The complainant is told, as for every identity access.
    assert db.scalars(select(CaseEvent).where(CaseEvent.kind == "identity_accessed")).one()
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "case.viewed")).all()


def test_an_anonymous_case_has_no_identity_to_print(casework_client, office):  # noqa: F811
    code = office["anonymous"]
    client = as_(casework_client, office["head"])
    html = client.get(f"/denuncias/{code}/expediente").get_data(as_text=True)
    assert 'id="expediente-identity"' not in html
    refused = client.post(
        f"/denuncias/{code}/expediente",
        data={"legal_basis": "aclaraciones", "statement": "Expediente."},
    )
    assert refused.status_code == 422
    assert "Esta denuncia es anónima" in refused.get_data(as_text=True)


def test_the_running_header_names_the_case_in_a_safe_css_string(casework_client, office):  # noqa: F811
    from casework.expediente_pages import _css_string

    assert _css_string('a"b\\c\nd') == '"a\\22 b\\5c c\\a d"'
    code = office["identified"]
    client = as_(casework_client, office["officer"])
    css = client.get(f"/denuncias/{code}/expediente.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert f"Expediente {code}" in css.get_data(as_text=True)

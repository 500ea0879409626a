"""argon2id runs with bounded concurrency (settings.kdf_concurrency): when every slot stays
taken, filing and follow-up login answer "the service is busy, your complaint is safe" (503,
Retry-After) and nothing typed or attached is lost (issue 10, deliverable 2)."""

from __future__ import annotations

from intake_helpers import complaint_data
from intake_helpers import file_complaint
from intake_helpers import file_review
from intake_helpers import hidden_fields
from intake_helpers import with_files
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.services import receipt_keys
from core.storage.models import Case


def _take_every_slot(app):  # type: ignore[no-untyped-def]
    gate = receipt_keys.kdf_gate(app.extensions["integra"].settings)
    taken = 0
    while gate.acquire(blocking=False):
        taken += 1
    assert taken == app.extensions["integra"].settings.kdf_concurrency
    return gate, taken


def test_a_busy_filing_keeps_the_review_page_and_files_later(app, client, session_for, monkeypatch):
    monkeypatch.setattr(receipt_keys, "KDF_WAIT_SECONDS", 0.05)
    client.get("/denunciar")
    data = complaint_data(facts="Hechos del canario ocupado-7731, con todo el detalle necesario.")
    review = file_review(client, with_files(data, [("prueba.txt", b"evidencia importante")]))
    gate, taken = _take_every_slot(app)
    try:
        busy = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(review)))
    finally:
        for _ in range(taken):
            gate.release()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
    html = busy.get_data(as_text=True)
    assert "Su denuncia está a salvo" in html
    assert "ocupado-7731" in html and "prueba.txt" in html  # everything typed and attached
    assert session_for.scalar(select(func.count()).select_from(Case)) == 0
    # A minute later the same page sends: one complaint, with its file
    done = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(html)))
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    assert 'id="receipt"' in done.get_data(as_text=True)
    (case,) = session_for.scalars(select(Case))
    assert len(case.attachments) == 1


def test_a_busy_followup_login_says_so_and_then_opens(app, client, monkeypatch):
    monkeypatch.setattr(receipt_keys, "KDF_WAIT_SECONDS", 0.05)
    receipt, _ = file_complaint(client)
    gate, taken = _take_every_slot(app)
    try:
        busy = client.post("/seguimiento", data={"receipt": receipt})
    finally:
        for _ in range(taken):
            gate.release()
    assert busy.status_code == 503
    assert "muy ocupado" in busy.get_data(as_text=True)
    assert client.post("/seguimiento", data={"receipt": receipt}).status_code == 303

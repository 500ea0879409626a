"""The intake answers NUL characters and out-of-range ids with 4xx or a kept form, never 5xx
(PostgreSQL refuses NUL in text; its id columns are 32-bit)."""

from __future__ import annotations

import pytest
from intake_helpers import complaint_data
from intake_helpers import file_complaint


def test_nul_in_the_complaint_is_dropped_and_the_rest_kept(client):
    client.get("/denunciar")
    data = complaint_data()
    data["facts"] = "Hechos con un carácter\x00 nulo en medio, y el resto del relato."
    resp = client.post("/denunciar", data=data)
    assert resp.status_code < 500
    assert "carácter nulo en medio" in resp.get_data(as_text=True)


def test_nul_in_a_receipt_or_path_is_a_4xx(client):
    resp = client.post("/seguimiento", data={"receipt": "7KQF-9M2X\x00-C4TR-H8WN"})
    assert resp.status_code == 422
    assert client.get("/seguimiento%00").status_code in (400, 404)


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_huge_log_proof_ids_are_404(client, big):
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    assert client.get(f"/seguimiento/registro/{big}.tlog-proof").status_code == 404

"""Issue 12, the complainant's follow-up page: the measures they asked for and their status,
and "Ver mi denuncia" with everything sent
(modality, motives, identity under reserve, measures, files with names and hashes)."""

from __future__ import annotations

import hashlib

from intake_helpers import complaint_data
from intake_helpers import file_complaint
from intake_helpers import with_files

NOTE = b"acta de conformidad firmada"


def _identified(**extra):  # type: ignore[no-untyped-def]
    return complaint_data(
        modality="con_reserva",
        full_name="Ana Ríos Paredes",
        document_number="40000002",
        email="ana@example.org",
        motives=["contratacion_irregular", "favorecimiento_soborno"],
        **extra,
    )


def test_my_report_shows_everything_sent(client, ent):
    data = with_files(
        _identified(
            protection_measures=["traslado_denunciante", "otra"],
            protection_other="Que otra jefatura me evalúe.",
            protection_risk="Mi jefe me cambió de turno.",
        ),
        [("acta.txt", NOTE)],
    )
    receipt, _ = file_complaint(client, data)
    client.post("/seguimiento", data={"receipt": receipt})
    case_page = client.get("/seguimiento").get_data(as_text=True)
    assert "Ver mi denuncia" in case_page
    page = client.get("/seguimiento/denuncia").get_data(as_text=True)
    assert "Con reserva de identidad" in page
    assert "Contratación pública irregular" in page
    assert "Ana Ríos Paredes" in page and "40000002" in page and "ana@example.org" in page
    assert "Traslado temporal del denunciante" in page
    assert "Que otra jefatura me evalúe." in page and "Mi jefe me cambió de turno." in page
    assert "acta.txt" in page
    assert hashlib.sha256(NOTE).hexdigest() in page  # the hash the acuse signs


def test_my_report_of_an_anonymous_filing_has_no_identity(client, ent):
    receipt, _ = file_complaint(client, complaint_data())
    client.post("/seguimiento", data={"receipt": receipt})
    page = client.get("/seguimiento/denuncia").get_data(as_text=True)
    assert "Anónima" in page
    assert 'data-testid="identity"' not in page
    assert "No adjuntó archivos." in page


def test_the_case_page_lists_the_measures_asked_and_their_status(client, ent):
    receipt, _ = file_complaint(
        client, _identified(protection_measures=["reserva_identidad", "traslado_denunciante"])
    )
    client.post("/seguimiento", data={"receipt": receipt})
    page = client.get("/seguimiento").get_data(as_text=True)
    section = page.split('data-testid="measures"', 1)[1].split("</table>", 1)[0]
    # RG 5.2: identity reserve is in force at once; the transfer awaits the decision.
    assert "<td>Reserva de identidad</td><td>vigente</td>" in section
    assert "<td>Traslado temporal del denunciante</td><td>solicitada</td>" in section

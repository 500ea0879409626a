"""The sealed report and identity documents: one writer, one reader, today's bytes.

The literals below are documents exactly as `core.services.intake` wrote them before the
typed documents existed (compact JSON, sorted keys, Padmé padding): a case filed then must
still open, and a case filed now must be stored byte for byte the same way.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import documents
from core.services.documents import ComplainantIdentity
from core.services.documents import ProtectionRequest
from core.services.documents import ReportDocument
from core.services.documents import ReportedPerson
from core.storage.padding import padme

STORED_REPORT = (
    '{"commitment":true,"documents_location":"Archivo","facts":"Direccionó la compra '
    'de combustible.\\nCon \\"comillas\\" y ñ.","filed_at":"2026-03-02T15:00:12.345678+0'
    '0:00","format":"integra-report/v1","identified":true,"modality":"con_reserva","m'
    'otives":["contratacion_irregular","apropiacion_recursos"],"occurred_when":"Enero'
    ' de 2026","occurred_where":"Sede central","persons_reported":[{"name":"","post":'
    '"Jefe de Logística"},{"name":"Juan Pérez","post":""}],"protection":{"measures":['
    '"reserva_identidad"],"risk":"Temo represalias."},"witnesses":""}'
).encode() + b" " * 28
STORED_IDENTITY = (
    b'{"address":"","document_number":"40000001","document_type":"DNI","email":"",'
    b'"format":"integra-identity/v1","full_name":"Rosa Quispe Mamani","phone":"999888777"}'
)
STORED_ANONYMOUS = (
    b'{"commitment":false,"documents_location":"","facts":"x",'
    b'"filed_at":"2026-03-02T15:00:12.345678+00:00","format":"integra-report/v1",'
    b'"identified":false,"modality":"anonima","motives":["contratacion_irregular"],'
    b'"occurred_when":"","occurred_where":"","persons_reported":[],"protection":null,'
    b'"witnesses":""}  '
)
FILED_AT = dt.datetime(2026, 3, 2, 15, 0, 12, 345678, tzinfo=dt.UTC)

REPORT = ReportDocument(
    filed_at=FILED_AT,
    modality=Modality.RESERVED,
    motives=(Motive.IRREGULAR_PROCUREMENT, Motive.MISUSE_OF_RESOURCES),
    facts='Direccionó la compra de combustible.\nCon "comillas" y ñ.',
    occurred_when="Enero de 2026",
    occurred_where="Sede central",
    persons_reported=(
        ReportedPerson(name="", post="Jefe de Logística"),
        ReportedPerson(name="Juan Pérez"),
    ),
    witnesses="",
    documents_location="Archivo",
    commitment=True,
    identified=True,
    protection=ProtectionRequest(
        measures=(MeasureType.IDENTITY_RESERVE,), risk="Temo represalias."
    ),
)
IDENTITY = ComplainantIdentity(
    full_name="Rosa Quispe Mamani", document_number="40000001", phone="999888777"
)


def test_a_stored_report_reads_into_its_fields():
    assert documents.read_report(STORED_REPORT) == REPORT


def test_a_stored_anonymous_report_reads_without_protection():
    report = documents.read_report(STORED_ANONYMOUS)
    assert report.modality is Modality.ANONYMOUS
    assert report.motives == (Motive.IRREGULAR_PROCUREMENT,)
    assert report.persons_reported == ()
    assert report.protection is None
    assert report.identified is False


def test_the_writer_stores_the_same_bytes_as_before():
    sealed = documents.seal_report(REPORT)
    assert sealed == STORED_REPORT
    assert len(sealed) == padme(len(sealed.rstrip(b" ")))
    assert documents.seal_identity(IDENTITY) == STORED_IDENTITY


def test_a_stored_identity_reads_into_its_fields():
    assert documents.read_identity(STORED_IDENTITY) == IDENTITY


def test_writer_and_reader_round_trip():
    assert documents.read_report(documents.seal_report(REPORT)) == REPORT
    assert documents.read_identity(documents.seal_identity(IDENTITY)) == IDENTITY


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(DomainError):
        documents.read_report(b"[1, 2]")
    with pytest.raises(DomainError):
        documents.read_identity(b'"Rosa"')

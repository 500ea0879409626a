"""The identity vault: head-only access with a stated basis, always audited and shown to the
complainant; refusals of requests for the identity reported to the OCI (RG 3.4)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from sqlalchemy import select

import crypto
from core.errors import NotFound
from core.law.enums import Destination
from core.law.enums import Role
from core.services import vault
from core.services.case_records import WrongEntity
from core.storage import audit
from core.storage.models import AuditEntry
from core.storage.models import CaseEvent
from core.storage.models import Forwarding
from core.storage.padding import unpad_text

NOW = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)
STATEMENT = "Oficio 123-2026-ORH: ejecutar el traslado temporal solicitado. CANARY-BASIS"


@pytest.fixture
def world(db_session, settings):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings, pq=False)
    head = make_officer(db_session, settings, ent, username="jefa", role=Role.HEAD).officer
    officer = make_officer(db_session, settings, ent, username="oficial").officer
    receipt = make_case(db_session, settings, ent, identified=True)
    return ent, head, officer, receipt.case


def office(ent):  # type: ignore[no-untyped-def]
    return [crypto.parse_recipient(ent.entity.office_recipient)]


def test_head_reads_identity_after_stating_basis(db_session, world):
    ent, head, _, case = world

    identity = vault.access_identity(
        db_session,
        case,
        officer=head,
        vault_identities=[ent.vault],
        legal_basis=vault.LegalBasis.MEASURE_EXECUTION,
        statement=STATEMENT,
        now=NOW,
        office_recipients=office(ent),
    )

    assert identity.full_name == "Rosa Quispe Mamani"
    event = db_session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "identity_accessed")
    ).one()
    # The complainant sees that (and on what kind of basis) their identity was read.
    assert event.visible_to_complainant
    assert event.data == {"legal_basis": "ejecucion_medidas"}
    # The stated text is sealed to the office, not in clear anywhere.
    assert unpad_text(crypto.decrypt(event.reasoning_sealed, [ent.office])) == STATEMENT
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "identity.accessed")
    ).one()
    detail = json.loads(entry.detail)
    assert detail == {"event_id": event.id, "legal_basis": "ejecucion_medidas"}
    assert entry.officer_id == head.id and entry.case_id == case.id
    for row in db_session.scalars(select(AuditEntry)):
        assert "CANARY-BASIS" not in row.detail and "Rosa" not in row.detail
    audit.verify_chain(db_session)


def test_non_head_officer_is_refused_and_nothing_is_recorded(db_session, world):
    ent, _, officer, case = world
    with pytest.raises(vault.IdentityAccessRefused) as err:
        vault.access_identity(
            db_session,
            case,
            officer=officer,
            vault_identities=[ent.vault],
            legal_basis=vault.LegalBasis.OTHER,
            statement=STATEMENT,
            now=NOW,
            office_recipients=office(ent),
        )
    assert err.value.code == "head_role_required"
    assert not db_session.scalars(
        select(CaseEvent).where(CaseEvent.kind == "identity_accessed")
    ).all()


def test_unauthorised_attempt_is_audited(db_session, world):
    _, _, officer, case = world
    vault.refuse_unauthorised_attempt(db_session, case, officer=officer, now=NOW)
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "identity.access_denied")
    ).one()
    assert json.loads(entry.detail) == {"role": "officer"}


@pytest.mark.parametrize("statement", ["", "   \n "])
def test_basis_statement_is_required(db_session, world, statement):
    ent, head, _, case = world
    with pytest.raises(vault.IdentityAccessRefused) as err:
        vault.access_identity(
            db_session,
            case,
            officer=head,
            vault_identities=[ent.vault],
            legal_basis=vault.LegalBasis.CLARIFICATION,
            statement=statement,
            now=NOW,
            office_recipients=office(ent),
        )
    assert err.value.code == "legal_basis_required"


def test_anonymous_complaint_has_no_identity(db_session, settings, world):
    ent, head, _, _ = world
    anonymous = make_case(db_session, settings, ent).case
    with pytest.raises(NotFound):
        vault.access_identity(
            db_session,
            anonymous,
            officer=head,
            vault_identities=[ent.vault],
            legal_basis=vault.LegalBasis.CLARIFICATION,
            statement=STATEMENT,
            now=NOW,
            office_recipients=office(ent),
        )


def test_head_of_another_entity_is_refused(db_session, settings, world):
    ent, _, _, case = world
    other = make_entity(db_session, settings, name="Otra", pq=False)
    outsider = make_officer(db_session, settings, other, username="otro", role=Role.HEAD).officer
    with pytest.raises(WrongEntity):
        vault.access_identity(
            db_session,
            case,
            officer=outsider,
            vault_identities=[other.vault],
            legal_basis=vault.LegalBasis.OTHER,
            statement=STATEMENT,
            now=NOW,
            office_recipients=office(ent),
        )


def test_office_key_cannot_open_the_identity(db_session, world):
    ent, head, _, case = world
    with pytest.raises(crypto.NoIdentityMatch):
        vault.access_identity(
            db_session,
            case,
            officer=head,
            vault_identities=[ent.office],
            legal_basis=vault.LegalBasis.OTHER,
            statement=STATEMENT,
            now=NOW,
            office_recipients=office(ent),
        )


@pytest.mark.parametrize(
    ("report_to", "destination", "name"),
    [
        (vault.ReportTo.OCI, Destination.OCI, "Órgano de Control Institucional"),
        (
            vault.ReportTo.CONTRALORIA,
            Destination.OTHER_ENTITY,
            "Contraloría General de la República",
        ),
    ],
)
def test_any_officer_records_a_refused_request_reported_to_the_oci(
    db_session, world, report_to, destination, name
):
    ent, _, officer, case = world

    event = vault.record_refused_request(
        db_session,
        case,
        officer=officer,
        requester=vault.Requester.TITULAR,
        statement="El titular pidió por memorando la identidad; se denegó. CANARY-REQ",
        report_to=report_to,
        now=NOW,
        office_recipients=office(ent),
    )

    assert event.kind == "identity_request_refused"
    assert not event.visible_to_complainant
    assert event.data == {"requester": "titular", "reported_to": report_to.value}
    forwarding = db_session.scalars(select(Forwarding).where(Forwarding.event_id == event.id)).one()
    assert forwarding.destination is destination
    assert forwarding.destination_name == name
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "identity.request_refused")
    ).one()
    assert "CANARY-REQ" not in entry.detail
    assert json.loads(entry.detail)["forwarding_id"] == forwarding.id


def test_refusal_needs_a_statement(db_session, world):
    ent, _, officer, case = world
    with pytest.raises(vault.IdentityAccessRefused):
        vault.record_refused_request(
            db_session,
            case,
            officer=officer,
            requester=vault.Requester.OTHER,
            statement=" ",
            now=NOW,
            office_recipients=office(ent),
        )

"""core.services.intake: filing seals everything, registers the case, signs the acknowledgement."""

from __future__ import annotations

import io
import json

import pytest
from case_factory import DEFAULT_NOW
from case_factory import evidence
from case_factory import make_case
from case_factory import make_draft
from factories import make_entity
from sqlalchemy import select

import crypto
from core.law.enums import CaseState
from core.law.enums import MeasureType
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import followup
from core.services import intake
from core.services import receipt_keys
from core.services.messages import add_evidence
from core.services.messages import post_message
from core.services.messages import read_attachment_meta
from core.services.messages import read_message
from core.storage.blobs import read_plaintext
from core.storage.models import AuditEntry
from core.storage.models import CaseEvent


@pytest.fixture
def ent(db_session, settings):  # type: ignore[no-untyped-def]
    return make_entity(db_session, settings)


def test_filing_seals_report_to_office_and_complainant(db_session, settings, ent):
    # Given a complaint with one attachment
    receipt = make_case(db_session, settings, ent, attachments=[evidence("a.txt", b"hola")])
    case = receipt.case
    # Then the case is registered with a D-YYYY-NNNNNN code and the receipt opens it
    assert case.code == "D-2026-000001"
    # (the workflow's automatic first act starts the verification at once)
    assert case.state in (CaseState.REGISTERED, CaseState.VERIFYING)
    assert (
        followup.find_case(db_session, crypto.format_receipt(receipt.code).lower(), settings)
        is case
    )
    # And the office and the complainant both decrypt the report
    office_view = json.loads(read_plaintext(db_session, case.report_blob_id, [ent.office]))
    me = receipt_keys.complainant_identity(case, receipt.code, settings)
    mine = json.loads(read_plaintext(db_session, case.report_blob_id, [me]))
    assert office_view == mine
    assert office_view["facts"].startswith("El jefe de logística")
    # And the vault key cannot read the report
    with pytest.raises(crypto.NoIdentityMatch):
        read_plaintext(db_session, case.report_blob_id, [ent.vault])
    (att,) = case.attachments
    assert read_plaintext(db_session, att.blob_id, [ent.office]) == b"hola"
    assert read_attachment_meta(att, [me])["filename"] == "a.txt"
    assert case.identity_blob_id is None


def test_identity_goes_to_vault_only_not_office(db_session, settings, ent):
    receipt = make_case(db_session, settings, ent, identified=True)
    case = receipt.case
    assert case.modality is Modality.RESERVED
    with pytest.raises(crypto.NoIdentityMatch):
        read_plaintext(db_session, case.identity_blob_id, [ent.office])
    data = json.loads(read_plaintext(db_session, case.identity_blob_id, [ent.vault]))
    assert data["full_name"] == "Rosa Quispe Mamani"
    report = json.loads(read_plaintext(db_session, case.report_blob_id, [ent.office]))
    assert "Rosa" not in json.dumps(report)


def test_acknowledgement_is_signed_and_has_no_receipt(db_session, settings, ent):
    receipt = make_case(db_session, settings, ent)
    ack = receipt.acknowledgement
    assert intake.verify_acknowledgement(ack, ent.entity.signing_public_key)
    assert ack["report_sha256"] == receipt.case.report_sha256
    assert receipt.code not in json.dumps(ack)
    tampered = dict(ack, case_code="D-2026-999999")
    assert not intake.verify_acknowledgement(tampered, ent.entity.signing_public_key)


def test_case_codes_are_sequential_per_entity(db_session, settings, ent):
    codes = [make_case(db_session, settings, ent).case.code for _ in range(3)]
    assert codes == ["D-2026-000001", "D-2026-000002", "D-2026-000003"]


def test_events_and_audit_hold_no_content(db_session, settings, ent):
    receipt = make_case(db_session, settings, ent, protection=(MeasureType.TRANSFER_COMPLAINANT,))
    case = receipt.case
    kinds = [
        e.kind for e in db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))
    ]
    assert "case.registered" in kinds
    assert [m.type for m in case.measures] == [MeasureType.TRANSFER_COMPLAINANT]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "case.filed"))
    assert json.loads(entry.detail) == {"case": case.id, "code": case.code}
    assert case.protection_requested and not case.reserve_only


def _filing_clocks(db_session, case):  # type: ignore[no-untyped-def]
    from core.storage.models import Deadline

    rows = db_session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.satisfied_at.is_(None))
    ).all()
    return sorted((d.kind.value, d.due_on, d.measure_id is None) for d in rows)


@pytest.mark.parametrize("modality", [Modality.ANONYMOUS, Modality.RESERVED])
def test_an_anonymous_filing_records_its_measures_with_the_identified_clocks(
    db_session, settings, ent, modality
):
    """Issue 12: measures asked with an anonymous filing are recorded like an identified
    person's (docs/workflow.md). Filed Monday 2 March 2026 (10:00 Lima), asking a transfer:
    verification by Wednesday 4 March (2 business days, RG 4.4), the complainant told of the
    measures by Wednesday 11 March (7, RG 5.1), granted at the latest Monday 23 March (15,
    RG 6), and plain copies to the OCI and the Procuraduría (RG 4.3). No holiday in March 2026."""
    import datetime as dt

    from core.law.enums import Destination
    from core.storage.models import Forwarding

    request = intake.ProtectionRequest(
        measures=(MeasureType.TRANSFER_COMPLAINANT,), risk="Temo que me cambien de turno."
    )
    overrides = {"protection": request, "modality": modality}
    if modality is not Modality.ANONYMOUS:
        overrides["identified"] = True
    case = make_case(db_session, settings, ent, **overrides).case
    assert case.modality is modality and case.protection_requested
    assert [m.type for m in case.measures] == [MeasureType.TRANSFER_COMPLAINANT]
    assert _filing_clocks(db_session, case) == [
        ("notificar_medidas", dt.date(2026, 3, 11), True),
        ("plazo_maximo_medidas", dt.date(2026, 3, 23), True),
        ("verificar_requisitos", dt.date(2026, 3, 4), True),
    ]
    copies = db_session.scalars(select(Forwarding).where(Forwarding.case_id == case.id)).all()
    assert sorted(f.destination for f in copies) == sorted(
        [Destination.OCI, Destination.PROCURADURIA]
    )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"motives": ()}, "motives"),
        ({"motives": (Motive.OTHER_ETHICS,) * 2}, "motives"),
        (
            {"motives": (Motive.OTHER_ETHICS, Motive.COVID_VACCINATION, Motive.UNDUE_ADVANTAGE)},
            "motives",
        ),
        ({"facts": "   "}, "facts_required"),
        ({"modality": Modality.RESERVED}, "identity_required"),
        ({"identified": True, "modality": Modality.ANONYMOUS}, "identity_with_anonymous"),
        (
            {
                "protection": intake.ProtectionRequest(
                    measures=(MeasureType.IDENTITY_RESERVE,), risk=""
                ),
                "modality": Modality.ANONYMOUS,
            },
            "reserve_with_anonymous",
        ),
    ],
)
def test_meaning_checks(db_session, settings, ent, overrides, code):
    with pytest.raises(intake.IntakeRefused) as info:
        make_case(db_session, settings, ent, **overrides)
    assert info.value.code == code


def test_messages_both_ways_are_sealed_to_office_and_complainant(db_session, settings, ent):
    receipt = make_case(db_session, settings, ent)
    case = receipt.case
    me = receipt_keys.complainant_identity(case, receipt.code, settings)
    out = post_message(
        db_session,
        case,
        direction=MessageDirection.TO_COMPLAINANT,
        kind=MessageKind.MESSAGE,
        body="¿Puede precisar la fecha?",
        officer_id=None,
        now=DEFAULT_NOW,
    )
    back = post_message(
        db_session,
        case,
        direction=MessageDirection.FROM_COMPLAINANT,
        kind=MessageKind.SUBSANACION_RESPONSE,
        body="Fue el 15 de enero.",
        officer_id=None,
        now=DEFAULT_NOW,
    )
    assert read_message(out, [me]) == "¿Puede precisar la fecha?"
    assert read_message(back, [ent.office]) == "Fue el 15 de enero."
    assert b"enero" not in back.body_sealed
    visible = [e.kind for e in case.events if e.visible_to_complainant]
    assert "office_message" in visible and "subsanacion_response" in visible
    (att,) = add_evidence(
        db_session,
        case,
        uploads=[evidence("b.pdf", b"%PDF-1.4 x", "application/pdf")],
        now=DEFAULT_NOW,
    )
    assert read_plaintext(db_session, att.blob_id, [me]) == b"%PDF-1.4 x"


def test_draft_roundtrip_defaults():
    draft = make_draft()
    assert draft.commitment and draft.identity is None
    assert io.BytesIO  # keep import used

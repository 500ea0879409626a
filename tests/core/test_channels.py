"""core.services.channels: a complaint received in writing, verbally, by e-mail or from the
State's platform (DL 4.4; RG 13) is registered by an officer, sealed like a web filing, and
its clocks count from the day it reached the office (RG 4.4, RG 5.1, RG 6).

Dates are computed by hand on Peru's 2026 calendar: November 2026 has no national holiday on
a weekday (1 November is a Sunday).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from at_rest import db_values
from case_factory import evidence
from case_factory import make_case
from case_factory import make_draft
from databases import read_database_file
from factories import make_entity
from factories import make_officer
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

import crypto
from core.errors import CapabilityRequired
from core.law.calendar import PERU_TZ
from core.law.enums import Channel
from core.law.enums import DeadlineKind
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Role
from core.read import stats
from core.services import channels
from core.services import followup
from core.services import intake
from core.services import receipt_keys
from core.services.intake import ComplainantIdentity
from core.services.intake import IntakeRefused
from core.storage.blobs import read_plaintext
from core.storage.models import AuditEntry
from core.storage.models import Case
from core.storage.models import Deadline

K = DeadlineKind
# Registered on Tuesday 10 November 2026, 10:00 in Lima.
REGISTERED = dt.datetime(2026, 11, 10, 10, tzinfo=PERU_TZ).astimezone(dt.UTC)


@pytest.fixture
def ent(db_session, settings):  # type: ignore[no-untyped-def]
    return make_entity(db_session, settings)


@pytest.fixture
def officer(db_session, settings, ent):  # type: ignore[no-untyped-def]
    return make_officer(db_session, settings, ent, grant=False).officer


def register(db_session, settings, ent, officer, **kw):  # type: ignore[no-untyped-def]
    attachments = kw.pop("attachments", ())
    channel = kw.pop("channel", Channel.WRITTEN)
    received_on = kw.pop("received_on", dt.date(2026, 11, 5))
    now = kw.pop("now", REGISTERED)
    return channels.register_received_complaint(
        db_session,
        entity=ent.entity,
        officer=officer,
        channel=channel,
        received_on=received_on,
        draft=make_draft(**kw),
        attachments=attachments,
        settings=settings,
        now=now,
    )


def due(db_session, case: Case) -> dict[DeadlineKind, dt.date]:  # type: ignore[no-untyped-def]
    rows = db_session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.measure_id.is_(None))
    ).all()
    return {d.kind: d.due_on for d in rows}


def test_clocks_count_from_the_day_of_receipt_not_of_registration_rg_4_4_5_1_6(
    db_session, settings, ent, officer
):
    """Received on paper on Thursday 5 Nov 2026 with a protection request, registered on
    Tuesday 10 Nov: RG 4.4 verification (2 business days) is due Mon 9 Nov — already overdue
    when registered; RG 5.1 notice (7) Mon 16 Nov; RG 6 limit (15, from the day after) Thu
    26 Nov."""
    receipt = register(
        db_session, settings, ent, officer, protection=(MeasureType.TRANSFER_COMPLAINANT,)
    )
    case = receipt.case
    assert case.channel == Channel.WRITTEN.value
    assert case.received_on == dt.date(2026, 11, 5)
    assert due(db_session, case) == {
        K.VERIFY_REQUIREMENTS: dt.date(2026, 11, 9),
        K.NOTIFY_MEASURES: dt.date(2026, 11, 16),
        K.GRANT_LIMIT: dt.date(2026, 11, 26),
    }
    # RG 4.3: the same copies as a web filing with a protection request
    assert sorted(f.destination.value for f in case.forwardings if f.is_copy) == [
        "oci",
        "procuraduria",
    ]


def test_a_saturday_receipt_makes_monday_day_one_lpag(db_session, settings, ent, officer):
    """Handed in on Saturday 7 Nov 2026: day 1 is Monday 9, the 2-day verification is due
    Tuesday 10 Nov (RG 4.4, business days)."""
    case = register(
        db_session, settings, ent, officer, channel=Channel.VERBAL, received_on=dt.date(2026, 11, 7)
    ).case
    assert due(db_session, case) == {K.VERIFY_REQUIREMENTS: dt.date(2026, 11, 10)}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"received_on": dt.date(2026, 11, 11)}, "received_in_future"),
        ({"received_on": dt.date(2025, 11, 1)}, "received_too_old"),
        ({"channel": Channel.WEB}, "channel_not_allowed"),
        ({"facts": "  "}, "facts_or_document_required"),
    ],
)
def test_refusals_record_nothing(db_session, settings, ent, officer, changes, code):
    with pytest.raises(IntakeRefused) as refused:
        register(db_session, settings, ent, officer, **changes)
    assert refused.value.code == code
    assert db_session.scalar(select(func.count(Case.id))) == 0


def test_only_an_acting_officer_of_the_entity_registers(db_session, settings, ent):
    auditor = make_officer(db_session, settings, ent, username="aud", role=Role.AUDITOR).officer
    with pytest.raises(CapabilityRequired):
        register(db_session, settings, ent, auditor)
    other = make_entity(db_session, settings, name="Otra")
    stranger = make_officer(db_session, settings, other, username="ajeno").officer
    with pytest.raises(channels.WrongEntity):
        register(db_session, settings, ent, stranger)


def test_scanned_document_alone_is_enough_and_the_receipt_opens_the_case(
    db_session, settings, ent, officer
):
    scan = evidence("denuncia-escaneada.pdf", b"%PDF-1.4 hechos escritos a mano", "application/pdf")
    receipt = register(db_session, settings, ent, officer, facts="", attachments=[scan])
    case = receipt.case
    # The complainant follows it with the receipt the officer printed
    assert followup.find_case(db_session, receipt.formatted, settings) is case
    me = receipt_keys.complainant_identity(case, receipt.code, settings)
    (att,) = case.attachments
    assert read_plaintext(db_session, att.blob_id, [me]).startswith(b"%PDF-1.4 hechos")
    # The acknowledgement is signed like a web filing's
    assert intake.verify_acknowledgement(receipt.acknowledgement, ent.entity.signing_public_key)
    # The filing is audited as the officer's act, with the channel
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "case.filed"))
    assert entry.officer_id == officer.id
    assert json.loads(entry.detail)["channel"] == "mesa_de_partes"


def test_nothing_typed_or_attached_is_in_plaintext_at_rest_invariant_1(
    clean_engine, settings, ent, officer, db_session
):
    canaries = {
        "facts": "CANARYFACTSQ7Z",
        "where": "CANARYWHEREQ7Z",
        "name": "CANARYNAMEQ7Z",
        "dni": "CANARYDNI9",
        "fname": "CANARYFNAMEQ7Z.pdf",
        "fbody": "CANARYFBODYQ7Z",
    }
    scan = evidence(canaries["fname"], b"%PDF-1.4 " + canaries["fbody"].encode(), "application/pdf")
    receipt = register(
        db_session,
        settings,
        ent,
        officer,
        channel=Channel.EMAIL,
        facts=canaries["facts"],
        occurred_where=canaries["where"],
        modality=Modality.RESERVED,
        identity=ComplainantIdentity(full_name=canaries["name"], document_number=canaries["dni"]),
        attachments=[scan],
    )
    db_session.commit()
    needles = [c.encode() for c in canaries.values()]
    needles += [receipt.code.encode(), crypto.normalize_receipt(receipt.code).encode()]
    haystacks = {f"db {i}": v for i, v in enumerate(db_values(clean_engine))}
    if settings.database_url.startswith("sqlite"):
        with clean_engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))
        db_path = Path(settings.database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal"):
            p = Path(str(db_path) + suffix)
            if p.exists():
                haystacks[str(p)] = read_database_file(p)
    root = Path(settings.data_dir)
    for p in root.rglob("*") if root.exists() else []:
        if p.is_file():
            haystacks[str(p)] = p.read_bytes()
    leaks = [(w, n) for w, blob in haystacks.items() for n in needles if n in blob]
    assert leaks == []
    # ...and the case really holds them, sealed: the office reads the facts back
    report = json.loads(read_plaintext(db_session, receipt.case.report_blob_id, [ent.office]))
    assert report["facts"] == canaries["facts"]


def test_statistics_count_cases_by_channel_with_small_counts_suppressed(
    db_session, settings, ent, officer
):
    for _ in range(5):
        register(db_session, settings, ent, officer, received_on=dt.date(2026, 11, 9))
    for _ in range(2):
        register(db_session, settings, ent, officer, channel=Channel.PLATFORM)
    make_case(db_session, settings, ent, now=REGISTERED)
    report = stats.build_report(db_session, entity_id=ent.entity.id, now=REGISTERED)
    table = report.table("channel")
    counts = {c.key: (c.count, c.shown) for c in table.cells}
    assert counts["mesa_de_partes"] == (5, "5")
    # 2 and 1 are hidden; their sum (3) leaves each of them two possible values
    assert counts["pdudc"] == (2, "<5")
    assert counts["web"] == (1, "<5")
    assert counts["verbal"] == (0, "0")
    assert table.total == 8


def test_the_regime_is_the_one_in_force_on_the_day_of_receipt(
    db_session, settings, ent, officer, monkeypatch
):
    """A regime is fixed at filing; a complaint received on paper was filed the day it reached
    the office. With a fictitious reform in force from Saturday 7 Nov 2026, a letter received on
    Thursday 5 Nov and registered on Tuesday 10 keeps the regime before it; one received on
    Monday 9 gets the reform."""
    from dataclasses import replace

    from core.law import regime as regime_module

    current = regime_module.DS_002_2020_JUS_REGIME
    day = dt.date(2026, 11, 7)
    reform = replace(
        current,
        id="REFORMA-FICTICIA-CANALES",
        effective_from=day,
        source="A reform that does not exist, for this test only",
        rules=replace(current.rules, version="REFORMA-FICTICIA-CANALES", effective_from=day),
    )
    monkeypatch.setattr(regime_module, "REGIMES", (current, reform))
    before = register(db_session, settings, ent, officer, received_on=dt.date(2026, 11, 5)).case
    after = register(db_session, settings, ent, officer, received_on=dt.date(2026, 11, 9)).case
    assert (before.regime, after.regime) == (current.id, reform.id)
    rule_versions = {
        d.rule_version
        for d in db_session.scalars(select(Deadline).where(Deadline.case_id == before.id))
    }
    assert rule_versions == {current.rules.version}

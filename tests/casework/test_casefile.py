"""core.services.casefile (Flask-free): what the case page decrypts; each read is audited."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from case_factory import evidence
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from PIL import Image
from sqlalchemy import select

import crypto
from core.law.enums import Modality
from core.law.enums import Role
from core.law.workflow import Act
from core.services import casefile
from core.services.case_records import calendar_for
from core.services.cases import apply_act
from core.storage.models import AuditEntry

NOW = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)


def photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CANARY-CAMERA"
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def world(db_session, settings):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings, pq=False)
    officer = make_officer(db_session, settings, ent, username="o", role=Role.OFFICER).officer
    case = make_case(
        db_session, settings, ent, attachments=[evidence("foto.jpg", photo(), "image/jpeg")]
    ).case
    return ent, officer, case


def audit_actions(session) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    return [
        (a.action, json.loads(a.detail))
        for a in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
    ]


def test_open_case_file_decrypts_everything_in_one_audited_view(db_session, world):
    ent, officer, case = world
    apply_act(
        db_session,
        case,
        Act.VERIFY_REQUIREMENTS,
        officer=officer,
        reasoning="Razonamiento SELLADO",
        now=NOW,
        calendar=calendar_for(db_session, case.entity),
        office_recipients=[crypto.parse_recipient(ent.entity.office_recipient)],
    )
    casefile.add_note(
        db_session,
        case,
        officer=officer,
        body="nota interna",
        office_recipients=[crypto.parse_recipient(ent.entity.office_recipient)],
        now=NOW,
    )
    before = len(audit_actions(db_session))

    file = casefile.open_case_file(db_session, case, [ent.office], officer=officer, now=NOW)

    assert "combustible" in file.report.facts
    assert [a.filename for a in file.attachments] == ["foto.jpg"]
    assert "Razonamiento SELLADO" in [e.reasoning for e in file.timeline]
    assert [n.body for n in file.notes] == ["nota interna"]
    after = audit_actions(db_session)
    assert after[before:] == [("case.viewed", {"part": "file"})]


def test_read_report_is_audited(db_session, world):
    ent, officer, case = world
    report = casefile.read_report(db_session, case, [ent.office], officer=officer, now=NOW)
    assert report.facts and report.modality is Modality.ANONYMOUS
    assert audit_actions(db_session)[-1] == ("case.viewed", {"part": "report"})


def test_attachment_original_and_stripped(db_session, world):
    ent, officer, case = world
    attachment_id = case.attachments[0].id

    info, chunks = casefile.open_attachment(
        db_session, case, attachment_id, [ent.office], officer=officer, now=NOW
    )
    assert info.filename == "foto.jpg"
    assert b"CANARY-CAMERA" in b"".join(chunks)
    _, stripped = casefile.open_attachment(
        db_session, case, attachment_id, [ent.office], officer=officer, now=NOW, variant="stripped"
    )
    data = b"".join(stripped)
    assert data.startswith(b"\xff\xd8") and b"CANARY-CAMERA" not in data
    downloads = [d for a, d in audit_actions(db_session) if a == "attachment.downloaded"]
    assert downloads == [
        {"attachment": attachment_id, "variant": "original"},
        {"attachment": attachment_id, "variant": "stripped"},
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ('a"b;c.pdf', "abc.pdf"),
        ("C:\\Users\\x\\informe.docx", "informe.docx"),
        ("\x00\x1b", "fallback"),
        ("  .  ", "fallback"),
    ],
)
def test_safe_filename(name, expected):
    assert casefile.safe_filename(name, "fallback") == expected


def test_empty_note_is_refused(db_session, world):
    ent, officer, case = world
    with pytest.raises(casefile.NoteRefused):
        casefile.add_note(
            db_session,
            case,
            officer=officer,
            body=" ",
            office_recipients=[crypto.parse_recipient(ent.entity.office_recipient)],
            now=NOW,
        )

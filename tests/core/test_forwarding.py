"""Forwarding packages: a ZIP with a verifiable manifest, metadata-stripped documents, no
identity data, optionally age-encrypted to the receiving body; exporting is an audited act."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from case_factory import evidence
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from PIL import Image
from sqlalchemy import select

import crypto
from core.law import event_kinds
from core.law.enums import CaseState
from core.law.enums import Destination
from core.law.enums import MeasureType
from core.law.enums import Role
from core.law.event_kinds import EventKind
from core.law.workflow import Act
from core.services import forwarding
from core.services.case_records import calendar_for
from core.services.cases import apply_act
from core.storage.models import AuditEntry
from core.storage.models import CaseEvent
from core.storage.models import Forwarding

NOW = dt.datetime(2026, 3, 4, 16, 0, tzinfo=dt.UTC)
IDENTITY_CANARIES = ("Rosa Quispe", "40000001", "rosa@example.org", "999888777")


def jpeg_with_exif(artist: str) -> bytes:
    image = Image.new("RGB", (8, 8), (200, 10, 10))
    exif = Image.Exif()
    exif[0x013B] = artist  # Artist
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def world(db_session, settings):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings, pq=False)
    officer = make_officer(db_session, settings, ent, username="oficial").officer
    case = make_case(
        db_session,
        settings,
        ent,
        identified=True,
        attachments=[
            evidence("foto.jpg", jpeg_with_exif("EXIF-CANARY-AUTHOR"), "image/jpeg"),
            evidence("../../etc/nota.txt", b"contenido de la nota"),
        ],
    ).case
    return ent, officer, case


def office(ent):  # type: ignore[no-untyped-def]
    return [crypto.parse_recipient(ent.entity.office_recipient)]


def forwarded(db_session, ent, officer, case, destination=Destination.STPAD):  # type: ignore[no-untyped-def]
    """The Forwarding an act recorded to `destination` (DL 8.3: nothing leaves otherwise):
    an existing one (e.g. the RG 4.3 copies at filing), or the officer verifies the
    requirements and records the forwarding act."""
    for row in case.forwardings:
        if row.destination is destination:
            return row
    calendar = calendar_for(db_session, ent.entity)
    if case.state is CaseState.VERIFYING:
        apply_act(
            db_session,
            case,
            Act.VERIFY_REQUIREMENTS,
            officer=officer,
            reasoning="Cumple los requisitos.",
            now=NOW,
            calendar=calendar,
            office_recipients=office(ent),
        )
    apply_act(
        db_session,
        case,
        Act.FORWARD,
        officer=officer,
        reasoning="Corresponde a ese órgano.",
        now=NOW,
        calendar=calendar,
        office_recipients=office(ent),
        destination=destination,
    )
    db_session.refresh(case)
    return next(r for r in case.forwardings if r.destination is destination)


def export_to_stpad(db_session, ent, officer, case, destination=Destination.STPAD):  # type: ignore[no-untyped-def]
    """The package most tests look at: the STPAD forwarding's, unencrypted."""
    return forwarding.export_package(
        db_session,
        case,
        [ent.office],
        officer=officer,
        now=NOW,
        office_recipients=office(ent),
        forwarding=forwarded(db_session, ent, officer, case, destination),
    )


def check_zip(data: bytes, code: str) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            assert name.startswith(f"{code}/")
            assert ".." not in name
            members[name.removeprefix(f"{code}/")] = zf.read(name)
    manifest = json.loads(members["manifest.json"])
    assert manifest["case_code"] == code
    assert manifest["identity_included"] is False
    listed = {f["path"] for f in manifest["files"]}
    assert listed == set(members) - {"manifest.json", "README.txt"}
    for item in manifest["files"]:
        assert hashlib.sha256(members[item["path"]]).hexdigest() == item["sha256"]
        assert len(members[item["path"]]) == item["size"]
    for name, content in members.items():
        for canary in IDENTITY_CANARIES:
            assert canary.encode() not in content, (canary, name)
    return members


def test_plain_package_has_manifest_facts_stripped_documents_and_no_identity(db_session, world):
    ent, officer, case = world

    package = export_to_stpad(db_session, ent, officer, case)

    assert not package.encrypted
    assert package.filename == f"{case.code}-stpad.zip"
    members = check_zip(package.data, case.code)
    text = members["denuncia.txt"].decode()
    assert "direccionó la compra" in text
    # The receiving body reads the law's names, not internal codes
    assert "Modalidad: Con reserva de identidad" in text
    assert "Contratación pública irregular" in text
    assert "contratacion_irregular" not in text
    assert json.loads(members["denuncia.json"])["case_code"] == case.code
    photo = members["documentos/01-foto.jpg"]
    assert photo.startswith(b"\xff\xd8")
    assert b"EXIF-CANARY-AUTHOR" not in photo
    assert members["documentos/02-nota.txt"] == b"contenido de la nota"
    acts = json.loads(members["actuaciones.json"])
    assert acts and acts[0]["kind"] == "case.registered"
    assert "NO contiene la identidad" in members["README.txt"].decode()

    # Recorded: the package hash on the act's Forwarding, an event and an audit entry.
    row = db_session.get(Forwarding, package.forwarding_id)
    assert row.package_sha256 == hashlib.sha256(package.data).hexdigest() == package.sha256
    assert row.destination is Destination.STPAD and not row.is_copy
    assert db_session.get(CaseEvent, row.event_id).kind == "case.forward"
    event = db_session.scalars(select(CaseEvent).where(CaseEvent.kind == "package_exported")).one()
    assert event.data["sha256"] == package.sha256
    assert not event.visible_to_complainant
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "package.exported")
    ).one()
    assert json.loads(entry.detail)["sha256"] == package.sha256


def test_encrypted_package_opens_with_the_receiving_bodys_identity(db_session, world):
    ent, officer, case = world
    body = crypto.X25519Identity.generate()

    package = forwarding.export_package(
        db_session,
        case,
        [ent.office],
        officer=officer,
        now=NOW,
        office_recipients=office(ent),
        forwarding=forwarded(db_session, ent, officer, case, Destination.PROCURADURIA),
        recipient=f"  {body.recipient().to_string()}\n",
    )

    assert package.encrypted and package.filename.endswith(".zip.age")
    assert package.data.startswith(b"age-encryption.org/v1")
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.decrypt(package.data, [ent.office])
    check_zip(crypto.decrypt(package.data, [body]), case.code)
    assert db_session.get(Forwarding, package.forwarding_id).package_sha256 == package.sha256


def test_package_for_an_existing_forwarding_records_its_hash(db_session, settings):
    ent = make_entity(db_session, settings, pq=False)
    officer = make_officer(db_session, settings, ent, username="o", role=Role.HEAD).officer
    # A protection request copies the complaint to the OCI and the Procuraduría (RG 4.3).
    case = make_case(db_session, settings, ent, protection=(MeasureType.TRANSFER_COMPLAINANT,)).case
    oci = db_session.scalars(
        select(Forwarding).where(
            Forwarding.case_id == case.id, Forwarding.destination == Destination.OCI
        )
    ).one()

    package = forwarding.export_package(
        db_session,
        case,
        [ent.office],
        officer=officer,
        now=NOW,
        office_recipients=office(ent),
        forwarding=oci,
    )

    assert package.forwarding_id == oci.id
    assert oci.package_sha256 == package.sha256
    members = check_zip(package.data, case.code)
    assert "Órgano de Control Institucional" in json.loads(members["manifest.json"])["destination"]


@pytest.mark.parametrize("recipient", ["age1notakey", "ssh-ed25519 AAAA", "AGE-SECRET-KEY-1XYZ"])
def test_invalid_recipient_is_refused_before_anything_is_recorded(db_session, world, recipient):
    ent, officer, case = world
    oci = forwarded(db_session, ent, officer, case, Destination.OCI)
    with pytest.raises(forwarding.ForwardingRefused) as err:
        forwarding.export_package(
            db_session,
            case,
            [ent.office],
            officer=officer,
            now=NOW,
            office_recipients=office(ent),
            forwarding=oci,
            recipient=recipient,
        )
    assert err.value.code == "invalid_recipient"
    assert not db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "package.exported")
    ).all()


def test_no_package_leaves_without_a_forwarding_act_dl_8_3(db_session, world):
    """DL 8.3: nothing leaves the office except through a recorded act; a package "for
    another body" without one is refused and records nothing."""
    ent, officer, case = world
    with pytest.raises(forwarding.ForwardingRefused) as err:
        forwarding.export_package(
            db_session,
            case,
            [ent.office],
            officer=officer,
            now=NOW,
            office_recipients=office(ent),
            forwarding=None,
        )
    assert err.value.code == "forwarding_act_required"
    assert db_session.scalars(select(Forwarding).where(Forwarding.case_id == case.id)).all() == []
    assert not db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "package.exported")
    ).all()


def test_package_leaves_out_notes_messages_reasoning_and_who_handles_the_case(db_session, world):  # type: ignore[no-untyped-def]
    from core.law.enums import MessageDirection
    from core.law.enums import MessageKind
    from core.services import casefile
    from core.services import messages
    from core.services.case_records import record_event

    ent, officer, case = world
    canaries = {
        "note": "NOTE-CANARY-7731",
        "message": "MESSAGE-CANARY-5512",
        "retaliation": "RETALIATION-CANARY-0042",
        "reasoning": "REASONING-CANARY-9910",
    }
    casefile.add_note(
        db_session,
        case,
        officer=officer,
        body=canaries["note"],
        office_recipients=office(ent),
        now=NOW,
    )
    messages.post_message(
        db_session,
        case,
        direction=MessageDirection.TO_COMPLAINANT,
        kind=MessageKind.MESSAGE,
        body=canaries["message"],
        officer_id=officer.id,
        now=NOW,
    )
    messages.post_message(
        db_session,
        case,
        direction=MessageDirection.FROM_COMPLAINANT,
        kind=MessageKind.RETALIATION,
        body=canaries["retaliation"],
        officer_id=None,
        now=NOW,
    )
    record_event(
        db_session,
        case,
        kind="assigned",
        officer=officer,
        now=NOW,
        from_state=None,
        to_state=None,
        visible=False,
        data={"from": None, "to": officer.id},
        reasoning=canaries["reasoning"],
        office_recipients=office(ent),
    )
    package = export_to_stpad(db_session, ent, officer, case)

    members = check_zip(package.data, case.code)
    for name, content in members.items():
        for canary in canaries.values():
            assert canary.encode() not in content, (canary, name)
        assert officer.username.encode() not in content, name
    acts = json.loads(members["actuaciones.json"])
    kinds = {a["kind"] for a in acts}
    assert kinds <= {k.value for k in event_kinds.PACKAGE}
    assert "case.registered" in kinds
    assert all(set(a["data"]) <= event_kinds.PACKAGE[EventKind(a["kind"])] for a in acts)


def test_package_leaves_out_when_the_complainant_opened_a_request_and_recomputed_clocks(
    db_session, world
):  # type: ignore[no-untyped-def]
    from core.services.calendar_admin import RECOMPUTED_EVENT
    from core.services.case_records import record_event
    from core.services.cases import SUBSANACION_NOTICE_OPENED_EVENT

    ent, officer, case = world
    for kind, data in (
        (SUBSANACION_NOTICE_OPENED_EVENT, {"request_event_id": 1, "due_on": "2026-03-09"}),
        (RECOMPUTED_EVENT, {"change": "added", "scope": "national", "day": "2026-03-04"}),
    ):
        record_event(
            db_session,
            case,
            kind=kind,
            officer=None,
            now=NOW,
            from_state=None,
            to_state=None,
            visible=kind == SUBSANACION_NOTICE_OPENED_EVENT,
            data=data,
            reasoning=None,
            office_recipients=(),
        )
    acts = json.loads(
        check_zip(export_to_stpad(db_session, ent, officer, case).data, case.code)[
            "actuaciones.json"
        ]
    )
    kinds = {a["kind"] for a in acts}
    assert SUBSANACION_NOTICE_OPENED_EVENT not in kinds
    assert RECOMPUTED_EVENT not in kinds
    assert "2026-03-09" not in json.dumps(acts)  # the due day points to the login day


def test_package_withholds_uncleanable_documents_and_the_protection_request(db_session, settings):
    # Given a complaint with a protection request and a damaged photo whose metadata
    # cannot be removed (kept as uploaded at filing)
    ent = make_entity(db_session, settings, pq=False)
    officer = make_officer(db_session, settings, ent, username="oficial").officer
    broken = b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00AUTHOR-CANARY" + b"\x00garbage"
    case = make_case(
        db_session,
        settings,
        ent,
        protection=(MeasureType.CONTRACT_RENEWAL,),
        attachments=[evidence("dañada.jpg", broken, "image/jpeg"), evidence("nota.txt", b"ok")],
    ).case
    # When the office exports the package of the RG 4.3 copy to the OCI
    package = export_to_stpad(db_session, ent, officer, case, Destination.OCI)
    members = check_zip(package.data, case.code)
    # Then the damaged photo is withheld and listed, the other document travels
    manifest = json.loads(members["manifest.json"])
    assert manifest["withheld_documents"] == [{"document": 1, "reason": "metadata_not_removable"}]
    assert not any(name.startswith("documentos/01-") for name in members)
    assert members["documentos/02-nota.txt"] == b"ok"
    # And nothing of the protection request (its risk text can identify) is inside
    for content in members.values():
        assert b"AUTHOR-CANARY" not in content
        assert b"Temo represalias" not in content
        assert b"renovacion_contrato" not in content

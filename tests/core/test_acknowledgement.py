"""The acuse de recibo v2 signs everything it shows; v1 acknowledgements stay verifiable."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json

import pytest
from case_factory import evidence
from case_factory import make_case
from factories import make_entity

from core.access.entities import signing_key
from core.services import acknowledgement as ack
from core.services import intake


@pytest.fixture
def ent(db_session, settings):  # type: ignore[no-untyped-def]
    return make_entity(db_session, settings)


def _cleaned(name: str, original: bytes, kept: bytes) -> intake.UploadedEvidence:
    # What the intake hands over when the complainant let hidden metadata be removed.
    return dataclasses.replace(
        evidence(name, kept, "image/jpeg"),
        stream=io.BytesIO(kept),
        size=len(kept),
        metadata_removed=("GPSInfo",),
        original_sha256=hashlib.sha256(original).hexdigest(),
    )


def test_v2_lists_each_attachment_with_its_hashes_and_signs_the_entity_name(
    db_session, settings, ent
):
    original, kept = b"JPEG with GPS", b"JPEG without GPS"
    receipt = make_case(
        db_session,
        settings,
        ent,
        attachments=[evidence("nota.txt", b"hola"), _cleaned("foto.jpg", original, kept)],
        now=dt.datetime(2026, 11, 28, 22, 5, tzinfo=dt.UTC),
    )
    document = intake.acknowledgement_for(receipt.case, settings)
    assert document["type"] == "integra-acuse-de-recibo/v2"
    assert document["entity_name"] == ent.entity.name
    first, second = document["attachments"]
    assert first["sha256_received"] == first["sha256_kept"] == hashlib.sha256(b"hola").hexdigest()
    assert first["metadata_removed"] is False and first["size"] == 4
    assert second["sha256_received"] == hashlib.sha256(original).hexdigest()
    assert second["sha256_kept"] == hashlib.sha256(kept).hexdigest()
    assert second["metadata_removed"] is True
    # 22:05 UTC is 17:05 in Lima (UTC-5 all year), the same day.
    assert document["filed_at_words"] == "28 de noviembre de 2026, a las 17:05 (hora de Lima)"
    assert document["filed_at_lima"] == "2026-11-28T17:05:00-05:00"
    assert "2 archivos adjuntos" in document["statement"]
    assert intake.verify_acknowledgement(document, ent.entity.signing_public_key)
    # The receipt is nowhere in it.
    assert receipt.code not in json.dumps(document)


@pytest.mark.parametrize(
    "change",
    [
        {"entity_name": "Otra Entidad S.A."},
        {"filed_at_words": "1 de enero de 2020, a las 09:00 (hora de Lima)"},
        {"statement": "Nada."},
        {"extra": "un campo añadido"},
    ],
)
def test_v2_any_field_changed_or_added_breaks_the_signature(db_session, settings, ent, change):
    receipt = make_case(db_session, settings, ent, attachments=[evidence("a.txt", b"uno")])
    document = intake.acknowledgement_for(receipt.case, settings)
    assert intake.verify_acknowledgement(document, ent.entity.signing_public_key)
    assert not intake.verify_acknowledgement({**document, **change}, ent.entity.signing_public_key)


def test_v2_a_swapped_attachment_hash_or_a_dropped_attachment_fails(db_session, settings, ent):
    receipt = make_case(
        db_session, settings, ent, attachments=[evidence("a.txt", b"uno"), evidence("b.txt")]
    )
    document = intake.acknowledgement_for(receipt.case, settings)
    swapped = json.loads(json.dumps(document))
    swapped["attachments"][0]["sha256_received"] = hashlib.sha256(b"otro").hexdigest()
    dropped = {**document, "attachments": document["attachments"][:1]}
    key = ent.entity.signing_public_key
    assert not intake.verify_acknowledgement(swapped, key)
    assert not intake.verify_acknowledgement(dropped, key)


def test_renaming_the_entity_does_not_change_a_filed_acknowledgement(db_session, settings, ent):
    receipt = make_case(db_session, settings, ent)
    before = intake.acknowledgement_for(receipt.case, settings)
    ent.entity.name = "Nombre nuevo de la entidad"
    db_session.flush()
    after = intake.acknowledgement_for(receipt.case, settings)
    assert after == before  # the name as signed at filing, still valid
    assert intake.verify_acknowledgement(after, ent.entity.signing_public_key)


def test_a_v1_acknowledgement_stays_verifiable_and_shows_only_its_signed_fields(
    db_session, settings, ent
):
    # A case filed before v2: its signature covers the five v1 fields, nothing is sealed.
    case = make_case(db_session, settings, ent).case
    filed_at = case.filed_at.astimezone(dt.UTC).isoformat()
    key = signing_key(settings.secret_bytes("server_key"), ent.entity)
    case.acknowledgement_signature = key.sign(
        ack.v1_message(
            entity_slug=ent.entity.slug,
            case_code=case.code,
            filed_at=filed_at,
            report_sha256=case.report_sha256,
        )
    )
    case.acknowledgement_sealed = None
    db_session.flush()
    document = intake.acknowledgement_for(case, settings)
    assert document["type"] == "integra-acuse-de-recibo/v1"
    assert "entity_name" not in document  # it was never signed
    assert intake.verify_acknowledgement(document, ent.entity.signing_public_key)
    # A v1 file kept from before carried an unsigned entity_name: it still verifies, but the
    # readable view never shows that field.
    old_file = {**document, "entity_name": "Cualquier nombre"}
    assert intake.verify_acknowledgement(old_file, ent.entity.signing_public_key)
    assert "entity_name" not in ack.signed_fields(old_file)
    assert not intake.verify_acknowledgement(
        {**document, "case_code": "D-2026-999999"}, ent.entity.signing_public_key
    )


def test_unknown_type_or_garbage_never_verifies(db_session, settings, ent):
    document = intake.acknowledgement_for(make_case(db_session, settings, ent).case, settings)
    key = ent.entity.signing_public_key
    assert not intake.verify_acknowledgement({**document, "type": "integra-acuse/v9"}, key)
    assert not intake.verify_acknowledgement({**document, "signature": "zz"}, key)
    assert not intake.verify_acknowledgement({"type": ack.ACK_TYPE}, key)

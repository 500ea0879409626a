"""Issue 13: each entity's keys are its own. A complaint to A cannot be opened with any of
B's keys, and B's officers, logged in through the real form, hold only B's identities."""

from __future__ import annotations

import pytest
from case_factory import evidence
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from casework.auth import SID
from core.access import keysessions
from core.law.enums import Role
from core.storage import blobs
from core.storage.models import Attachment
from core.storage.models import OfficerSession

from .conftest import login


def test_a_complaint_to_a_does_not_open_with_b_s_keys(casework_settings, clean_engine):  # type: ignore[no-untyped-def]
    with Session(clean_engine, expire_on_commit=False) as s:
        ent_a = make_entity(s, casework_settings, name="Entidad Alfa")
        ent_b = make_entity(s, casework_settings, name="Entidad Bravo")
        case = make_case(
            s, casework_settings, ent_a, identified=True, attachments=[evidence()],
            facts="Solo Alfa lee esto.",
        ).case  # fmt: skip
        s.commit()
        assert ent_a.office.recipient().to_string() != ent_b.office.recipient().to_string()
        assert ent_a.vault.recipient().to_string() != ent_b.vault.recipient().to_string()
        attachment = s.scalar(select(Attachment.blob_id).where(Attachment.case_id == case.id))
        sealed = [case.report_blob_id, case.identity_blob_id, attachment]
        assert all(sealed)
        for blob_id in sealed:
            with pytest.raises(crypto.NoIdentityMatch):
                blobs.read_plaintext(s, blob_id, [ent_b.office, ent_b.vault])  # type: ignore[arg-type]
        # ...while A's own keys open them (the test would pass vacuously otherwise)
        report = blobs.read_plaintext(s, case.report_blob_id, [ent_a.office])  # type: ignore[arg-type]
        assert "Solo Alfa lee esto." in report.decode()
        blobs.read_plaintext(s, case.identity_blob_id, [ent_a.vault])  # type: ignore[arg-type]


def test_b_s_officers_key_sessions_hold_only_b_s_identities(  # type: ignore[no-untyped-def]
    casework_app, casework_settings, clean_engine
):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent_a = make_entity(s, casework_settings, name="Entidad Alfa")
        ent_b = make_entity(s, casework_settings, name="Entidad Bravo")
        make_officer(s, casework_settings, ent_a, username="alfa.jefe", role=Role.HEAD)
        b_users = [
            make_officer(s, casework_settings, ent_b, username="bravo.jefe", role=Role.HEAD),
            make_officer(s, casework_settings, ent_b, username="bravo.oficial"),
        ]
        s.commit()
    a_recipients = {ent_a.office.recipient().to_string(), ent_a.vault.recipient().to_string()}
    b_recipients = {ent_b.office.recipient().to_string(), ent_b.vault.recipient().to_string()}
    for user in b_users:
        client = casework_app.test_client()
        done = login(client, user.officer.username, user.password, user.totp_secret)
        assert done.status_code == 302, done.get_data(as_text=True)[:500]
        with client.session_transaction() as sess:
            token = sess[SID]
        with Session(clean_engine) as s:
            row = s.get(OfficerSession, keysessions.session_id(token))
            assert row is not None
            held = keysessions.identities(token, row)
        assert held, "the login unwrapped no key"
        recipients = {identity.recipient().to_string() for identity in held.values()}
        assert recipients <= b_recipients
        assert not recipients & a_recipients

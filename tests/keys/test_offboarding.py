"""Offboarding revokes (issue 9, item 1; docs/threat-model.md "Offboarding")."""

from __future__ import annotations

import json

from case_factory import make_case
from factories import EntityWithKeys
from factories import OfficerLogin
from factories import make_entity
from factories import make_officer
from key_attack import open_report
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from core.access import account_admin
from core.access import grants
from core.access import keysessions
from core.law.enums import Role
from core.storage.db import utcnow
from core.storage.models import AuditEntry
from core.storage.models import OfficerSession
from core.storage.models import WrappedKey


def _entity_and_admin(s: Session, settings: Settings) -> tuple[EntityWithKeys, OfficerLogin]:
    ent = make_entity(s, settings)
    return ent, make_officer(s, settings, ent, username="admin", role=Role.ADMIN)


def test_deactivated_officer_password_and_database_open_no_later_complaint(
    clean_engine: Engine, settings: Settings
) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        ent, admin = _entity_and_admin(s, settings)
        ana = make_officer(s, settings, ent, username="ana", role=Role.HEAD)
        before = make_case(s, settings, ent, facts="CANARIO-ANTES del cese")
        s.commit()
    # Control: while she is active, the script opens the complaint.
    opened = open_report(clean_engine, before.case.id, ana.password)
    assert opened is not None and b"CANARIO-ANTES" in opened

    with Session(clean_engine, expire_on_commit=False) as s:
        officer = s.get(type(ana.officer), ana.officer.id)
        assert officer is not None
        keysessions.open_session(
            s, officer=officer, identities={"office": ent.office}, now=utcnow()
        )
        revoked = account_admin.set_active(
            s, officer=officer, active=False, actor=s.get(type(admin.officer), admin.officer.id)
        )
        s.commit()
    assert revoked is not None and revoked.keys_deleted == 2 and revoked.sessions_ended == 1

    with Session(clean_engine, expire_on_commit=False) as s:
        after = make_case(s, settings, ent, facts="CANARIO-DESPUES del cese")
        s.commit()
        held = select(WrappedKey).where(WrappedKey.officer_id == ana.officer.id)
        assert s.scalars(held).all() == []
        assert (
            s.scalars(
                select(OfficerSession).where(OfficerSession.officer_id == ana.officer.id)
            ).all()
            == []
        )
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "officer.deactivated")
        ).one()
        assert json.loads(entry.detail) == {
            "officer": ana.officer.id,
            "keys_deleted": 2,
            "grants_deleted": 0,
            "sessions_ended": 1,
        }
    assert open_report(clean_engine, after.case.id, ana.password) is None
    assert open_report(clean_engine, before.case.id, ana.password) is None


def test_pending_grants_the_departed_officer_made_are_deleted(
    clean_engine: Engine, settings: Settings
) -> None:
    """She handed over the grant codes, so she knows them: those grants must go too."""
    with Session(clean_engine, expire_on_commit=False) as s:
        ent, admin = _entity_and_admin(s, settings)
        ana = make_officer(s, settings, ent, username="ana")
        luis = make_officer(s, settings, ent, username="luis")
        bob = make_officer(s, settings, ent, username="bob", grant=False)
        eva = make_officer(s, settings, ent, username="eva", grant=False)

        def grant(granter: OfficerLogin, grantee: OfficerLogin) -> str:
            return grants.create_grant(
                s, settings, granter=granter.officer, grantee=grantee.officer,
                purpose="office", identity=ent.office,
            )  # fmt: skip

        code = grant(ana, bob)
        # Eva's grant was made by ana, then made again by luis: ana no longer knows it.
        grant(ana, eva)
        grant(luis, eva)
        revoked = account_admin.set_active(
            s, officer=ana.officer, active=False, actor=admin.officer
        )
        s.commit()
        assert revoked is not None and revoked.grants_deleted == 1
        assert grants.pending_grants(s, bob.officer) == []
        assert grants.pending_grants(s, eva.officer) == ["office"]
        assert grants.held_purposes(s, luis.officer) == ["office"]
    assert code  # the code ana knew now opens nothing
    with Session(clean_engine) as s:
        blobs = s.scalars(select(WrappedKey.blob)).all()
    import crypto

    for blob in blobs:
        try:
            crypto.unwrap_identity(blob, code, max_work_factor=22)
        except crypto.AgeError:
            continue
        raise AssertionError("a grant ana made still opens with her code")

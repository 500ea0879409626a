"""core.access.accounts services without Flask: TOTP compare-and-set, password rules, grants."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from core.access import accounts
from core.access import grants
from core.access import officers
from core.law.enums import Role
from core.storage.models import Officer


def test_same_code_in_two_workers_is_accepted_once(clean_engine, officer_factory, settings):
    made = officer_factory("ana")
    now = dt.datetime.now(dt.UTC)
    code = officers.totp_code(made.totp_secret, officers.totp_step(now))
    # Two workers load the account before either has recorded the step
    with Session(clean_engine) as one, Session(clean_engine) as two:
        first = one.get(Officer, made.officer.id)
        second = two.get(Officer, made.officer.id)
        assert first is not None
        assert second is not None
        assert second.totp_last_step == 0
        ok = accounts.check_totp(one, settings, officer=first, code=code, now=now)
        one.commit()
        replay = accounts.check_totp(two, settings, officer=second, code=code, now=now)
        two.commit()
    assert ok.outcome is accounts.Outcome.OK
    assert replay.outcome is accounts.Outcome.BAD_CREDENTIALS


@pytest.mark.parametrize(
    ("new", "reason"),
    [("short", "too_short"), ("oficial", "too_short"), ("x" * 12, None)],
)
def test_password_rules(new, reason):
    if reason is None:
        accounts.validate_new_password(new, username="oficial")
    else:
        with pytest.raises(accounts.PasswordRefused, match=reason):
            accounts.validate_new_password(new, username="oficial")


def test_password_same_as_username_or_old():
    with pytest.raises(accounts.PasswordRefused, match="same_as_username"):
        accounts.validate_new_password("oficial-largo", username="OFICIAL-LARGO")
    with pytest.raises(accounts.PasswordRefused, match="same_as_old"):
        accounts.validate_new_password("la misma frase", username="x", old="la misma frase")


def test_grant_rules(db_session: Session, settings):
    from factories import make_entity
    from factories import make_officer

    ent = make_entity(db_session, settings, pq=False)
    head = make_officer(db_session, settings, ent, username="jefa", role=Role.HEAD).officer
    officer = make_officer(db_session, settings, ent, username="of", grant=False).officer
    auditor = make_officer(db_session, settings, ent, username="aud", role=Role.AUDITOR).officer
    other = make_entity(db_session, settings, name="Otra", pq=False)

    def grant(grantee: Officer, purpose: str, identity=ent.office) -> str:  # type: ignore[no-untyped-def]
        return grants.create_grant(
            db_session, settings, granter=head, grantee=grantee, purpose=purpose, identity=identity
        )

    with pytest.raises(accounts.GrantRefused, match="role"):
        grant(officer, "vault", ent.vault)
    with pytest.raises(accounts.GrantRefused, match="role"):
        grant(auditor, "office")
    with pytest.raises(accounts.GrantRefused, match="self"):
        grant(head, "office")
    with pytest.raises(accounts.GrantRefused, match="wrong_identity"):
        grant(officer, "office", other.office)
    code = grant(officer, "office")
    assert grants.pending_grants(db_session, officer) == ["office"]
    with pytest.raises(accounts.GrantRefused, match="wrong_password"):
        grants.redeem_grants(db_session, settings, officer=officer, code=code, password="x")
    opened = grants.redeem_grants(
        db_session, settings, officer=officer, code=code, password="correct horse battery staple"
    )
    assert set(opened) == {"office"}
    assert grants.pending_grants(db_session, officer) == []
    assert grants.held_purposes(db_session, officer) == ["office"]


def test_a_grant_code_typed_with_spaces_or_capitals_opens(db_session: Session, settings):
    """Issue 12: a code read aloud and typed as "ABCD efgh …" opens like the printed one."""
    from factories import make_entity
    from factories import make_officer

    from core.access import officers

    ent = make_entity(db_session, settings, name="Entidad Códigos", pq=False)
    head = make_officer(db_session, settings, ent, username="jefa2", role=Role.HEAD).officer
    officer = make_officer(db_session, settings, ent, username="of2", grant=False).officer
    code = grants.create_grant(
        db_session, settings, granter=head, grantee=officer, purpose="office", identity=ent.office
    )
    typed = " " + code.replace("-", " ").upper() + " "
    assert officers.normalize_grant_code(typed) == code
    assert officers.normalize_grant_code(code.replace("-", "")) == code
    opened = grants.redeem_grants(
        db_session, settings, officer=officer, code=typed, password="correct horse battery staple"
    )
    assert set(opened) == {"office"}

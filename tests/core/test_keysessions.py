"""Officer key sessions: sealed under the cookie token, gone when the session ends."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import make_entity
from factories import make_officer
from sqlalchemy.orm import Session

import crypto
from core.access import keysessions
from core.law.enums import Role
from core.storage.models import OfficerSession

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
IDLE = dt.timedelta(minutes=30)


@pytest.fixture
def setup(db_session: Session, settings):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings, pq=False)
    made = make_officer(db_session, settings, ent, role=Role.HEAD)
    return ent, made.officer


def test_round_trip_and_binding(setup):
    ent, _ = setup
    token = keysessions.new_token()
    row_id = keysessions.session_id(token)
    sealed = keysessions.seal_identities(token, row_id, {"office": ent.office})
    opened = keysessions.unseal_identities(token, row_id, sealed)
    assert opened["office"].to_string() == ent.office.to_string()
    # Bound to the row id: moving the blob to another row does not open it
    with pytest.raises(keysessions.SessionKeyError):
        keysessions.unseal_identities(token, keysessions.session_id(token, pending=True), sealed)
    with pytest.raises(keysessions.SessionKeyError):
        keysessions.unseal_identities(keysessions.new_token(), row_id, sealed)
    with pytest.raises(keysessions.SessionKeyError):
        keysessions.unseal_identities(token, row_id, sealed[:-1] + bytes([sealed[-1] ^ 1]))


def test_row_id_does_not_reveal_the_token():
    token = keysessions.new_token()
    assert token not in keysessions.session_id(token)
    assert keysessions.session_id(token) != keysessions.session_id(token, pending=True)


def test_malformed_token():
    with pytest.raises(keysessions.SessionKeyError):
        keysessions.session_id("not a token!")


def test_load_touch_and_idle(db_session: Session, setup):
    ent, officer = setup
    opened = keysessions.open_session(
        db_session, officer=officer, identities={"office": ent.office}, now=NOW
    )
    loaded = keysessions.load_session(
        db_session, opened.token, now=NOW + dt.timedelta(minutes=5), idle=IDLE
    )
    assert isinstance(loaded, keysessions.LoadedSession)
    assert loaded.row.last_seen_at == NOW + dt.timedelta(minutes=5)
    held = keysessions.identities(opened.token, loaded.row)
    assert isinstance(held["office"], crypto.X25519Identity)
    # Idle for longer than the timeout: ended and deleted
    ended = keysessions.load_session(
        db_session, opened.token, now=NOW + dt.timedelta(minutes=40), idle=IDLE
    )
    assert isinstance(ended, keysessions.EndedSession)
    assert ended.reason == "idle"
    assert db_session.get(OfficerSession, opened.row.id) is None
    assert keysessions.load_session(db_session, opened.token, now=NOW, idle=IDLE) is None


def test_absolute_lifetime(db_session: Session, setup):
    _, officer = setup
    opened = keysessions.open_session(db_session, officer=officer, identities={}, now=NOW)
    later = NOW
    for _ in range(30):  # active every 25 minutes for 12.5 hours
        later += dt.timedelta(minutes=25)
        result = keysessions.load_session(db_session, opened.token, now=later, idle=IDLE)
        if isinstance(result, keysessions.EndedSession):
            assert result.reason == "expired"
            break
    else:  # pragma: no cover
        raise AssertionError("session outlived the absolute lifetime")


def test_pending_token_is_not_a_session(db_session: Session, setup):
    _, officer = setup
    opened = keysessions.open_session(
        db_session, officer=officer, identities={}, now=NOW, pending=True
    )
    assert keysessions.load_session(db_session, opened.token, now=NOW, idle=IDLE) is None
    pending = keysessions.load_session(db_session, opened.token, now=NOW, idle=IDLE, pending=True)
    assert isinstance(pending, keysessions.LoadedSession)
    late = NOW + keysessions.PENDING_LIFETIME + dt.timedelta(seconds=1)
    assert isinstance(
        keysessions.load_session(
            db_session, opened.token, now=late, idle=dt.timedelta(days=1), pending=True
        ),
        keysessions.EndedSession,
    )


def test_end_all_sessions_bumps_epoch(db_session: Session, setup):
    ent, officer = setup
    first = keysessions.open_session(db_session, officer=officer, identities={}, now=NOW)
    second = keysessions.open_session(db_session, officer=officer, identities={}, now=NOW)
    assert keysessions.count_sessions(db_session, officer) == 2
    epoch = officer.session_epoch
    assert keysessions.end_all_sessions(db_session, officer) == 2
    assert officer.session_epoch == epoch + 1
    for opened in (first, second):
        assert keysessions.load_session(db_session, opened.token, now=NOW, idle=IDLE) is None


def test_stale_epoch_is_refused(db_session: Session, setup):
    _, officer = setup
    opened = keysessions.open_session(db_session, officer=officer, identities={}, now=NOW)
    officer.session_epoch += 1
    db_session.flush()
    result = keysessions.load_session(db_session, opened.token, now=NOW, idle=IDLE)
    assert isinstance(result, keysessions.EndedSession)
    assert result.reason == "epoch"


def test_add_identities(db_session: Session, setup):
    ent, officer = setup
    opened = keysessions.open_session(db_session, officer=officer, identities={}, now=NOW)
    keysessions.add_identities(opened.token, opened.row, {"vault": ent.vault})
    assert set(keysessions.identities(opened.token, opened.row)) == {"vault"}


def test_purge_expired(db_session: Session, setup):
    _, officer = setup
    keysessions.open_session(db_session, officer=officer, identities={}, now=NOW)
    assert keysessions.purge_expired(db_session, now=NOW + dt.timedelta(hours=1), idle=IDLE) == 1

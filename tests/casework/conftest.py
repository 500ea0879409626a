"""Casework fixtures: the app on a real (emptied) database, and the real login flow."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from factories import EntityWithKeys
from factories import OfficerLogin
from factories import make_entity
from factories import make_officer
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from casework import create_app
from config import Settings
from core.access import officers
from core.law.enums import Role

# Last TOTP step used per secret, so that two logins in one 30-second window use
# distinct steps (a used step is refused, by design).
_LAST_STEP: dict[str, int] = {}


def next_totp_code(totp_secret: str) -> str:
    """A code for a step not used before by these helpers (current, else current+1)."""
    while True:
        current = officers.totp_step(dt.datetime.now(dt.UTC))
        step = max(current, _LAST_STEP.get(totp_secret, 0) + 1)
        if step <= current + 1:
            _LAST_STEP[totp_secret] = step
            return officers.totp_code(totp_secret, step)
        time.sleep(1)


def login(client: FlaskClient, username: str, password: str, totp_secret: str) -> Any:
    """The real POST flow: password step, then the TOTP (or enrolment) step."""
    first = client.post("/login", data={"username": username, "password": password})
    if first.status_code != 302:
        return first
    location = first.headers["Location"]
    if "/login/" not in location:
        return first
    return client.post(location, data={"code": next_totp_code(totp_secret)})


def logout(client: FlaskClient) -> Any:
    return client.post("/logout")


@pytest.fixture
def casework_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def casework_app(casework_settings: Settings, clean_engine: Engine) -> Flask:
    app = create_app(casework_settings, engine=clean_engine)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


@pytest.fixture
def casework_client(casework_app: Flask) -> FlaskClient:
    return casework_app.test_client()


@dataclasses.dataclass
class OfficerFactory:
    """Creates (and commits) officers in one test entity, created on first use."""

    engine: Engine
    settings: Settings
    entity: EntityWithKeys | None = None

    def ensure_entity(self) -> EntityWithKeys:
        if self.entity is None:
            with Session(self.engine, expire_on_commit=False) as session:
                self.entity = make_entity(session, self.settings)
                session.commit()
        return self.entity

    def __call__(
        self,
        username: str = "oficial",
        role: Role = Role.OFFICER,
        **kwargs: Any,
    ) -> OfficerLogin:
        ent = self.ensure_entity()
        with Session(self.engine, expire_on_commit=False) as session:
            made = make_officer(session, self.settings, ent, username=username, role=role, **kwargs)
            session.commit()
        return made


@pytest.fixture
def officer_factory(casework_settings: Settings, clean_engine: Engine) -> OfficerFactory:
    return OfficerFactory(engine=clean_engine, settings=casework_settings)


@pytest.fixture
def db(clean_engine: Engine) -> Iterator[Session]:
    """A plain session on the app's database, for checking what the app committed."""
    with Session(clean_engine, expire_on_commit=False) as session:
        yield session

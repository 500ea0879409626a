"""Intake app fixtures: an app on the shared test database (committing, so clean_engine)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import EntityWithKeys
from factories import make_entity
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reporting import create_app


@pytest.fixture(scope="session", autouse=True)
def compiled_catalog() -> None:
    """Compile the English catalog when the .mo is missing or older than the .po (*.mo is
    git-ignored; `make translations` does the same)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    base = Path(__file__).resolve().parents[2] / "reporting" / "translations" / "en" / "LC_MESSAGES"
    po, mo = base / "messages.po", base / "messages.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    partial = mo.with_suffix(f".{os.getpid()}.tmp")
    with partial.open("wb") as fh:
        write_mo(fh, catalog)
    os.replace(partial, mo)  # atomic: parallel test workers never read half a catalog


@pytest.fixture
def app(settings, clean_engine: Engine) -> Flask:  # type: ignore[no-untyped-def]
    application = create_app(settings, engine=clean_engine)
    application.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return application


@pytest.fixture
def ent(settings, clean_engine: Engine) -> EntityWithKeys:  # type: ignore[no-untyped-def]
    with Session(clean_engine, expire_on_commit=False) as s:
        keys = make_entity(s, settings)
        s.commit()
    return keys


@pytest.fixture
def client(app: Flask, ent: EntityWithKeys) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


@pytest.fixture
def session_for(clean_engine: Engine) -> Iterator[Session]:
    with Session(clean_engine, expire_on_commit=False) as s:
        yield s

"""Issue 8: readiness that tells the truth. /ready checks schema, sealed server keys and
writes; after a wrong INTEGRA_SERVER_KEY it fails naming the cause, and the intake shows a
maintenance page instead of a 500, with nothing a person typed lost."""

from __future__ import annotations

import dataclasses
import secrets

from factories import make_entity
from intake_helpers import complaint_data
from intake_helpers import file_review
from intake_helpers import hidden_fields
from intake_helpers import with_files
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from casework import create_app as create_casework
from core.storage.models import Case
from reporting import create_app as create_reporting

CANARY = "canario-mantenimiento-7f3a"


def _wrong_key(settings):  # type: ignore[no-untyped-def]
    return dataclasses.replace(settings, server_key=secrets.token_hex(32))


def _use(app, settings) -> None:  # type: ignore[no-untyped-def]
    state = app.extensions["integra"]
    app.extensions["integra"] = dataclasses.replace(state, settings=settings)


def test_ready_on_both_apps_and_not_ready_with_a_wrong_server_key(settings, clean_engine):
    with Session(clean_engine) as s:
        make_entity(s, settings)
        s.commit()
    for factory in (create_reporting, create_casework):
        good = factory(settings, engine=clean_engine).test_client().get("/ready")
        assert good.status_code == 200 and good.get_json() == {"status": "ready"}
        app = factory(_wrong_key(settings), engine=clean_engine)
        assert app.test_client().get("/health").status_code == 200  # alive, not ready
        bad = app.test_client().get("/ready")
        assert bad.status_code == 503
        (problem,) = bad.get_json()["problems"]
        assert "INTEGRA_SERVER_KEY does not open the acknowledgement key" in problem


def test_a_wrong_server_key_shows_maintenance_and_loses_nothing(settings, clean_engine):
    with Session(clean_engine) as s:
        make_entity(s, settings)
        s.commit()
    app = create_reporting(settings, engine=clean_engine)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.get("/denunciar")
    data = with_files(complaint_data(facts=f"Hechos {CANARY}"), [("nota.txt", b"prueba")])
    review = file_review(client, data)

    _use(app, _wrong_key(settings))  # the administrator restarts with a wrong key
    assert client.get("/denunciar").status_code == 503
    assert "mantenimiento" in client.get("/denunciar").get_data(as_text=True)
    resp = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(review)))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert "todavía NO fue enviada" in page
    assert CANARY in page and "nota.txt" in page  # everything typed and attached is still here
    with Session(clean_engine) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0

    _use(app, settings)  # repaired: the same page sends
    resp = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(page)))
    assert resp.status_code == 200 and "código de seguimiento" in resp.get_data(as_text=True)
    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        assert len(case.attachments) == 1

"""Destinations come from core (DL 8.3; RG 4.9): the case page offers exactly what
core.law.workflow.allowed_destinations allows, and a crafted request for another destination
is answered 400 and recorded nowhere (no act, no forwarding, no audit entry, no view)."""

from __future__ import annotations

import re

from case_factory import make_case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import Destination
from core.law.enums import Role
from core.law.workflow import Act
from core.law.workflow import allowed_destinations
from core.storage.models import AuditEntry
from core.storage.models import CaseEvent
from core.storage.models import Forwarding

from .conftest import login


def _counts(db: Session) -> tuple[int, int, int]:
    db.expire_all()
    return (
        int(db.scalar(select(func.count(AuditEntry.id))) or 0),
        int(db.scalar(select(func.count(CaseEvent.id))) or 0),
        int(db.scalar(select(func.count(Forwarding.id))) or 0),
    )


def test_a_crafted_destination_is_refused_and_recorded_nowhere(
    casework_client, officer_factory, casework_settings, clean_engine, db
):
    ana = officer_factory("ana", Role.OFFICER)
    ent = officer_factory.ensure_entity()
    with Session(clean_engine, expire_on_commit=False) as s:
        code = make_case(s, casework_settings, ent).case.code
        s.commit()
    assert login(casework_client, ana.officer.username, ana.password, ana.totp_secret)
    verify = casework_client.post(
        f"/denuncias/{code}/actos/verify_requirements", data={"reasoning": "Cumple."}
    )
    assert verify.status_code == 303

    # The page offers the forwarding act with core's destinations, the titular not among them
    page = casework_client.get(f"/denuncias/{code}").get_data(as_text=True)
    form = page.split('id="act-forward"', 1)[1].split("</form>", 1)[0]
    offered = re.findall(r'<option value="([a-z_]+)"', form)
    assert offered == [d.value for d in allowed_destinations(Act.FORWARD)]
    assert "titular" not in offered

    before = _counts(db)
    crafted = casework_client.post(
        f"/denuncias/{code}/actos/forward",
        data={"reasoning": "Al titular.", "destination": Destination.TITULAR.value},
    )
    assert crafted.status_code == 400
    assert _counts(db) == before

"""Issue 13: the authorization matrix with two entities on one install.

Every casework route that names a case, a measure, a file or a message (case, measure,
retention blueprints) and every audit and statistics route is requested by entity A's
officer, head and auditor, holding A's keys, with entity B's ids: B's case codes, and B's
measure and attachment ids under A's own case code (ids guessed across entities). Each must
answer 403 or 404 and change nothing of B; the pages without ids (inbox, due view,
statistics, audit log) must show nothing of B. Routes come from the app's url_map, so a
route added later is covered.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from case_factory import evidence
from case_factory import make_case
from factories import make_entity
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import keysessions
from core.law.enums import MeasureType
from core.law.enums import Role
from core.storage.models import Attachment
from core.storage.models import AuditEntry
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Measure
from core.storage.models import Officer

ID_BLUEPRINTS = frozenset({"cases", "expediente", "measures", "retention"})
LIST_BLUEPRINTS = frozenset({"inbox", "stats", "audit_views"})
A_FACTS = "Hechos de la entidad A: compra de combustible."
B_FACTS = "Hechos de la entidad B: planilla fantasma en obras."
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def two(casework_app, officer_factory, clean_engine, casework_settings):  # type: ignore[no-untyped-def]
    a_users = {
        "officer": officer_factory("a-officer", Role.OFFICER).officer,
        "head": officer_factory("a-head", Role.HEAD).officer,
        "auditor": officer_factory("a-auditor", Role.AUDITOR).officer,
    }
    ent_a = officer_factory.ensure_entity()
    with Session(clean_engine, expire_on_commit=False) as s:
        ent_b = make_entity(s, casework_settings, name="Entidad Bravo de Prueba")
        a_case = make_case(s, casework_settings, ent_a, facts=A_FACTS).case
        # B files two: its first code is also A's (codes are per entity), its second is not
        b_first = make_case(
            s, casework_settings, ent_b, facts=B_FACTS,
            protection=(MeasureType.TRANSFER_COMPLAINANT,), attachments=[evidence()],
        ).case  # fmt: skip
        b_second = make_case(s, casework_settings, ent_b, facts=B_FACTS).case
        s.commit()
        b_measure = s.scalar(select(Measure.id).where(Measure.case_id == b_first.id))
        b_attachment = s.scalar(select(Attachment.id).where(Attachment.case_id == b_first.id))
    assert a_case.code == b_first.code != b_second.code
    assert b_measure is not None and b_attachment is not None
    return {
        "app": casework_app,
        "engine": clean_engine,
        "users": a_users,
        "keys": {"office": ent_a.office, "vault": ent_a.vault},
        "a_code": a_case.code,
        "b_codes": (b_first.code, b_second.code),
        "b_case_ids": (b_first.id, b_second.id),
        "b_measure": b_measure,
        "b_attachment": b_attachment,
        "b_name": ent_b.entity.name,
    }


def _client(two, user: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = two["app"].test_client()
    with Session(two["engine"], expire_on_commit=False) as session:
        officer = session.get(Officer, two["users"][user].id)
        assert officer is not None
        opened = keysessions.open_session(
            session,
            officer=officer,
            identities=two["keys"] if user != "auditor" else {},
            now=dt.datetime.now(dt.UTC),
        )
        session.commit()
    with client.session_transaction() as sess:
        sess["sid"] = opened.token
    return client


def _fill(rule: str, code: str, two) -> str:  # type: ignore[no-untyped-def]
    def one(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == "code":
            return code
        if name == "measure_id":
            return str(two["b_measure"])
        if name == "attachment_id":
            return str(two["b_attachment"])
        if name == "filename":
            return "casework.css"
        return "1" if match.group(1) == "int" else "x"

    return _PARAM.sub(one, rule)


def _b_state(two) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    with Session(two["engine"]) as s:
        ids = two["b_case_ids"]
        return (
            tuple(s.scalars(select(Case.state).where(Case.id.in_(ids)).order_by(Case.id))),
            s.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id.in_(ids))),
            tuple(s.scalars(select(Measure.state).where(Measure.case_id.in_(ids)))),
            s.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id.in_(ids))
            ),
        )


def _rules(app: Flask, blueprints: frozenset[str]) -> list[tuple[str, str, str]]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint.partition(".")[0] not in blueprints:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    return found


def test_entity_a_never_reaches_entity_b(two) -> None:  # type: ignore[no-untyped-def]
    before = _b_state(two)
    problems = []
    checked = 0
    id_rules = [r for r in _rules(two["app"], ID_BLUEPRINTS | LIST_BLUEPRINTS) if "<" in r[1]]
    assert any("<code>" in rule for _, rule, _ in id_rules)
    for user in ("officer", "head", "auditor"):
        for endpoint, rule, method in id_rules:
            codes = [two["b_codes"][1]]
            if "_id>" in rule:
                codes.append(two["a_code"])  # A's own case, B's measure or file id
            for code in codes:
                url = _fill(rule, code, two)
                response = _client(two, user).open(url, method=method, data={})
                checked += 1
                if response.status_code not in (403, 404):
                    problems.append(f"{user} {method} {url} ({endpoint}) -> {response.status_code}")
    assert checked >= 3 * len(id_rules)
    assert not problems, "\n".join(problems)
    assert _b_state(two) == before  # nothing of B changed


def test_pages_without_ids_show_nothing_of_b(two) -> None:  # type: ignore[no-untyped-def]
    pages = [r for r in _rules(two["app"], LIST_BLUEPRINTS | ID_BLUEPRINTS) if "<" not in r[1]]
    assert {e for e, _, _ in pages} >= {"inbox.index", "stats.index", "audit_views.index"}
    seen_ok = 0
    for user in ("officer", "head", "auditor"):
        for endpoint, rule, method in pages:
            if method != "GET":
                continue
            response = _client(two, user).get(rule)
            body = response.get_data(as_text=True)
            assert response.status_code < 500, (user, endpoint)
            if response.status_code == 200:
                seen_ok += 1
            assert two["b_codes"][1] not in body, (user, endpoint)
            assert two["b_name"] not in body, (user, endpoint)
            assert B_FACTS not in body, (user, endpoint)
    assert seen_ok >= 3  # each user reached at least one of these pages


def test_a_shared_code_opens_a_s_own_case(two) -> None:  # type: ignore[no-untyped-def]
    # The same code exists in both entities: A's head reads A's report, never B's
    page = _client(two, "head").get(f"/denuncias/{two['a_code']}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert A_FACTS in body and B_FACTS not in body

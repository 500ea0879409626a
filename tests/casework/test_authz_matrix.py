"""Authorization matrix (invariant 6): every route of the casework app × every kind of user.

The routes come from `casework_app.url_map`, so a route added later is covered without
editing this file; its expected outcome comes from EXPECTED (by endpoint), else from the
policy of its blueprint (case blueprints: only officers and heads may get in), else the
default: nobody gets in. A new route that lets someone in who is not listed fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from core.access import keysessions
from core.law.enums import Role
from core.storage.models import Officer

PUBLIC = "public"
ANY = "any-logged-in"
OFFICER, HEAD, AUDITOR, ADMIN = Role.OFFICER, Role.HEAD, Role.AUDITOR, Role.ADMIN
TITULAR = Role.TITULAR  # RG 4.9: complaints against the OII, and only those
PLATFORM = Role.PLATFORM

# Endpoint -> who may get in. Roles not listed must get 403 (401/redirect if anonymous).
EXPECTED: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    "health": PUBLIC,
    "ready": PUBLIC,  # monitoring: names causes, never data
    "too_large": PUBLIC,  # the proxy's 413 page
    "auth.login": PUBLIC,
    "auth.login_totp": PUBLIC,
    "auth.login_enrol": PUBLIC,
    "auth.home": ANY,
    "auth.account": ANY,
    "auth.password": ANY,
    "auth.logout": ANY,
    "auth.logout_everywhere": ANY,
    "admin.index": frozenset({ADMIN}),
    "admin.create": frozenset({ADMIN}),
    "admin.deactivate": frozenset({ADMIN}),
    "admin.activate": frozenset({ADMIN}),
    "admin.reset_password": frozenset({ADMIN}),
    "admin.reset_totp": frozenset({ADMIN}),
    "admin.non_working_days": frozenset({ADMIN}),
    "admin.delete_non_working_day": frozenset({ADMIN}),
    "admin.keys": frozenset({OFFICER, HEAD, TITULAR}),
    "admin.redeem": frozenset({OFFICER, HEAD, TITULAR}),
    "stats.index": frozenset({AUDITOR, HEAD}),
    "stats.export": frozenset({AUDITOR, HEAD}),
    "audit_views.index": frozenset({AUDITOR, HEAD}),  # issue 12: the head reads it too
    "notices.account": frozenset({OFFICER, HEAD}),
    "notices.entity": frozenset({ADMIN}),
    # Issue 13: the platform operator's entity list (counts only) and nothing else.
    "platform.index": frozenset({PLATFORM}),
    "platform.disable": frozenset({PLATFORM}),
    "platform.enable": frozenset({PLATFORM}),
    # Case routes pinned exactly (the others follow CASE_POLICY below).
    # Registering a complaint received by another channel (issue 11): OII staff only.
    "channels.register_form": frozenset({OFFICER, HEAD, TITULAR}),
    "channels.register": frozenset({OFFICER, HEAD, TITULAR}),
    "cases.identity": frozenset({HEAD}),  # the identity vault: heads only (docs/threat-model.md)
}
# Blueprints holding case content: never the admin or the auditor (invariant 6).
# Officers and heads may get in or be refused (e.g. head-only vault routes); list an
# endpoint in EXPECTED to pin it exactly.
CASE_BLUEPRINTS = frozenset({"inbox", "cases", "expediente", "measures", "badfaith", "retention"})
CASE_POLICY = "case"
# Endpoints reachable while a password change is pending.
PASSWORD_STEP = frozenset({"auth.password", "auth.logout"})
ROLE_USERS = {
    "officer": OFFICER,
    "head": HEAD,
    "auditor": AUDITOR,
    "admin": ADMIN,
    "titular": TITULAR,
    "platform": PLATFORM,
}
USERS = ("anonymous", "enrolling", "pwchange", *ROLE_USERS)


def policy(endpoint: str) -> str | frozenset[Role]:
    if endpoint in EXPECTED:
        return EXPECTED[endpoint]
    if endpoint.partition(".")[0] in CASE_BLUEPRINTS:
        return CASE_POLICY
    return frozenset()  # default: deny everyone


@dataclasses.dataclass
class World:
    app: Flask
    engine: object
    officers: dict[str, Officer]
    passwords: dict[str, str]
    identities: dict[str, dict[str, object]]
    case_id: int
    case_code: str
    victim_id: int
    day_id: int
    # RG 4.9: a complaint against the OII's own staff (the titular's only)
    oii_case_id: int = 0
    oii_case_code: str = ""


@pytest.fixture
def world(casework_app, officer_factory, clean_engine, casework_settings) -> World:
    officers: dict[str, Officer] = {}
    passwords: dict[str, str] = {}
    for name, role in ROLE_USERS.items():
        made = officer_factory(f"m-{name}", role)
        officers[name] = made.officer
        passwords[name] = made.password
    pw = officer_factory("m-pwchange", OFFICER)
    enrolling = officer_factory("m-enrolling", OFFICER, enrolled=False)
    victim = officer_factory("m-victim", OFFICER)
    officers["pwchange"], officers["enrolling"] = pw.officer, enrolling.officer
    passwords["pwchange"], passwords["enrolling"] = pw.password, enrolling.password
    ent = officer_factory.ensure_entity()
    identities = {
        "officer": {"office": ent.office},
        "head": {"office": ent.office, "vault": ent.vault},
        "pwchange": {"office": ent.office},
        "titular": {"office": ent.office},
    }
    case_id, case_code, day_id = _seed(clean_engine, casework_settings, ent)
    oii_case_id, oii_case_code = _seed_against_oii(clean_engine, casework_settings, ent)
    return World(
        app=casework_app,
        engine=clean_engine,
        officers=officers,
        passwords=passwords,
        identities=identities,  # type: ignore[arg-type]
        case_id=case_id,
        case_code=case_code,
        victim_id=victim.officer.id,
        day_id=day_id,
        oii_case_id=oii_case_id,
        oii_case_code=oii_case_code,
    )


def _seed_against_oii(engine, settings, ent) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    from case_factory import make_case

    with Session(engine, expire_on_commit=False) as session:
        case = make_case(session, settings, ent).case
        case.against_oii = True
        session.commit()
        return case.id, case.code


def _seed(engine, settings, ent) -> tuple[int, str, int]:  # type: ignore[no-untyped-def]
    from core.storage.models import NonWorkingDay

    with Session(engine, expire_on_commit=False) as session:
        try:
            from case_factory import make_case

            receipt = make_case(session, settings, ent)
            case_id, code = receipt.case.id, receipt.case.code
        except ImportError:  # pragma: no cover - the intake ships with the case factory
            case_id, code = 1, "D-2026-000001"
        day = NonWorkingDay(entity_id=ent.entity.id, day=dt.date(2026, 12, 24), reason="x")
        session.add(day)
        session.commit()
        return case_id, code, day.id


def _client(world: World, user: str) -> FlaskClient:
    """A client in the given state, with a session opened directly (not via the form:
    each login would use up a TOTP step, and the matrix makes hundreds of requests)."""
    client = world.app.test_client()
    if user == "anonymous":
        return client
    with Session(world.engine, expire_on_commit=False) as session:  # type: ignore[arg-type]
        officer = session.get(Officer, world.officers[user].id)
        assert officer is not None
        # Undo what earlier requests of the matrix may have done (deactivate, resets).
        officer.active = True
        officer.totp_confirmed = user != "enrolling"
        officer.must_change_password = user == "pwchange"
        session.flush()
        opened = keysessions.open_session(
            session,
            officer=officer,
            identities=world.identities.get(user, {}),  # type: ignore[arg-type]
            now=dt.datetime.now(dt.UTC),
            pending=user == "enrolling",
        )
        session.commit()
    with client.session_transaction() as sess:
        sess["pending" if user == "enrolling" else "sid"] = opened.token
    return client


_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _url(world: World, rule: str) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "string", match.group(2)
        if name == "filename":
            return "casework.css"
        if name in ("officer_id",):
            return str(world.victim_id)
        if name == "day_id":
            return str(world.day_id)
        if name in ("case_id", "id") or converter == "int":
            return str(world.case_id)
        if name in ("code", "case_code"):
            return world.case_code
        return "x"

    return _PARAM.sub(fill, rule)


def _requests(app: Flask) -> Iterator[tuple[str, str, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, rule.rule, method


def _is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get(
        "Location", ""
    )


def _check(world: World, user: str, endpoint: str, rule: str, method: str) -> str | None:
    """None if the outcome matches the policy, else a description of the mismatch."""
    client = _client(world, user)
    url = _url(world, rule)
    response = client.open(url, method=method, data={})
    response.close()  # static files are streamed
    status = response.status_code
    where = f"{user:>9} {method:4} {url} ({endpoint}) -> {status}"
    if status >= 500:
        return where + ": server error"
    pol = policy(endpoint)
    if pol == PUBLIC:
        return None
    denied_anon = status in (401, 403) or _is_login_redirect(response)
    if user in ("anonymous", "enrolling"):
        return None if denied_anon else where + ": must require a full login"
    if user == "pwchange":
        if endpoint in PASSWORD_STEP:
            return None
        to_password = status == 302 and "/cuenta/contrasena" in response.headers["Location"]
        ok = to_password or status == 403
        return None if ok else where + ": must go to the password change first"
    role = ROLE_USERS[user]
    if _is_login_redirect(response) and endpoint not in ("auth.logout", "auth.logout_everywhere"):
        return where + ": a logged-in user was sent to the login page"
    if pol == ANY:
        return None if status != 403 else where + ": any logged-in officer may get in"
    if pol == CASE_POLICY:
        if role in (ADMIN, AUDITOR, PLATFORM):
            return None if status == 403 else where + ": case content must be refused (403)"
        if role is TITULAR and _names_a_case(rule) and status not in (403, 404):
            # RG 4.9: the world's case is not against the OII, so not the titular's
            return where + ": the titular must not reach a complaint the OII handles"
        return None
    assert isinstance(pol, frozenset)
    if role in pol:
        return None if status not in (401, 403) else where + ": should be allowed"
    # The titular meets the world's case (not against the OII) as a case that does not exist
    refused = status == 403 or (role is TITULAR and _names_a_case(rule) and status == 404)
    return None if refused else where + ": should be refused with 403"


def _names_a_case(rule: str) -> bool:
    return "<code>" in rule or "<case_code>" in rule


def _url_for_case(world: World, rule: str, code: str) -> str:
    return _url(world, rule).replace(world.case_code, code)


def test_oii_staff_are_barred_from_a_complaint_against_the_oii_on_every_route(world: World):
    """RG 4.9: a complaint against the OII's own staff or head is the titular's alone. Every
    route that names a case answers the OII's officer and head as if it did not exist (404),
    and changes nothing; the titular reaches its case page; the inboxes are split."""
    from sqlalchemy import func
    from sqlalchemy import select

    from core.storage.models import AuditEntry
    from core.storage.models import CaseEvent

    def recorded() -> tuple[int, int]:
        with Session(world.engine) as session:  # type: ignore[arg-type]
            return (
                int(
                    session.scalar(
                        select(func.count(AuditEntry.id)).where(
                            AuditEntry.case_id == world.oii_case_id
                        )
                    )
                    or 0
                ),
                int(
                    session.scalar(
                        select(func.count(CaseEvent.id)).where(
                            CaseEvent.case_id == world.oii_case_id
                        )
                    )
                    or 0
                ),
            )

    before = recorded()
    problems = []
    case_rules = [(e, r, m) for e, r, m in _requests(world.app) if _names_a_case(r)]
    assert len(case_rules) > 10
    for user in ("officer", "head"):
        for endpoint, rule, method in case_rules:
            url = _url_for_case(world, rule, world.oii_case_code)
            response = _client(world, user).open(url, method=method, data={})
            response.close()
            if response.status_code != 404:
                problems.append(f"{user} {method} {url} ({endpoint}) -> {response.status_code}")
    assert problems == [], "\n".join(problems)
    assert recorded() == before  # nothing read, nothing acted: not even a view was recorded

    titular = _client(world, "titular")
    assert titular.get(f"/denuncias/{world.oii_case_code}").status_code == 200
    assert titular.get(f"/denuncias/{world.case_code}").status_code == 404
    officer = _client(world, "officer")
    for page in ("/bandeja", "/vencimientos"):
        mine = titular.get(page).get_data(as_text=True)
        assert world.oii_case_code in mine and world.case_code not in mine, page
        theirs = officer.get(page).get_data(as_text=True)
        assert world.case_code in theirs and world.oii_case_code not in theirs, page


def test_every_route_is_in_the_matrix(world: World):
    problems = []
    count = 0
    for endpoint, rule, method in _requests(world.app):
        for user in USERS:
            count += 1
            problem = _check(world, user, endpoint, rule, method)
            if problem:
                problems.append(problem)
    assert count >= len(USERS) * len(EXPECTED) - len(USERS) * 5
    assert not problems, "\n".join(problems)


def test_every_non_public_view_is_decorated(casework_app: Flask):
    # Invariant 6 by construction: each view that is not a login step goes through
    # require_role (which tags the view function).
    missing = [
        endpoint
        for endpoint, view in casework_app.view_functions.items()
        if policy(endpoint) != PUBLIC and not hasattr(view, "integra_roles")
    ]
    assert not missing, f"views without require_role: {missing}"


def test_unknown_endpoints_default_to_deny():
    assert policy("newthing.view") == frozenset()
    assert policy("cases.something_new") == CASE_POLICY


def test_admin_and_auditor_never_reach_case_routes(world: World):
    case_rules = [
        (e, r, m) for e, r, m in _requests(world.app) if e.partition(".")[0] in CASE_BLUEPRINTS
    ]
    for user in ("admin", "auditor", "platform"):
        for endpoint, rule, method in case_rules:
            response = _client(world, user).open(_url(world, rule), method=method, data={})
            assert response.status_code == 403, (user, endpoint, method)


def test_matrix_catches_an_unprotected_route(world: World):
    # Given a route someone forgot to protect
    @world.app.get("/fuga")
    def leak() -> str:
        return "contenido"

    # Then the matrix reports it for every user, and the decoration check too
    assert _check(world, "anonymous", "leak", "/fuga", "GET") is not None
    assert _check(world, "admin", "leak", "/fuga", "GET") is not None
    assert not hasattr(world.app.view_functions["leak"], "integra_roles")


def test_matrix_catches_a_case_route_open_to_the_admin(world: World):
    from casework.auth import require_role

    @require_role(OFFICER, HEAD, ADMIN)
    def probe(case_id: int) -> str:
        return "contenido"

    world.app.add_url_rule("/casos-prueba/<int:case_id>", endpoint="cases.probe", view_func=probe)
    problem = _check(world, "admin", "cases.probe", "/casos-prueba/<int:case_id>", "GET")
    assert problem is not None
    assert "403" in problem

"""HTTP-level fuzzing of every form of both apps (issue 10, deliverable 8).

Every route that accepts POST (and every GET route, through its query string) is sent
hostile values for every field name any template or form uses: NUL and control characters,
ids past 2^31 and 2^63, negative and huge numbers, very long text, odd Unicode, malformed
dates and receipts, file parts. Requests carry a valid CSRF token (taken from a real page)
and come from the right kind of client: anonymous and logged-in complainant on the intake,
head of office, auditor and administrator on the casework app. Any 5xx, or an exception
escaping the app, is a failure.

Used by tests/test_fuzz_forms.py (CI, >= 2,000 inputs) and bench/fuzz.py (longer runs).
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from factories import make_entity
from factories import make_officer
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from casework import create_app as create_casework
from config import Settings
from core.law.enums import Role
from reporting import create_app as create_intake

ROOT = Path(__file__).resolve().parent.parent
# Routes that would end the fuzzing client's own login: still fuzzed by the anonymous client.
SESSION_ENDERS = ("logout", "salir", "/login")
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 40,
    "\x01\x02\x1b[31m\x7f",
    "0",
    "-1",
    "1",
    "2",
    "3",
    str(2**31 - 1),
    str(2**31),
    str(2**32 + 5),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    "9" * 40,
    "-" + "9" * 30,
    "1e309",
    "NaN",
    "0x10",
    "1.5",
    "2026-02-30",
    "2026-13-01",
    "9999-12-31",
    "0001-01-01",
    "26/03/2026",
    "7KQF-9M2X-C4TR-H8WN",
    "7KQF\x00-9M2X-C4TR-H8WN",
    "D-2026-000001",
    "D-2026-" + "9" * 30,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "%(x)s %s {0}",
    "../../etc/passwd",
    "ñandú áéíóú 中文 🙂",
    "\ud7ff\ue000\ufeff\u202e",
    "x" * 70_000,
    "y" * 300,
    "on",
    "y",
    "office",
    "vault",
    "con_reserva",
    "anonima",
    "favorecimiento_soborno",
    "en",
    "es",
]


def field_names() -> list[str]:
    """Every field name the templates and forms of both apps use."""
    names: set[str] = set()
    for base in ("reporting", "casework"):
        for path in (ROOT / base).rglob("*"):
            if path.suffix not in (".html", ".py") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            names.update(re.findall(r'name="([A-Za-z_][\w.-]*)"', text))
            if path.name == "forms.py":
                names.update(re.findall(r"^\s+(\w+)\s*=\s*\w+Field\(", text, re.M))
    names.update(f"persons-{i}-{part}" for i in range(3) for part in ("name", "post"))
    names.discard("csrf_token")
    return sorted(names)


@dataclass
class Actor:
    name: str
    client: FlaskClient
    app: Flask
    token: str = ""
    home: str = "/"


@dataclass
class Result:
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _csrf(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else ""


def _login_officer(app: Flask, username: str, made: Any) -> FlaskClient:
    import datetime as dt

    from core.access import officers

    step = officers.totp_step(dt.datetime.now(dt.UTC))
    client = app.test_client()
    token = _csrf(client, "/login")
    first = client.post(
        "/login", data={"username": username, "password": made.password, "csrf_token": token}
    )
    assert first.status_code == 302, first.status_code
    token = _csrf(client, first.headers["Location"])
    done = client.post(
        first.headers["Location"],
        data={"code": officers.totp_code(made.totp_secret, step), "csrf_token": token},
    )
    assert done.status_code == 302, done.status_code
    return client


def _urls(app: Flask, rng: random.Random, case_code: str, post: bool) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = rule.methods or set()
        if post and "POST" not in methods:
            continue
        if not post and "GET" not in methods:
            continue
        values: dict[str, Any] = {}
        for arg in rule.arguments:
            conv = rule._converters[arg]  # noqa: SLF001 - which converter decides the value
            if type(conv).__name__.endswith("IdConverter") or "Integer" in type(conv).__name__:
                values[arg] = rng.choice([1, 2, 3, 2**31 - 1])
            elif arg == "code":
                values[arg] = case_code
            else:
                values[arg] = rng.choice(["x", "oficina", "verify_requirements", "grant", "1"])
        built = rule.build(values, append_unknown=False)
        assert built is not None, rule.rule  # every route is fuzzed, none silently skipped
        urls.append(built[1])
    return urls


def _payload(rng: random.Random, names: list[str], token: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in rng.sample(names, k=min(len(names), rng.randint(1, 12))):
        if rng.random() < 0.1:
            data[name] = [rng.choice(HOSTILE), rng.choice(HOSTILE)]
        else:
            data[name] = rng.choice(HOSTILE)
    if rng.random() < 0.2:
        blob = rng.choice(
            [b"", b"\x00" * 64, b"%PDF-1.4 broken", b"\xff\xd8\xff\xe0junk", b"PK\x03\x04"]
        )
        fname = rng.choice(["a.pdf", "\x00.jpg", "x" * 300 + ".png", "../../x.docx", "ñ.txt"])
        data["files"] = (io.BytesIO(blob), fname)
    data["csrf_token"] = token
    return data


def _query(rng: random.Random, names: list[str]) -> str:
    from urllib.parse import urlencode

    pairs = [(n, rng.choice(HOSTILE)[:2000]) for n in rng.sample(names, k=min(len(names), 4))]
    return urlencode(pairs)


def _send(actor: Actor, method: str, url: str, data: dict[str, Any], result: Result) -> int:
    result.requests += 1
    try:
        if method == "POST":
            resp = actor.client.post(url, data=data, content_type="multipart/form-data")
        else:
            resp = actor.client.get(url)
        status = resp.status_code
        resp.close()
    except Exception as exc:  # noqa: BLE001 - an escaping exception is what we look for
        result.failures.append(f"{actor.name} {method} {url}: {type(exc).__name__}: {exc}"[:400])
        return 500
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if status >= 500:
        shown = {k: (v if isinstance(v, str) else type(v).__name__) for k, v in data.items()}
        result.failures.append(f"{actor.name} {method} {url} -> {status} {shown!r}"[:600])
    return status


def setup_world(settings: Settings, engine: Engine) -> tuple[Flask, Flask, dict[str, Any]]:
    """Both apps (CSRF on), an entity, a head, an auditor, an admin and a filed complaint."""
    from case_factory import make_case

    with Session(engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        people = {
            role: make_officer(s, settings, ent, username=f"fuzz.{role.value}", role=role)
            for role in (Role.HEAD, Role.AUDITOR, Role.ADMIN)
        }
        receipt = make_case(s, settings, ent)
        s.commit()
    intake = create_intake(settings, engine=engine)
    casework = create_casework(settings, engine=engine)
    for app in (intake, casework):
        app.config.update(TESTING=True, WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=True)
    return intake, casework, {"people": people, "receipt": receipt}


def actors(intake: Flask, casework: Flask, world: dict[str, Any]) -> Iterator[Actor]:
    anonymous = Actor("anonymous-intake", intake.test_client(), intake, home="/denunciar")
    anonymous.token = _csrf(anonymous.client, "/denunciar")
    yield anonymous
    complainant = Actor("complainant", intake.test_client(), intake, home="/seguimiento")
    token = _csrf(complainant.client, "/seguimiento")
    code = world["receipt"].code
    assert (
        complainant.client.post(
            "/seguimiento", data={"receipt": code, "csrf_token": token}
        ).status_code
        == 303
    )
    complainant.token = _csrf(complainant.client, "/seguimiento")
    yield complainant
    outsider = Actor("anonymous-casework", casework.test_client(), casework, home="/login")
    outsider.token = _csrf(outsider.client, "/login")
    yield outsider
    # The administrator goes last: its fuzzing may deactivate the others.
    for role in (Role.HEAD, Role.AUDITOR, Role.ADMIN):
        made = world["people"][role]
        client = _login_officer(casework, made.officer.username, made)
        actor = Actor(role.value, client, casework, home="/cuenta")
        actor.token = _csrf(client, "/cuenta")
        yield actor


def run(settings: Settings, engine: Engine, *, count: int, seed: int = 10) -> Result:
    """Send about `count` fuzzed requests, spread over every actor and route."""
    rng = random.Random(seed)
    names = field_names()
    intake, casework, world = setup_world(settings, engine)
    result = Result()
    all_actors = list(actors(intake, casework, world))
    per_actor = max(1, count // len(all_actors))
    case_code = world["receipt"].case.code
    for actor in all_actors:
        logged_in = actor.name not in ("anonymous-intake", "anonymous-casework")
        posts = [
            u
            for u in _urls(actor.app, rng, case_code, post=True)
            if not (logged_in and any(s in u for s in SESSION_ENDERS))
        ]
        gets = [
            u
            for u in _urls(actor.app, rng, case_code, post=False)
            if not any(s in u for s in SESSION_ENDERS)
        ]
        for i in range(per_actor):
            if i % 4 == 3 and gets:
                url = rng.choice(gets) + "?" + _query(rng, names)
                _send(actor, "GET", url, {}, result)
            else:
                url = rng.choice(posts)
                status = _send(actor, "POST", url, _payload(rng, names, actor.token), result)
                if status == 400:
                    # A form may end or rotate the session (and its CSRF token): take a
                    # fresh token, as a browser reloading the page would.
                    actor.token = _csrf(actor.client, actor.home)
    return result

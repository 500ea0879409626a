"""The inbox and due/overdue pages: filters, paging and who may see them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from case_factory import make_case
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.law.enums import DeadlineKind
from core.law.enums import Motive
from core.law.enums import Role
from core.storage.models import AuditEntry
from core.storage.models import Case
from core.storage.models import Deadline

from .conftest import login


@pytest.fixture
def office(officer_factory, casework_settings, clean_engine):  # type: ignore[no-untyped-def]
    ana = officer_factory("ana", Role.OFFICER)
    ent = officer_factory.ensure_entity()
    codes = []
    with Session(clean_engine, expire_on_commit=False) as session:
        for i in range(3):
            motives = (Motive.INFLUENCE_PEDDLING,) if i == 1 else (Motive.IRREGULAR_PROCUREMENT,)
            case = make_case(session, casework_settings, ent, motives=motives).case
            codes.append(case.code)
        session.commit()
    return {"ana": ana, "codes": codes}


def as_(client, who):  # type: ignore[no-untyped-def]
    assert login(client, who.officer.username, who.password, who.totp_secret).status_code == 302
    return client


def codes_in(html: str) -> list[str]:
    return re.findall(r">(D-\d{4}-\d+)</a>", html)


def test_inbox_lists_cases_with_deadlines_and_decrypts_nothing(casework_client, office, db):
    client = as_(casework_client, office["ana"])
    page = client.get("/bandeja")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert sorted(codes_in(html)) == sorted(office["codes"])
    assert "Verificar requisitos" in html
    assert "En verificación de requisitos" in html
    # Listing is clear metadata only: no decryption, so no case.viewed audit entry.
    assert not db.scalars(select(AuditEntry).where(AuditEntry.action == "case.viewed")).all()


def test_filters_search_and_paging(casework_client, office, clean_engine):
    client = as_(casework_client, office["ana"])
    first, second, third = office["codes"]

    html = client.get("/bandeja?motivo=invocacion_influencias").get_data(as_text=True)
    assert codes_in(html) == [second]
    html = client.get(f"/bandeja?codigo={third.lower()}").get_data(as_text=True)
    assert codes_in(html) == [third]
    html = client.get("/bandeja?asignacion=mias").get_data(as_text=True)
    assert codes_in(html) == []
    assert "No hay denuncias con estos filtros." in html
    # Unknown filter values are ignored, not errors.
    assert client.get("/bandeja?estado=nope&modalidad=x&orden=y").status_code == 200

    # Only one overdue (the others due far ahead): the overdue filter picks it alone.
    with Session(clean_engine) as session:
        session.execute(update(Case).values(next_deadline_on=dt.date(2099, 1, 5)))
        session.execute(
            update(Case).where(Case.code == first).values(next_deadline_on=dt.date(2020, 1, 2))
        )
        session.commit()
    html = client.get("/bandeja?vencidas=1&orden=plazo").get_data(as_text=True)
    assert codes_in(html) == [first]
    assert "VENCIDO" in html


def test_keyset_paging_links(casework_client, office, monkeypatch):
    monkeypatch.setattr("casework.inbox_pages.PAGE_SIZE", 2)
    client = as_(casework_client, office["ana"])
    html = client.get("/bandeja").get_data(as_text=True)
    assert len(codes_in(html)) == 2
    link = re.search(r'href="(/bandeja\?cursor=[^"]+)"', html)
    assert link
    rest = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(codes_in(rest)) == 1
    assert set(codes_in(html) + codes_in(rest)) == set(office["codes"])
    bad = client.get("/bandeja?cursor=garbage")
    assert bad.status_code == 200
    assert "no es válido" in bad.get_data(as_text=True)
    # A well-formed cursor carrying an id no database column can hold: same message, no 500.
    forged = "eyJpIjoxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwLCJzIjoiZmlsZWQiLCJ0IjoiMjAy" + (
        "Ni0wMS0wMVQwMDowMDowMCJ9"
    )
    for url in (f"/bandeja?cursor={forged}", f"/vencimientos?cursor={forged}"):
        page = client.get(url)
        assert page.status_code == 200
        assert "no es válido" in page.get_data(as_text=True)


def test_due_view_mine_and_office(casework_client, office, clean_engine):
    client = as_(casework_client, office["ana"])
    first = office["codes"][0]
    # Assigned through the case page, which moves the case's clocks to ana's view
    response = client.post(
        f"/denuncias/{first}/asignar", data={"officer_id": str(office["ana"].officer.id)}
    )
    assert response.status_code == 303
    with Session(clean_engine) as session:
        case = session.scalars(select(Case).where(Case.code == first)).one()
        session.execute(
            update(Deadline).where(Deadline.case_id == case.id).values(due_on=dt.date(2020, 1, 2))
        )
        session.commit()

    mine = client.get("/vencimientos?alcance=mios").get_data(as_text=True)
    assert codes_in(mine) == [first]
    assert "VENCIDO" in mine
    # By default the whole office: unassigned complaints' clocks run too (issue 12).
    everyone = client.get("/vencimientos?horizonte=60").get_data(as_text=True)
    assert set(codes_in(everyone)) == set(office["codes"])
    assert str(DeadlineKind.VERIFY_REQUIREMENTS) not in everyone  # labels, not codes
    assert client.get("/vencimientos?horizonte=abc").status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_admin_and_auditor_cannot_see_the_inbox(casework_client, officer_factory, office, role):
    other = officer_factory(f"user-{role.value}", role)
    client = as_(casework_client, other)
    assert client.get("/bandeja").status_code == 403
    assert client.get("/vencimientos").status_code == 403
    assert client.get(f"/denuncias/{office['codes'][0]}").status_code == 403


def test_anonymous_visitor_is_sent_to_login(casework_client, office):
    response = casework_client.get("/bandeja")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_every_case_view_msgid_has_english():
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    po = root / "casework" / "translations_cases" / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        english = {str(m.id): m.string for m in read_po(fh) if m.id}
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    used: set[str] = set()
    sources = [
        (
            root / "casework",
            [
                ("inbox_pages.py", "python"),
                ("labels.py", "python"),
                ("case_pages.py", "python"),
                ("refusals.py", "python"),
                ("identity_pages.py", "python"),
                ("measure_pages.py", "python"),
                ("channel_pages.py", "python"),
                ("expediente_pages.py", "python"),
            ],
        ),
        *[
            (root / "casework" / "templates" / sub, [("**.html", "jinja2")])
            for sub in ("inbox", "cases", "measures", "channels")
        ],
    ]
    for directory, method_map in sources:
        for _f, _l, message, _c, _ctx in extract_from_dir(
            str(directory), method_map, keywords=keywords
        ):
            used.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    assert len(used) > 250
    missing = sorted(m for m in used if not english.get(m))
    assert missing == [], f"msgids without English (casework/translations_cases): {missing}"


def test_inbox_in_english_on_request(casework_client, office):
    client = as_(casework_client, office["ana"])
    html = client.get("/bandeja?lang=en").get_data(as_text=True)
    assert "Complaints inbox" in html
    assert "Verifying requirements" in html

"""Issue 12: the inbox marks a case whose complainant sent something no officer has opened
(a message, a retaliation report, a later protection request) and says at the top what needs
action today; opening the case page reads them, and the page shows which were new."""

from __future__ import annotations

import datetime as dt

from case_factory import make_case
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Role
from core.services.messages import post_message
from core.storage.db import utcnow
from core.storage.models import Deadline

from .conftest import login


def _row(html: str, code: str) -> str:
    return html.split(f">{code}</a>", 1)[1].split("</tr>", 1)[0]


def test_markers_and_the_count_until_an_officer_opens_the_case(
    casework_client, officer_factory, casework_settings, clean_engine
):
    ana = officer_factory("ana", Role.OFFICER)
    ent = officer_factory.ensure_entity()
    with Session(clean_engine, expire_on_commit=False) as s:
        busy = make_case(s, casework_settings, ent).case
        quiet = make_case(s, casework_settings, ent).case
        for kind, body in (
            (MessageKind.RETALIATION, "Me cambiaron de turno."),
            (MessageKind.MESSAGE, "¿Hay novedades?"),
        ):
            post_message(
                s,
                busy,
                direction=MessageDirection.FROM_COMPLAINANT,
                kind=kind,
                body=body,
                officer_id=None,
                now=utcnow(),
            )
        # Every clock far ahead, but one of the quiet case's overdue.
        s.execute(update(Deadline).values(due_on=dt.date.today() + dt.timedelta(days=60)))
        first = s.scalars(select(Deadline.id).where(Deadline.case_id == quiet.id)).first()
        s.execute(
            update(Deadline)
            .where(Deadline.id == first)
            .values(due_on=dt.date.today() - dt.timedelta(days=20))
        )
        s.commit()
        busy_code, quiet_code = busy.code, quiet.code
    assert login(casework_client, "ana", ana.password, ana.totp_secret).status_code == 302

    html = casework_client.get("/bandeja").get_data(as_text=True)
    top = html.split('data-testid="action-today"', 1)[1].split("</p>", 1)[0]
    assert "2 mensajes del denunciante sin leer" in top
    assert "1 plazos vencidos" in top
    assert "Requiere acción hoy: 3" in top
    busy_row = _row(html, busy_code)
    assert "Represalia reportada" in busy_row and "1 mensaje nuevo" in busy_row
    assert "Represalia reportada" not in _row(html, quiet_code)

    case_page = casework_client.get(f"/denuncias/{busy_code}").get_data(as_text=True)
    assert case_page.count('data-testid="message-new-') == 2  # shown as new this once
    again = casework_client.get(f"/denuncias/{busy_code}").get_data(as_text=True)
    assert 'data-testid="message-new-' not in again

    html = casework_client.get("/bandeja").get_data(as_text=True)
    assert f'data-testid="unread-{busy_code}"' not in html
    top = html.split('data-testid="action-today"', 1)[1].split("</p>", 1)[0]
    assert "0 mensajes del denunciante sin leer" in top


def test_the_count_and_markers_in_english(
    casework_client, officer_factory, casework_settings, clean_engine
):
    ana = officer_factory("ana", Role.OFFICER)
    ent = officer_factory.ensure_entity()
    with Session(clean_engine, expire_on_commit=False) as s:
        case = make_case(s, casework_settings, ent).case
        post_message(
            s,
            case,
            direction=MessageDirection.FROM_COMPLAINANT,
            kind=MessageKind.PROTECTION_REQUEST,
            body="Pido protección.",
            officer_id=None,
            now=utcnow(),
        )
        s.commit()
    assert login(casework_client, "ana", ana.password, ana.totp_secret).status_code == 302
    html = casework_client.get("/bandeja?lang=en").get_data(as_text=True)
    assert "Needs action today" in html
    assert "1 unread messages from complainants" in html
    assert "Asks for protection" in html

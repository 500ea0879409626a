"""DL 8.3 and DL 8.1 ¶2 as the complainant meets them: an archived complaint passed on to a
competent body appears on the follow-up timeline with the body, never with the reasoning."""

from __future__ import annotations

import datetime as dt

from case_factory import make_case

import crypto
from core.law.calendar import PERU_TZ
from core.law.enums import Destination
from core.law.workflow import Act
from core.services import case_records
from core.services import cases
from core.services.subsanacion import record_notice_opened


def at_lima(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, 10, tzinfo=PERU_TZ).astimezone(dt.UTC)


def test_an_archived_complaint_passed_on_shows_on_the_timeline(client, ent, session_for, settings):
    filed = make_case(session_for, settings, ent, now=at_lima(13))
    case = filed.case
    calendar = case_records.calendar_for(session_for, case.entity)
    office = [crypto.parse_recipient(ent.entity.office_recipient)]
    reasoning = "RAZONAMIENTO-INTERNO: hay materialidad."
    for when, act, extra in (
        (16, Act.REQUEST_SUBSANACION, {"missing_items": [2]}),
        (20, Act.DECLARE_WITHDRAWAL, {}),  # Thu 19 was the last day to answer (RG 4.4)
        (25, Act.REFER_ARCHIVED, {"destination": Destination.PROCURADURIA}),
    ):
        cases.apply_act(
            session_for,
            case,
            act,
            officer=None,
            reasoning=reasoning,
            now=at_lima(when),
            calendar=calendar,
            office_recipients=office,
            **extra,  # type: ignore[arg-type]
        )
        if act is Act.REQUEST_SUBSANACION:  # the complainant opens it the same day (RG 4.4)
            record_notice_opened(session_for, case, now=at_lima(when), calendar=calendar)
    session_for.commit()
    client.post("/seguimiento", data={"receipt": filed.code})
    page = client.get("/seguimiento").get_data(as_text=True)
    assert "Archivada por desistimiento" in page
    tail = page.split("fue remitida a un órgano competente", 1)
    assert len(tail) == 2, page[-3000:]
    assert "Procuraduría Pública" in tail[1][:400]
    assert "RAZONAMIENTO-INTERNO" not in page

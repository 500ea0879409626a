"""The complainant's follow-up page shows the text the office wrote for them with each act,
and never the act's internal reasoning (issue 12)."""

from __future__ import annotations

from case_factory import make_case
from factories import make_officer

import crypto
from core.law.enums import MeasureType
from core.law.enums import Role
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.services import case_records
from core.services import cases as case_services
from core.services.measures import apply_measure_act
from core.storage.db import utcnow

INTERNAL = "INTERNO: el denunciado es pariente del gerente general."
ASKED = "Indique el cargo de la persona denunciada. Si no responde a tiempo, se archiva."
DENIED = "No hay plaza equivalente en otra sede de la provincia: se deniega el traslado."


def test_the_page_shows_the_notice_and_never_the_reasoning(client, ent, session_for, settings):
    filed = make_case(session_for, settings, ent, protection=(MeasureType.TRANSFER_COMPLAINANT,))
    head = make_officer(session_for, settings, ent, username="jefa.aviso", role=Role.HEAD).officer
    case = filed.case
    common = {
        "officer": head,
        "now": utcnow(),
        "calendar": case_records.calendar_for(session_for, case.entity),
        "office_recipients": [crypto.parse_recipient(ent.entity.office_recipient)],
    }
    (measure,) = case.measures
    apply_measure_act(session_for, measure, MeasureAct.DENY, reasoning=INTERNAL, **common)
    apply_measure_act(
        session_for,
        measure,
        MeasureAct.NOTIFY_COMPLAINANT,
        reasoning=INTERNAL + " (notificación)",
        notice=DENIED,
        **common,
    )
    case_services.apply_act(
        session_for,
        case,
        Act.REQUEST_SUBSANACION,
        reasoning=INTERNAL,
        missing_items=[2],
        notice=ASKED,
        **common,
    )
    session_for.commit()

    client.post("/seguimiento", data={"receipt": filed.code})
    page = client.get("/seguimiento").get_data(as_text=True)
    # The subsanación card says what exactly is missing in the office's words...
    card = page.split('data-testid="subsanacion"', 1)[1].split("</section>", 1)[0]
    assert ASKED in card
    # ...the notification of the measure carries the reasons of the denial...
    after = page.split("Se le comunicó la decisión sobre la medida", 1)[1].split("</li>", 1)[0]
    assert DENIED in after
    # ...and no internal reasoning reaches the complainant.
    assert "INTERNO" not in page
    assert "pariente" not in page

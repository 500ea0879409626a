"""Issue 13: a second entity receives complaints; the intake never preselects an office."""

from __future__ import annotations

import re

from factories import make_entity
from intake_helpers import complaint_data
from intake_helpers import file_review
from intake_helpers import submit_review
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.storage.models import Case


def test_each_entity_files_its_first_complaint(app, settings, clean_engine, session_for):
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate")
        piura = make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    for ent in (ate, piura, ate):
        with app.test_client() as c:
            c.get("/denunciar")
            confirmation = submit_review(c, file_review(c, complaint_data(entity=ent.entity.slug)))
            assert "seguimiento" in confirmation.lower()
    codes = {(case.entity_id, case.code) for case in session_for.scalars(select(Case)).all()}
    year = next(iter(codes))[1].split("-")[1]
    assert codes == {
        (ate.entity.id, f"D-{year}-000001"),
        (piura.entity.id, f"D-{year}-000001"),
        (ate.entity.id, f"D-{year}-000002"),
    }


def test_no_office_is_preselected_and_choosing_none_is_explained(app, settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        make_entity(s, settings, name="Municipalidad de Ate")
        make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    with app.test_client() as c:
        page = c.get("/denunciar").get_data(as_text=True)
        select_html = re.search(r'<select[^>]*name="entity".*?</select>', page, re.S)
        assert select_html is not None
        assert "selected" not in select_html.group(0)
        assert "Elija la entidad" in select_html.group(0)
        resp = c.post("/denunciar", data=complaint_data(entity=""))
        assert resp.status_code == 422
        body = resp.get_data(as_text=True)
        assert "Elija la entidad ante la que presenta la denuncia." in body
        assert complaint_data()["facts"] in body  # nothing typed is lost


def test_each_receipt_opens_its_own_entity_s_case_and_writes_to_its_office(
    app, settings, clean_engine, session_for
):
    # Issue 13: one follow-up address for the whole install; a receipt opens its own case,
    # the page names that case's entity and nothing of the other, and what the complainant
    # sends is sealed to their own entity's office key only.
    from intake_helpers import file_complaint

    import crypto
    from core.services.messages import read_message
    from core.storage.models import Message

    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate")
        piura = make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    filed = {}
    for ent, facts in ((ate, "Hechos en Ate."), (piura, "Hechos en Piura.")):
        with app.test_client() as c:
            receipt, _ = file_complaint(c, complaint_data(entity=ent.entity.slug, facts=facts))
        filed[ent.entity.slug] = (ent, receipt)
    codes = {s.code for s in session_for.scalars(select(Case))}
    assert len(codes) == 1  # both entities' first code: the receipt, not the code, decides
    for slug, (ent, receipt) in filed.items():
        other = next(e for s, (e, _) in filed.items() if s != slug)
        with app.test_client() as c:
            c.post("/seguimiento", data={"receipt": receipt})
            page = c.get("/seguimiento").get_data(as_text=True)
            assert f"Ante: {ent.entity.name}" in page
            assert other.entity.name not in page
            sent = c.post(
                "/seguimiento/mensaje",
                data={"kind": "message", "body": f"Mensaje para {ent.entity.name}."},
            )
            assert sent.status_code in (200, 302, 303), sent.get_data(as_text=True)[:500]
        session_for.expire_all()
        case = session_for.scalars(select(Case).where(Case.entity_id == ent.entity.id)).one()
        message = session_for.scalars(select(Message).where(Message.case_id == case.id)).one()
        assert read_message(message, [ent.office]) == f"Mensaje para {ent.entity.name}."
        try:
            read_message(message, [other.office])
        except crypto.NoIdentityMatch:
            pass
        else:
            raise AssertionError("the other entity's office key opened the message")

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

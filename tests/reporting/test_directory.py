"""Issue 13: the directory finds an entity among many; /e/<slug>/ files there; a disabled
entity receives nothing (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from factories import make_entity
from intake_helpers import complaint_data
from intake_helpers import file_review
from intake_helpers import submit_review
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import directory
from core.services import entities_admin
from core.storage.models import Case
from core.storage.models import Entity
from reporting import directory_pages


def _onboard(session, settings, name, acronym="", sector="", region=""):  # type: ignore[no-untyped-def]
    return entities_admin.add_entity(
        session, settings, name=name, acronym=acronym, sector=sector, region=region
    ).keys.entity


def _bare_entity(i: int) -> Entity:
    """A directory row without working keys (only its search matters)."""
    name = f"Municipalidad {i:03d}"
    return Entity(
        slug=f"muni-{i:03d}",
        name=name,
        office_recipient="age1x",
        vault_recipient="age1y",
        signing_public_key=b"k",
        signing_key_sealed=b"k",
        search_text=directory.search_text(name=name),
    )


def _index(session: Session, entity: Entity) -> None:
    session.add(entity)
    session.flush()
    directory.index_entity(session, entity)


def _names(found: directory.Found) -> list[str]:
    return [e.name for e in found.entities]


def test_fold_and_stem():
    assert directory.fold("  Ministerio de EDUCACIÓN, Ñaña ") == "ministerio de educacion nana"
    assert directory.stem("municipalidades") == "municipal"
    assert directory.stem("municipalidad") == "municipal"
    assert directory.stem("sal") == "sal"  # too short to cut
    assert directory.terms("de la Educación") == ["educ"]  # stopwords say nothing


def test_search_is_accent_and_case_insensitive(settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        _onboard(s, settings, "Ministerio de Educación", "MINEDU", "Educación", "Lima")
        _onboard(
            s, settings, "Municipalidad Provincial del Cusco", "MPC", "Gobierno local", "Cusco"
        )
        _onboard(s, settings, "Municipalidad Distrital de Ate", "", "Gobierno local", "Lima")
        _onboard(s, settings, "Superintendencia Nacional de Aduanas", "SUNAT", "Economía", "Lima")
        s.commit()
        assert _names(directory.search(s, "educacion")) == ["Ministerio de Educación"]
        assert _names(directory.search(s, "EDUCACIÓN")) == ["Ministerio de Educación"]
        assert _names(directory.search(s, "minedu")) == ["Ministerio de Educación"]
        assert _names(directory.search(s, "sunat")) == ["Superintendencia Nacional de Aduanas"]
        # Every word must match; a plural finds the singular
        assert _names(directory.search(s, "municipalidades lima")) == [
            "Municipalidad Distrital de Ate"
        ]
        assert len(directory.search(s, "municipalidad").entities) == 2
        # Part of a word typed
        assert _names(directory.search(s, "cusc")) == ["Municipalidad Provincial del Cusco"]
        assert directory.search(s, "hospital").entities == []
        assert directory.search(s, "de la").entities == []  # nothing searchable
        assert directory.search(s, "%").entities == []  # LIKE wildcards are text


def test_spanish_stemming_where_the_database_offers_it(settings, clean_engine):
    # "educativos" and "educación" share the Spanish stem "educ" (PostgreSQL's snowball
    # stemmer), but not the portable suffix strip ("educativ" is not in "educacion").
    with Session(clean_engine, expire_on_commit=False) as s:
        _onboard(s, settings, "Ministerio de Educación")
        s.commit()
        found = _names(directory.search(s, "servicios educativos"))
        portable = _names(directory.search(s, "educacion"))
    assert portable == ["Ministerio de Educación"]
    if clean_engine.dialect.name == "postgresql":
        assert found == []  # "servicios" is in no name: every word must match
        with Session(clean_engine) as s:
            assert _names(directory.search(s, "educativos")) == ["Ministerio de Educación"]
    else:
        with Session(clean_engine) as s:
            assert _names(directory.search(s, "educativos")) == []  # no stemmer on SQLite


def test_disabled_entities_are_not_listed(settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        gone = _onboard(s, settings, "Ministerio de Educación")
        assert entities_admin.set_active(s, gone, active=False, actor=None)
        assert not entities_admin.set_active(s, gone, active=False, actor=None)
        s.commit()
        assert directory.search(s, "educacion").entities == []


def test_directory_page_searches_on_the_server(app, settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        _onboard(s, settings, "Ministerio de Educación", "MINEDU")
        _onboard(s, settings, "Gobierno Regional de Piura")
        s.commit()
    with app.test_client() as c:
        page = c.get("/entidades").get_data(as_text=True)
        assert 'name="q"' in page and "<script" not in page
        page = c.get("/entidades?q=educacion").get_data(as_text=True)
        assert 'href="/e/ministerio-de-educacion/"' in page
        assert "Piura" not in page
        assert "1 entidad coincide." in page
        page = c.get("/entidades?q=hospital").get_data(as_text=True)
        assert "Ninguna entidad coincide con «hospital»" in page
        # Never a 500 for what a person can type
        for q in ("\x00", "a" * 5000, "%_\\", "é" * 300):
            assert c.get("/entidades", query_string={"q": q}).status_code == 200


def test_directory_page_lists_the_first_fifty_and_says_so(app, settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        for i in range(directory.MAX_RESULTS + 3):
            _index(s, _bare_entity(i))
        s.commit()
    with app.test_client() as c:
        page = c.get("/entidades?q=municipalidad").get_data(as_text=True)
    assert "53 entidades coinciden; se muestran las primeras 50" in page
    assert page.count('href="/e/muni-') == 50


def test_entity_address_preselects_it_and_files_there(app, settings, clean_engine, session_for):
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate").entity
        make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    with app.test_client() as c:
        page = c.get("/e/municipalidad-de-ate/").get_data(as_text=True)
        assert "/denunciar?entidad=municipalidad-de-ate" in page
        form = c.get("/denunciar?entidad=municipalidad-de-ate").get_data(as_text=True)
        assert re.search(r'<input type="hidden" name="entity" value="municipalidad-de-ate">', form)
        assert not re.search(r"<select[^>]*name=\"entity\"", form)
        assert "Municipalidad de Ate" in form
        review = file_review(c, complaint_data(entity="municipalidad-de-ate"))
        submit_review(c, review)
    cases = session_for.scalars(select(Case)).all()
    assert [case.entity_id for case in cases] == [ate.id]
    assert app.test_client().get("/e/nadie/").status_code == 404


def test_disabled_entity_says_so_and_receives_nothing(app, settings, clean_engine, session_for):
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate").entity
        make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    with app.test_client() as c:
        # The complainant reached the review page while the entity was still active...
        review = file_review(c, complaint_data(entity="municipalidad-de-ate"))
        with Session(clean_engine) as s:
            entities_admin.set_active(s, s.get(Entity, ate.id), active=False, actor=None)
            s.commit()
        # ...and sending is refused in plain Spanish, nothing filed
        resp = c.post(
            "/denunciar/enviar",
            data=dict(__import__("intake_helpers").hidden_fields(review)),
            content_type="multipart/form-data",
        )
        assert resp.status_code == 422
        assert "Municipalidad de Ate ya no recibe denuncias por este canal" in resp.get_data(
            as_text=True
        )
        page = c.get("/e/municipalidad-de-ate/")
        assert page.status_code == 410
        assert "Esta entidad ya no recibe denuncias por este canal." in page.get_data(as_text=True)
        to_page = c.get("/denunciar?entidad=municipalidad-de-ate")
        assert to_page.status_code == 302 and to_page.location.endswith("/e/municipalidad-de-ate/")
        form = c.get("/denunciar").get_data(as_text=True)
        assert "Municipalidad de Ate" not in form  # never offered again
    assert session_for.scalars(select(Case)).all() == []


def test_many_entities_send_the_form_to_the_directory(app, settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        make_entity(s, settings, name="Municipalidad de Ate")
        for i in range(directory_pages.SELECT_LIMIT):
            _index(s, _bare_entity(i))
        s.commit()
    with app.test_client() as c:
        resp = c.get("/denunciar")
        assert resp.status_code == 302 and resp.location.endswith("/entidades")
        assert c.get("/denunciar?entidad=municipalidad-de-ate").status_code == 200
        assert "/entidades" in c.get("/").get_data(as_text=True)


def test_what_a_person_types_in_addresses_is_never_a_500(app, settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        make_entity(s, settings, name="Municipalidad de Ate")
        make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    with app.test_client() as c:
        for slug in ("%00", "a%00b", "x" * 300, "%C3%B1and%C3%BA", "..", "%FF"):
            # 404, or 400 from the app-wide refusal of NUL characters
            assert c.get(f"/e/{slug}/").status_code in (400, 404), slug
            # An unknown entity: the form without one chosen
            assert c.get(f"/denunciar?entidad={slug}").status_code in (200, 400), slug
        for q in ("%00", "%FF", "a%00b"):
            assert c.get(f"/entidades?q={q}").status_code in (200, 400), q


def test_a_word_most_entities_carry_is_capped_not_sorted_in_full(app, settings, clean_engine):
    # Issue 13: the work is bounded by MATCH_CAP, not by how many entities carry the word;
    # the page says "more than" and asks for another word.
    with Session(clean_engine, expire_on_commit=False) as s:
        for i in range(directory.MATCH_CAP + 5):
            _index(s, _bare_entity(i))
        s.commit()
        found = directory.search(s, "municipalidad")
        assert found.capped and found.total == directory.MATCH_CAP
        assert len(found.entities) == directory.MAX_RESULTS
        # Listed by name among those read
        assert _names(found) == sorted(_names(found))
        # A second word that narrows it down is exact again, whatever the first matched.
        exact = directory.search(s, "municipalidad 007")
        assert not exact.capped and _names(exact) == ["Municipalidad 007"]
        assert exact.total == 1
    with app.test_client() as c:
        page = c.get("/entidades?q=municipalidad").get_data(as_text=True)
    assert f"Más de {directory.MATCH_CAP} entidades coinciden; se muestran 50." in page
    assert page.count('href="/e/muni-') == 50


def test_the_rarest_word_drives_whatever_order_it_was_typed_in(settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        for i in range(30):
            _index(s, _bare_entity(i))
        _onboard(
            s, settings, "Municipalidad Provincial del Cusco", "MPC", "Gobierno local", "Cusco"
        )
        s.commit()
        for query in ("municipalidad cusco", "cusco municipalidad", "cusc municipal provincial"):
            assert _names(directory.search(s, query)) == ["Municipalidad Provincial del Cusco"]


def test_when_every_word_is_common_the_rarer_still_drives(settings, clean_engine):
    # Issue 13: two words each carried by more than MATCH_CAP entities, and by none together
    # ("distrital provincial"): counted again beyond the cap, the rarer one drives, so the
    # search probes its entities rather than every entity of the word typed first.
    def bare(i: int, kind: str) -> Entity:
        entity = _bare_entity(i)
        entity.name = f"Municipalidad {kind} {i:03d}"
        entity.search_text = directory.search_text(name=entity.name)
        return entity

    with Session(clean_engine, expire_on_commit=False) as s:
        for i in range(directory.MATCH_CAP + 40):
            _index(s, bare(i, "Distrital"))
        for i in range(directory.MATCH_CAP + 40, 2 * directory.MATCH_CAP + 50):
            _index(s, bare(i, "Provincial"))
        s.commit()
        for query in ("distrital provincial", "provincial distrital"):
            stems = directory.terms(query)
            assert directory._rarest_first(s, stems) == ["provincial", "distrital"]
            assert directory.search(s, query).total == 0

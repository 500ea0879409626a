"""Issue 13: an entity's own host name (integra entity set-host): the intake answers it with
that entity's landing page and form; other hosts are unchanged; names are checked."""

from __future__ import annotations

import pytest
from factories import make_entity
from intake_helpers import complaint_data
from intake_helpers import file_review
from intake_helpers import submit_review
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.services import entities_admin
from core.services.entities_admin import EntityRefused
from core.storage.models import AuditEntry
from core.storage.models import Case

BAD_NAMES = (
    "localhost", "ate", "https://ate.gob.pe", "ate.gob.pe:443", "a b.pe", "-ate.gob.pe",
    "1.2.3.4", "ate.gob.pe/e", "x" * 64 + ".pe", "á.pe",
)  # fmt: skip


def test_host_names_are_checked_and_never_shared(settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate").entity
        piura = make_entity(s, settings, name="Gobierno Regional de Piura").entity
        for bad in BAD_NAMES:
            with pytest.raises(EntityRefused):
                entities_admin.set_host(s, ate, bad, actor=None)
        entities_admin.set_host(s, ate, " Denuncias.ATE.gob.pe. ", actor=None)
        assert ate.host == "denuncias.ate.gob.pe"
        with pytest.raises(EntityRefused, match="already the host name"):
            entities_admin.set_host(s, piura, "denuncias.ate.gob.pe", actor=None)
        assert entities_admin.by_host(s, "DENUNCIAS.ate.gob.pe:8443") == ate
        assert entities_admin.by_host(s, "otra.gob.pe") is None
        entities_admin.set_host(s, ate, None, actor=None)
        assert ate.host is None and entities_admin.by_host(s, "denuncias.ate.gob.pe") is None
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == ate.id))
        assert list(actions).count("entity.host_set") == 2


def test_the_entity_s_host_is_its_landing_page_and_form(app, settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate")
        piura = make_entity(s, settings, name="Gobierno Regional de Piura")
        entities_admin.set_host(s, ate.entity, "denuncias.ate.gob.pe", actor=None)
        s.commit()
    with app.test_client() as c:
        plain = c.get("/", base_url="https://canal.gob.pe").get_data(as_text=True)
        assert "Ante:" not in plain
        own = c.get("/", base_url="https://denuncias.ate.gob.pe").get_data(as_text=True)
        assert "Ante: Municipalidad de Ate" in own
        assert f"entidad={ate.entity.slug}" in own
        form = c.get("/denunciar", base_url="https://denuncias.ate.gob.pe")
        body = form.get_data(as_text=True)
        assert form.status_code == 200 and piura.entity.name not in body
    # Filed on that host: the form sends Ate's slug, and the case is Ate's.
    with app.test_client() as c:
        c.environ_base["HTTP_HOST"] = "denuncias.ate.gob.pe"
        c.get("/denunciar")
        data = complaint_data(entity=ate.entity.slug)
        submit_review(c, file_review(c, data))
    with Session(clean_engine) as s:
        (case,) = s.scalars(select(Case)).all()
        assert case.entity_id == ate.entity.id


def test_a_disabled_entity_s_host_says_so(app, settings, clean_engine):
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate")
        make_entity(s, settings, name="Gobierno Regional de Piura")
        entities_admin.set_host(s, ate.entity, "denuncias.ate.gob.pe", actor=None)
        entities_admin.set_active(s, ate.entity, active=False, actor=None)
        s.commit()
    with app.test_client() as c:
        resp = c.get("/", base_url="https://denuncias.ate.gob.pe")
        assert resp.status_code == 410
        assert "ya no recibe denuncias" in resp.get_data(as_text=True)


def _key_groups(entity) -> str:  # type: ignore[no-untyped-def]
    raw = entity.signing_public_key.hex()
    return " ".join(raw[i : i + 4] for i in range(0, 64, 4))


def test_the_landing_page_names_the_only_office_and_its_acknowledgement_key(
    app, settings, clean_engine
):
    # Issue 12: the complainant sees at which office they are, and the key its acuses are
    # signed with, to compare with the one the entity publishes.
    with Session(clean_engine, expire_on_commit=False) as s:
        ate = make_entity(s, settings, name="Municipalidad de Ate")
        s.commit()
    with app.test_client() as c:
        page = c.get("/").get_data(as_text=True)
        assert "Ante: Municipalidad de Ate" in page
        assert _key_groups(ate.entity) in page
        assert _key_groups(ate.entity) in c.get(f"/e/{ate.entity.slug}/").get_data(as_text=True)
    with Session(clean_engine, expire_on_commit=False) as s:
        make_entity(s, settings, name="Gobierno Regional de Piura")
        s.commit()
    with app.test_client() as c:  # two offices: the landing page names none
        page = c.get("/").get_data(as_text=True)
        assert "Ante:" not in page and _key_groups(ate.entity) not in page

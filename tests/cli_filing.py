"""Filing an anonymous complaint straight through core, for CLI tests that then act on it
with `integra …` commands (the intake's pages are tested elsewhere)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import load_settings
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import intake
from core.storage.db import make_engine
from core.storage.models import Entity


def file_anonymous(env: dict[str, str], slug: str | None = None, facts: str = "Hechos.") -> str:
    """File to the entity `slug` (the only one when None) of the instance `env` names;
    return the case code."""
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as s:
            query = select(Entity) if slug is None else select(Entity).where(Entity.slug == slug)
            entity = s.scalars(query).one()
            receipt = intake.submit_report(
                s, entity=entity, settings=settings, now=dt.datetime.now(dt.UTC), attachments=[],
                draft=intake.ReportDraft(
                    modality=Modality.ANONYMOUS, motives=(Motive.IRREGULAR_PROCUREMENT,),
                    facts=facts, occurred_when="", occurred_where="", persons_reported=(),
                    witnesses="", documents_location="", commitment=True,
                ),
            )  # fmt: skip
            s.commit()
            return receipt.case.code
    finally:
        engine.dispose()

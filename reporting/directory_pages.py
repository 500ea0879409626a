"""Finding the right office among many entities (issue 13), without JavaScript.

`/entidades?q=…` is the directory: a plain GET form searched on the server
(core.access.directory: accent- and case-insensitive, Spanish stemming on PostgreSQL),
never preselecting an entity. `/e/<slug>/` is each entity's own intake address: its name,
and the complaint form with that entity already chosen (`/denunciar?entidad=<slug>`), or,
when the entity was disabled, a plain notice that it receives no new complaints.

An entity may also have a host name of its own (`integra entity set-host`): on that host the
landing page is the entity's page and the form has that entity chosen, as on `/e/<slug>/`.

`entity_choices` decides what the complaint form offers: the one entity asked for (or the
host's own entity), else
every active entity in a drop-down while they are few (SELECT_LIMIT), else nothing (the
form sends the person to the directory instead of a list of thousands).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask import abort
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from core import web
from core.access import directory
from core.services import entities_admin
from core.storage.models import Entity
from reporting import common

# Above this many active entities the form has no drop-down: the directory finds the office.
SELECT_LIMIT = 30


@dataclass(frozen=True)
class EntityChoices:
    entities: list[Entity]  # what the form may offer (empty: go to the directory)
    chosen: Entity | None  # the one asked for (/e/<slug>/ or the posted value)
    several: bool  # more than one active entity on this install


def active_count(*, up_to: int) -> int:
    """How many entities receive complaints, counted only up to `up_to` (an index read of at
    most that many rows, whatever the number of entities). Counted once per request up to
    SELECT_LIMIT + 1, which answers every smaller `up_to` too (the form and its page ask
    for 31 and 2)."""
    bound = max(up_to, SELECT_LIMIT + 1)
    if g.get("active_count_bound", 0) < bound:
        ids = select(Entity.id).where(Entity.active.is_(True)).limit(bound).subquery()
        g.active_count = int(web.db().scalar(select(func.count()).select_from(ids)) or 0)
        g.active_count_bound = bound
    return min(int(g.active_count), up_to)


def _by_slug(slug: str | None) -> Entity | None:
    """The entity with this slug, active or not (looked up once per request)."""
    if not slug or len(slug) > 64:
        return None
    known: dict[str, Entity | None] = g.setdefault("entities_by_slug", {})
    if slug not in known:
        known[slug] = web.db().scalar(select(Entity).where(Entity.slug == slug))
    return known[slug]


def by_slug(slug: str | None) -> Entity | None:
    return _by_slug(slug)


def host_entity() -> Entity | None:
    """The entity whose own host name this request came to, or None (once per request)."""
    if "host_entity" not in g:
        g.host_entity = entities_admin.by_host(web.db(), request.host)
    found: Entity | None = g.host_entity
    return found


def is_disabled(slug: str | None) -> bool:
    entity = _by_slug(slug)
    return entity is not None and not entity.active


def entity_choices(requested: str | None) -> EntityChoices:
    """The form's entities. A disabled entity may be `chosen` (core refuses the filing and
    the page says why) but is never offered."""
    count = active_count(up_to=SELECT_LIMIT + 1)
    chosen = _by_slug(requested) or host_entity()
    if chosen is not None:
        return EntityChoices(entities=[chosen], chosen=chosen, several=count > 1)
    if count > SELECT_LIMIT:
        return EntityChoices(entities=[], chosen=None, several=True)
    return EntityChoices(entities=common.entities(), chosen=None, several=count > 1)


def form_elsewhere(form: Any) -> Any | None:
    """Where the complaint form sends the person instead of showing itself, or None: to the
    directory when there are too many entities for a list, to the entity's own page (which
    says so) when the one asked for is disabled."""
    if not form.entity.choices:
        return redirect(url_for("intake.directory_page"))
    if request.method == "GET" and is_disabled(request.args.get("entidad")):
        return redirect(url_for("intake.entity_page", slug=request.args["entidad"]))
    return None


def refusal_message(code: str, entity: Entity) -> str | None:
    """The plain message for a filing core refused because of the entity, or None."""
    if code != "entity_disabled":
        return None
    return str(
        gettext(
            "%(name)s ya no recibe denuncias por este canal: su denuncia NO fue enviada. "
            "Elija otra entidad o comuníquese con ella por otro medio.",
            name=entity.name,
        )
    )


def render_entity(entity: Entity) -> Any:
    """An entity's own page: its name and the way to its form (410 once disabled)."""
    return render_template("entity.html", entity=entity), 200 if entity.active else 410


def register(bp: Blueprint) -> None:
    """Add the directory and the per-entity addresses to the intake blueprint."""

    @bp.app_context_processor
    def several_entities() -> dict[str, Any]:
        # A callable: only the pages that ask pay for the count.
        return {"several_entities": lambda: active_count(up_to=2) > 1}

    @bp.get("/entidades")
    def directory_page() -> Any:
        common.remember_language()
        query = (request.args.get("q") or "")[: directory.MAX_QUERY]
        found = directory.search(web.db(), query) if query.strip() else None
        searchable = bool(directory.terms(query))
        return render_template(
            "directory.html",
            query=query,
            found=found,
            searchable=searchable,
            max_results=directory.MAX_RESULTS,
        )

    @bp.get("/e/<slug>/")
    def entity_page(slug: str) -> Any:
        common.remember_language()
        entity = _by_slug(slug)
        if entity is None:
            abort(404)
        return render_entity(entity)

    @bp.get("/e/<slug>")
    def entity_page_no_slash(slug: str) -> Any:
        return redirect(url_for("intake.entity_page", slug=slug), 308)

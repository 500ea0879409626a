"""Finding an entity among thousands: the intake directory's search (issue 13).

Accent- and case-insensitive everywhere: each entity keeps `search_text`, its name,
acronym, sector, region and slug lower-cased with the accents taken off (`fold`), and each
of those words in `entity_terms`; a query is folded the same way, so "educacion" finds
"Educación". Every word typed must match the start of a word of the entity, after a light
Spanish suffix strip ("municipalidades" finds "Municipalidad", "cusc" finds "Cusco"): a
range on the terms' B-tree, so the cost follows the matches, not the number of entities.
On PostgreSQL an entity also matches when the words match under the database's Spanish stemmer
(`to_tsvector('spanish', …) @@ plainto_tsquery('spanish', …)` over the words as written,
accents included, which Snowball needs; GIN index of revision 0009). SQLite has no
stemmer: the suffix strip is the portable fallback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import intersect
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.dialects import postgresql  # noqa: F401 (registers to_tsvector's types)
from sqlalchemy.orm import Session
from sqlalchemy.orm import load_only
from sqlalchemy.sql.elements import ColumnElement

from core.storage.models import ENTITY_WORDS_SQL
from core.storage.models import Entity
from core.storage.models import EntityTerm

MAX_QUERY = 200
MAX_RESULTS = 50
# Words that say nothing about which office: "de", "la"... are never a condition.
STOPWORDS = frozenset(
    ("a", "al", "con", "de", "del", "el", "en", "la", "las", "lo", "los", "para", "por",
     "que", "un", "una", "y", "e", "o", "u")
)  # fmt: skip
# Longest first; the stem must keep at least four letters.
_SUFFIXES = (
    "amientos", "imientos", "aciones", "iciones", "amiento", "imiento", "idades",
    "acion", "icion", "idad", "ales", "ores", "es", "os", "as", "s", "a", "o",
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case, no accents, letters and digits only, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", bare.replace("ñ", "n")))


def stem(word: str) -> str:
    """A light Spanish stem: one common inflectional or derivational suffix removed."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def search_text(*, name: str, acronym: str = "", sector: str = "", region: str = "",
                slug: str = "") -> str:  # fmt: skip
    return fold(" ".join((name, acronym, sector, region, slug.replace("-", " "))))


def terms(query: str) -> list[str]:
    """The stems a query asks for (empty when it holds nothing searchable)."""
    words = fold(query[:MAX_QUERY]).split()
    return [stem(w) for w in words if w not in STOPWORDS][:12]


def terms_of(folded: str) -> list[str]:
    """The words stored for an entity (entity_terms), from its folded search text."""
    return sorted({w[:64] for w in folded.split() if w not in STOPWORDS})


def index_entity(session: Session, entity: Entity) -> None:
    """Store `entity`'s words for the directory (after its name or labels changed)."""
    entity.search_text = search_text(
        name=entity.name,
        acronym=entity.acronym or "",
        sector=entity.sector or "",
        region=entity.region or "",
        slug=entity.slug,
    )
    session.flush()
    session.execute(delete(EntityTerm).where(EntityTerm.entity_id == entity.id))
    session.add_all(EntityTerm(term=t, entity_id=entity.id) for t in terms_of(entity.search_text))
    session.flush()


@dataclass(frozen=True)
class Found:
    entities: list[Entity]
    total: int  # all matches; only the first MAX_RESULTS are listed


def _starting_with(stem: str) -> Select[int]:
    """Entities with a word starting with `stem`: a range on the B-tree (terms are [a-z0-9],
    all below "~")."""
    return select(EntityTerm.entity_id).where(_in_range(EntityTerm.term, stem))


def _in_range(column: Any, stem: str) -> ColumnElement[bool]:
    return and_(column >= stem, column < stem + "~")


def _matching_ids(session: Session, query: str, stems: list[str]) -> Any:
    parts = [_starting_with(s) for s in stems]
    portable: Any = intersect(*parts) if len(parts) > 1 else parts[0].distinct()
    if session.get_bind().dialect.name != "postgresql":
        return portable
    config: ColumnElement[str] = literal_column("'spanish'::regconfig")
    written: ColumnElement[str] = literal_column(ENTITY_WORDS_SQL)  # the GIN index's expression
    # The words as written and as typed: Snowball needs the accents ("educación" -> "educ").
    clean = " ".join(re.findall(r"\w+", query[:MAX_QUERY]))
    stemmed = select(Entity.id).where(
        func.to_tsvector(config, written).op("@@")(func.plainto_tsquery(config, clean))
    )
    return union(portable, stemmed)


def search(session: Session, query: str, *, limit: int = MAX_RESULTS) -> Found:
    """Active entities with, for every word of `query`, a word starting with its stem (or,
    on PostgreSQL, matching under the Spanish stemmer); the first `limit` by name."""
    stems = terms(query)
    if not stems:
        return Found(entities=[], total=0)
    ids = _matching_ids(session, query, stems).subquery()
    rows = session.execute(
        select(Entity.id, Entity.name)
        .where(Entity.id.in_(select(ids.c[0])), Entity.active.is_(True))
        .order_by(Entity.name)
    ).all()
    first = [row[0] for row in rows[:limit]]
    # The listed columns only: a row also holds ~4 KB of post-quantum recipients.
    listed = load_only(
        Entity.id, Entity.slug, Entity.name, Entity.acronym, Entity.sector, Entity.region,
        Entity.active,
    )  # fmt: skip
    found = list(session.scalars(select(Entity).options(listed).where(Entity.id.in_(first))))
    found.sort(key=lambda e: first.index(e.id))
    return Found(entities=found, total=len(rows))

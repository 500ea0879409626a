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

The work is bounded by what the rarest word matches, never by every match of a common word
(docs/performance.md, "Many entities"): one statement counts, per word, its matches up to
MATCH_CAP; the rarest word drives and each other word is an EXISTS probe on the entity's own
words; at most MATCH_CAP + 1 entities are read. Beyond MATCH_CAP the page says "more than"
and asks for another word instead of sorting thousands of names nobody will read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.dialects import postgresql  # noqa: F401 (registers to_tsvector's types)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.storage.models import ENTITY_WORDS_SQL
from core.storage.models import Entity
from core.storage.models import EntityTerm

MAX_QUERY = 200
MAX_RESULTS = 50
# Matches counted exactly up to here; beyond it the directory says "more than".
MATCH_CAP = 100
# When every word typed matches more than MATCH_CAP entities, the words are counted again up
# to here to find the rarest (reading at most this many index entries per word).
ORDER_CAP = 20_000
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
class Listed:
    """What the directory shows of an entity (its row also holds ~4 KB of recipients)."""

    id: int
    slug: str
    name: str
    acronym: str
    sector: str
    region: str


@dataclass(frozen=True)
class Found:
    entities: list[Listed]
    total: int  # all matches, up to MATCH_CAP; only the first MAX_RESULTS are listed
    capped: bool = False  # more than MATCH_CAP entities match: `total` is a lower bound


_TERMS = EntityTerm.__table__


def _in_range(column: Any, stem: str) -> ColumnElement[bool]:
    """Words starting with `stem`: a range on the B-tree (terms are [a-z0-9], all below "~")."""
    return and_(column >= stem, column < stem + "~")


def _counts(session: Session, stems: list[str], cap: int) -> list[int]:
    """How many words start with each stem, each counted up to `cap` (one statement; each
    count reads at most `cap` index entries)."""
    counts = [
        select(func.count())
        .select_from(
            select(_TERMS.c.entity_id).where(_in_range(_TERMS.c.term, s)).limit(cap).subquery()
        )
        .scalar_subquery()
        for s in stems
    ]
    return list(session.execute(select(*counts)).one())


def _rarest_first(session: Session, stems: list[str]) -> list[str]:
    """`stems` ordered by how many words start with each, counted up to MATCH_CAP + 1. When
    every word is that common, they are counted again up to ORDER_CAP: otherwise the order
    typed decides, and two common words no entity carries together ("distrital provincial")
    would probe every entity of the commoner one instead of the rarer one (docs/performance.md,
    "Many entities")."""
    if len(stems) < 2:
        return stems
    found = _counts(session, stems, MATCH_CAP + 1)
    if min(found) > MATCH_CAP:
        found = _counts(session, stems, ORDER_CAP + 1)
    return [s for _, s in sorted(zip(found, stems, strict=True), key=lambda pair: pair[0])]


def _matching_ids(session: Session, query: str, stems: list[str]) -> Any:
    """Active entities with a word starting with each stem: the rarest stem's words drive,
    the others are checked per entity (index on entity_id); at most MATCH_CAP + 1 ids."""
    first, *others = _rarest_first(session, stems)
    driving = _TERMS.alias("t0")
    portable = (
        select(driving.c.entity_id)
        .join(Entity, Entity.id == driving.c.entity_id)
        .where(_in_range(driving.c.term, first), Entity.active.is_(True))
    )
    for n, other in enumerate(others, start=1):
        word = _TERMS.alias(f"t{n}")
        portable = portable.where(
            exists().where(word.c.entity_id == driving.c.entity_id, _in_range(word.c.term, other))
        )
    portable = portable.distinct().limit(MATCH_CAP + 1)
    if session.get_bind().dialect.name != "postgresql":
        return portable
    config: ColumnElement[str] = literal_column("'spanish'::regconfig")
    written: ColumnElement[str] = literal_column(ENTITY_WORDS_SQL)  # the GIN index's expression
    # The words as written and as typed: Snowball needs the accents ("educación" -> "educ").
    clean = " ".join(re.findall(r"\w+", query[:MAX_QUERY]))
    # The stemmer is asked only when the words alone matched at most MATCH_CAP entities (a
    # one-time filter): beyond that the listing is capped anyway, and the planner would
    # compute to_tsvector row by row for a word most entities carry.
    found = portable.cte("portable")
    few = select(func.count()).select_from(found).scalar_subquery() <= MATCH_CAP
    stemmed = select(Entity.id).where(
        few,
        func.to_tsvector(config, written).op("@@")(func.plainto_tsquery(config, clean)),
        Entity.active.is_(True),
    )
    return union(select(found.c.entity_id), stemmed)


def search(session: Session, query: str, *, limit: int = MAX_RESULTS) -> Found:
    """Active entities with, for every word of `query`, a word starting with its stem (or,
    on PostgreSQL, matching under the Spanish stemmer); the first `limit` by name."""
    stems = terms(query)
    if not stems:
        return Found(entities=[], total=0)
    ids = _matching_ids(session, query, stems).subquery()
    rows = session.execute(
        select(Entity.id, Entity.slug, Entity.name, Entity.acronym, Entity.sector, Entity.region)
        .where(Entity.id.in_(select(ids.c[0])))
        .order_by(Entity.name, Entity.id)
        .limit(MATCH_CAP + 1)
    ).all()
    listed = [Listed(*row) for row in rows[:limit]]
    return Found(entities=listed, total=min(len(rows), MATCH_CAP), capped=len(rows) > MATCH_CAP)

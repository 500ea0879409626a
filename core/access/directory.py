"""Finding an entity among thousands: the intake directory's search (issue 13).

Accent- and case-insensitive everywhere: each entity keeps `search_text`, its name,
acronym, sector, region and slug lower-cased with the accents taken off (`fold`), and a
query is folded the same way, so "educacion" finds "Educación". Every word typed must match
(a word of the entity starting, ending or containing it, after a light Spanish suffix
strip: "municipalidades" finds "Municipalidad"). On PostgreSQL an entity also matches
when the words match under the database's Spanish stemmer
(`to_tsvector('spanish', …) @@ plainto_tsquery('spanish', …)` over the words as written,
accents included, which Snowball needs; GIN index of revision 0009). SQLite has no
stemmer: the suffix strip is the portable fallback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.dialects import postgresql  # noqa: F401 (registers to_tsvector's types)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.storage.models import ENTITY_WORDS_SQL
from core.storage.models import Entity

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


@dataclass(frozen=True)
class Found:
    entities: list[Entity]
    total: int  # all matches; only the first MAX_RESULTS are listed


def _condition(session: Session, query: str, stems: list[str]) -> ColumnElement[bool]:
    portable = and_(*(Entity.search_text.contains(s, autoescape=True) for s in stems))
    if session.get_bind().dialect.name != "postgresql":
        return portable
    config: ColumnElement[str] = literal_column("'spanish'::regconfig")
    written: ColumnElement[str] = literal_column(
        ENTITY_WORDS_SQL
    )  # the GIN index's expression (revision 0009)
    # The words as written and as typed: Snowball needs the accents ("educación" -> "educ").
    clean = " ".join(re.findall(r"\w+", query[:MAX_QUERY]))
    stemmed = func.to_tsvector(config, written).op("@@")(func.plainto_tsquery(config, clean))
    return or_(portable, stemmed)


def search(session: Session, query: str, *, limit: int = MAX_RESULTS) -> Found:
    """Active entities matching every word of `query`, by name."""
    stems = terms(query)
    if not stems:
        return Found(entities=[], total=0)
    where = and_(Entity.active.is_(True), _condition(session, query, stems))
    total = session.scalar(select(func.count()).select_from(Entity).where(where)) or 0
    found = list(session.scalars(select(Entity).where(where).order_by(Entity.name).limit(limit)))
    return Found(entities=found, total=int(total))

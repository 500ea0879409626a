"""Readable audit entries: officers by name and cases by code instead of internal ids.

The log stores ids (`officer:4`, `case_id` 12, `{"case": 12}`) because names and codes are
not part of its tamper-evident record; the view resolves them, for the entity's own officers
and cases only, when it shows a page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.storage.models import AuditEntry
from core.storage.models import Case
from core.storage.models import Officer

ACTOR_OFFICER = re.compile(r"^officer:(\d+)$")
# Detail keys whose integer values are ids of an officer or of a case.
OFFICER_KEYS = frozenset({"officer", "officer_id", "to", "from", "granter", "target"})
CASE_KEYS = frozenset({"case", "case_id"})


@dataclass(frozen=True)
class Names:
    officers: dict[int, str]
    cases: dict[int, str]

    def officer(self, officer_id: int | None) -> str:
        if officer_id is None:
            return ""
        return self.officers.get(officer_id, f"#{officer_id}")

    def case(self, case_id: int | None) -> str:
        if case_id is None:
            return ""
        return self.cases.get(case_id, f"#{case_id}")


def officer_label(officer: Officer) -> str:
    if officer.display_name and officer.display_name != officer.username:
        return f"{officer.display_name} ({officer.username})"
    return officer.username


def _detail(text: str) -> dict[str, object] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _actor_id(actor: str | None) -> int | None:
    match = ACTOR_OFFICER.match(actor or "")
    return int(match.group(1)) if match else None


def resolve(session: Session, entity_id: int, rows: Iterable[AuditEntry]) -> Names:
    """Names of the officers and codes of the cases the rows mention (this entity's only)."""
    officer_ids: set[int] = set()
    case_ids: set[int] = set()
    for row in rows:
        if row.officer_id is not None:
            officer_ids.add(row.officer_id)
        if (actor := _actor_id(row.actor)) is not None:
            officer_ids.add(actor)
        if row.case_id is not None:
            case_ids.add(row.case_id)
        for key, value in (_detail(row.detail) or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                if key in OFFICER_KEYS:
                    officer_ids.add(value)
                elif key in CASE_KEYS:
                    case_ids.add(value)
    officers = {
        o.id: officer_label(o)
        for o in session.scalars(
            select(Officer).where(Officer.id.in_(officer_ids), Officer.entity_id == entity_id)
        )
    }
    cases = {
        c_id: code
        for c_id, code in session.execute(
            select(Case.id, Case.code).where(Case.id.in_(case_ids), Case.entity_id == entity_id)
        )
    }
    return Names(officers=officers, cases=cases)


def actor_text(row: AuditEntry, names: Names) -> str:
    """'Ana Pérez (ana)' for an officer, else the stored actor ('intake', 'cli'...)."""
    officer_id = _actor_id(row.actor)
    if officer_id is None and not row.actor:
        officer_id = row.officer_id
    if officer_id is not None:
        return names.officer(officer_id)
    return row.actor or ""


def detail_text(row: AuditEntry, names: Names) -> str:
    """The detail as key=value pairs, with officer and case ids replaced by names and codes."""
    data = _detail(row.detail)
    if data is None:
        return row.detail
    parts = []
    for key, value in sorted(data.items()):
        if isinstance(value, int) and not isinstance(value, bool):
            if key in OFFICER_KEYS:
                value = names.officer(value)
            elif key in CASE_KEYS:
                value = names.case(value)
        parts.append(f"{key}={value}")
    return ", ".join(parts)

"""Who handles which complaints (RG 4.9).

A complaint against the OII's own staff or its head (`Case.against_oii`) is handled by the
entity's titular, who issues its code and keeps the reserve (RG 4.1, 4.9), and by nobody in
the OII: their officers and head are barred from it on every route (inbox, due view, case
page, measures, acts). The titular, in turn, sees only such complaints.

One rule, used by the read models (core.read.inbox) and by every service that records an act
(core.services.case_records.check_officer): views never decide it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from core.law.enums import Role
from core.storage.models import Case

# Roles that handle complaints; each sees one side of the RG 4.9 split.
HANDLING_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.TITULAR})


def handles_complaints_against_oii(role: Role) -> bool:
    """True for the titular (RG 4.9); False for the OII's officers and head."""
    return role is Role.TITULAR


def scope_clause(role: Role) -> ColumnElement[bool]:
    """The SQL condition on Case selecting the complaints `role` may handle."""
    if handles_complaints_against_oii(role):
        return Case.against_oii.is_(True)
    return Case.against_oii.is_(False)


def may_handle(role: Role, case: Case) -> bool:
    """Whether someone with `role` may see and act on `case` (same entity assumed)."""
    return role in HANDLING_ROLES and bool(case.against_oii) is handles_complaints_against_oii(role)

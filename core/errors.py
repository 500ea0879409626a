"""Errors raised by core services; each names the refusal."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a service refused or could not complete an operation."""

    code = "domain_error"


class NotFound(DomainError):
    code = "not_found"


class AuditChainBroken(DomainError):
    """The audit log does not verify: an entry was edited, removed or reordered."""

    code = "audit_chain_broken"


class TransitionRefused(DomainError):
    """A workflow act is not allowed: wrong state, failed guard or missing input."""

    code = "transition_refused"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CapabilityRequired(DomainError):
    """The officer's role lacks the capability an act requires (e.g. granting measures)."""

    code = "capability_required"


class SchemaOutOfDate(DomainError):
    """The database schema is not the one this version needs: `integra init` upgrades it."""

    code = "schema_out_of_date"

"""Every kind of case event, and what of each may leave the office (issue 11 item 9).

`EventKind` enumerates the kinds a `CaseEvent` may carry; `core.services.case_records.record_event`
and the message services refuse any other. Two explicit allow-lists say what leaves the
office, each as {kind: the data fields that may go with it}:

- `PACKAGE`: the acts a forwarding package lists in `actuaciones.json` (core.services.forwarding);
- `TIMELINE`: the events the complainant sees on the follow-up page (an event must also have
  been recorded as visible to the complainant by its act).

A kind is either allowed or named in `PACKAGE_WITHHELD` / `TIMELINE_WITHHELD`; a test checks that
every kind is classified in both, so a new kind cannot leave the office until someone decides.

Pure data: no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class EventKind(StrEnum):
    # The complaint's acts (core.law.workflow.Act), prefixed "case.".
    CASE_REGISTERED = "case.registered"
    CASE_BEGIN_VERIFICATION = "case.begin_verification"
    CASE_VERIFY_REQUIREMENTS = "case.verify_requirements"
    CASE_REQUEST_SUBSANACION = "case.request_subsanacion"
    CASE_RECEIVE_SUBSANACION = "case.receive_subsanacion"
    CASE_DECLARE_WITHDRAWAL = "case.declare_withdrawal"
    CASE_FORWARD = "case.forward"
    CASE_FORWARD_RESERVE_ONLY = "case.forward_reserve_only"
    CASE_CONCLUDE = "case.conclude"
    CASE_REFER_ARCHIVED = "case.refer_archived"  # DL 8.1 ¶2: an archived complaint passed on
    # Protection-measure acts (core.law.measures_workflow.MeasureAct), prefixed "measure.".
    MEASURE_REQUEST = "measure.request"
    MEASURE_REQUEST_HR_REPORT = "measure.request_hr_report"
    MEASURE_RECORD_HR_REPORT = "measure.record_hr_report"
    MEASURE_GRANT = "measure.grant"
    MEASURE_DENY = "measure.deny"
    MEASURE_NOTIFY_COMPLAINANT = "measure.notify_complainant"
    MEASURE_ENTER_INTO_FORCE = "measure.enter_into_force"
    MEASURE_START_VARIATION = "measure.start_variation"
    MEASURE_START_SUSPENSION = "measure.start_suspension"
    MEASURE_START_BAD_FAITH_CESSATION = "measure.start_bad_faith_cessation"
    MEASURE_RECORD_ALEGACIONES = "measure.record_alegaciones"
    MEASURE_DECIDE_VARIATION = "measure.decide_variation"
    MEASURE_DECIDE_SUSPENSION = "measure.decide_suspension"
    MEASURE_DECIDE_CESSATION = "measure.decide_cessation"
    MEASURE_LIFT_SUSPENSION = "measure.lift_suspension"
    MEASURE_EXCLUDE_FOR_BAD_FAITH = "measure.exclude_for_bad_faith"
    MEASURE_CEASE = "measure.cease"
    MEASURE_ARCHIVE = "measure.archive"
    # The bad-faith procedure on the complaint and the person (DL 14; RG 2.1.3, RG 11).
    BAD_FAITH_START = "bad_faith.start"
    BAD_FAITH_RECORD_ALEGACIONES = "bad_faith.record_alegaciones"
    BAD_FAITH_DECIDE = "bad_faith.decide"
    # Breach of the protected person's obligations (DL 13; RG 10.2) and the end of the PAD.
    OBLIGATIONS_BREACHED = "obligations_breached"
    PAD_ENDED = "pad_ended"
    # The calendar and the complainant's notice (core.services.calendar_admin, .subsanacion).
    SUBSANACION_NOTICE_OPENED = "subsanacion_notice_opened"
    CLOCKS_RECOMPUTED = "clocks_recomputed"
    # Office bookkeeping and the identity vault.
    ASSIGNED = "assigned"
    PACKAGE_EXPORTED = "package_exported"
    IDENTITY_ACCESSED = "identity_accessed"
    IDENTITY_REQUEST_REFUSED = "identity_request_refused"
    # Exchanges with the complainant (core.services.messages).
    OFFICE_MESSAGE = "office_message"
    COMPLAINANT_MESSAGE = "complainant_message"
    SUBSANACION_RESPONSE = "subsanacion_response"
    PROTECTION_REQUESTED_LATER = "protection_requested_later"
    RETALIATION_REPORTED = "retaliation_reported"
    MESSAGE = "message"
    EVIDENCE_ADDED = "evidence_added"


_K = EventKind
_NONE: frozenset[str] = frozenset()


def _allow(rows: dict[EventKind, frozenset[str]]) -> Mapping[EventKind, frozenset[str]]:
    return MappingProxyType(rows)


# --- forwarding packages -----------------------------------------------------------------------
# Only the complaint's own acts, with what was decided: never officers, message or attachment
# ids, nor anything about protection measures (which measure a complainant asked for tells their
# own situation and can point to them; the OII sends that part separately when a body needs it).
_FORWARD_FIELDS = frozenset({"destination", "destination_name"})
PACKAGE: Mapping[EventKind, frozenset[str]] = _allow(
    {
        _K.CASE_REGISTERED: frozenset({"protection_requested", "reserve_only"}),
        _K.CASE_BEGIN_VERIFICATION: _NONE,
        _K.CASE_VERIFY_REQUIREMENTS: _NONE,
        _K.CASE_REQUEST_SUBSANACION: frozenset({"missing_items", "due_on"}),
        _K.CASE_RECEIVE_SUBSANACION: _NONE,
        _K.CASE_DECLARE_WITHDRAWAL: frozenset(
            {"missing_items", "forwarded_to_stpad", "stpad_mandatory"}
        ),
        _K.CASE_FORWARD: _FORWARD_FIELDS,
        _K.CASE_FORWARD_RESERVE_ONLY: frozenset({"destination"}),
        _K.CASE_CONCLUDE: _NONE,
        _K.CASE_REFER_ARCHIVED: _FORWARD_FIELDS,
    }
)
PACKAGE_WITHHELD: frozenset[EventKind] = frozenset(
    k
    for k in EventKind
    if k.value.startswith(("measure.", "bad_faith."))
    or k
    in {
        _K.OBLIGATIONS_BREACHED,  # about the protected person (DL 13; RG 10)
        _K.PAD_ENDED,  # the receiving body runs the PAD: it knows
        # When the complainant first opened a subsanación request tells when they logged in
        # (its due day too); recomputed clocks are the office's bookkeeping.
        _K.SUBSANACION_NOTICE_OPENED,
        _K.CLOCKS_RECOMPUTED,
        _K.ASSIGNED,
        _K.PACKAGE_EXPORTED,
        _K.IDENTITY_ACCESSED,
        _K.IDENTITY_REQUEST_REFUSED,
        _K.OFFICE_MESSAGE,
        _K.COMPLAINANT_MESSAGE,
        _K.SUBSANACION_RESPONSE,
        _K.PROTECTION_REQUESTED_LATER,
        _K.RETALIATION_REPORTED,
        _K.MESSAGE,
        _K.EVIDENCE_ADDED,  # the documents themselves travel, cleaned, in documentos/
    }
)

# --- the complainant's timeline ----------------------------------------------------------------
_MEASURE = frozenset({"measure_type"})
TIMELINE: Mapping[EventKind, frozenset[str]] = _allow(
    {
        _K.CASE_REGISTERED: _NONE,
        _K.CASE_BEGIN_VERIFICATION: _NONE,
        _K.CASE_VERIFY_REQUIREMENTS: _NONE,
        _K.CASE_REQUEST_SUBSANACION: frozenset({"missing_items", "due_on"}),
        _K.CASE_RECEIVE_SUBSANACION: _NONE,
        _K.CASE_DECLARE_WITHDRAWAL: frozenset({"missing_items"}),
        _K.CASE_FORWARD: _FORWARD_FIELDS,  # DL 8.3: which body now holds the matter
        _K.CASE_FORWARD_RESERVE_ONLY: frozenset({"destination"}),
        _K.CASE_CONCLUDE: _NONE,
        _K.CASE_REFER_ARCHIVED: _FORWARD_FIELDS,  # DL 8.1 ¶2 and 8.3: which body has it now
        _K.MEASURE_REQUEST: _MEASURE,
        _K.MEASURE_GRANT: _MEASURE,
        _K.MEASURE_DENY: _MEASURE,
        _K.MEASURE_NOTIFY_COMPLAINANT: frozenset({"measure_type", "decision"}),  # RG 5.1
        _K.MEASURE_ENTER_INTO_FORCE: _MEASURE,
        _K.MEASURE_START_VARIATION: _MEASURE,  # RG 9: told of the intent, may allege
        _K.MEASURE_START_SUSPENSION: _MEASURE,
        _K.MEASURE_START_BAD_FAITH_CESSATION: _MEASURE,
        _K.MEASURE_DECIDE_VARIATION: _MEASURE,
        _K.MEASURE_DECIDE_SUSPENSION: _MEASURE,
        _K.MEASURE_DECIDE_CESSATION: _MEASURE,
        _K.MEASURE_LIFT_SUSPENSION: _MEASURE,
        _K.MEASURE_EXCLUDE_FOR_BAD_FAITH: _MEASURE,
        _K.MEASURE_CEASE: _MEASURE,
        _K.MEASURE_ARCHIVE: _MEASURE,
        _K.BAD_FAITH_START: frozenset({"due_on"}),  # RG 11: the intent, and the alegaciones term
        _K.BAD_FAITH_DECIDE: frozenset({"upheld"}),
        _K.OBLIGATIONS_BREACHED: _NONE,
        _K.OFFICE_MESSAGE: _NONE,
        _K.COMPLAINANT_MESSAGE: _NONE,
        _K.SUBSANACION_RESPONSE: _NONE,
        _K.PROTECTION_REQUESTED_LATER: _NONE,
        _K.RETALIATION_REPORTED: _NONE,
        _K.MESSAGE: _NONE,
        _K.EVIDENCE_ADDED: _NONE,
        _K.IDENTITY_ACCESSED: frozenset({"legal_basis"}),  # who looked, on what ground
        # RG 4.4: the day their term started and the day it ends; after a calendar change,
        # the new due day of their own clock.
        _K.SUBSANACION_NOTICE_OPENED: frozenset({"due_on"}),
        _K.CLOCKS_RECOMPUTED: frozenset({"due_on"}),
    }
)
TIMELINE_WITHHELD: frozenset[EventKind] = frozenset(
    {
        _K.MEASURE_REQUEST_HR_REPORT,  # internal steps of the evaluation
        _K.MEASURE_RECORD_HR_REPORT,
        _K.MEASURE_RECORD_ALEGACIONES,
        _K.BAD_FAITH_RECORD_ALEGACIONES,
        _K.PAD_ENDED,  # the complainant is not a party to the PAD [INF]
        _K.ASSIGNED,
        _K.PACKAGE_EXPORTED,
        _K.IDENTITY_REQUEST_REFUSED,  # reported to the OCI (RG 3.4), not to the complainant
    }
)


def _allowed(
    rows: Mapping[EventKind, frozenset[str]], kind: str, data: Mapping[str, object] | None
) -> dict[str, object] | None:
    try:
        fields = rows.get(EventKind(kind))
    except ValueError:  # a kind no longer (or never) enumerated stays in the office
        return None
    if fields is None:
        return None
    return {k: v for k, v in (data or {}).items() if k in fields}


def package_data(kind: str, data: Mapping[str, object] | None) -> dict[str, object] | None:
    """The act's data a package may carry, or None when the act stays in the office."""
    return _allowed(PACKAGE, kind, data)


def timeline_data(kind: str, data: Mapping[str, object] | None) -> dict[str, object] | None:
    """The event's data the complainant may see, or None when the event is not theirs to see."""
    return _allowed(TIMELINE, kind, data)

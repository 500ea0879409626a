"""Casework forms: the shape of every officer's POST (which fields, how long, which choices).

Shape only: what a value means (may this act run, is this reasoning enough, is this day a
business day) is checked by core, whose refusals the views turn into messages. The fields
read what the browser sent the way the views always did, so a value that is missing or not
one of the choices becomes None (or the stated fallback) and the service refuses it with its
own message; nothing here answers with an error page.

CSRF: CSRFProtect (casework/app.py) checks the token of every POST before any view runs, so
these forms do not check it a second time. The field names are the HTML names the templates
and the Chromium tests use. A refused POST re-renders the page with `request.form`, so what
the officer typed is never lost.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Field
from wtforms import StringField

from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import Channel
from core.law.enums import Destination
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.services import intake
from core.services import retention
from core.services import vault


class CaseworkForm(FlaskForm):  # type: ignore[misc]
    """A casework POST's fields, read from the request (CSRF already checked, see above).

    Always from the form body (and its files), as the views read it: Flask-WTF would also
    take a JSON body, which the casework never accepts (a JSON list would even be a 500).
    """

    class Meta:
        csrf = False

    def __init__(self, **kwargs: Any) -> None:
        body: Any = request.form
        if request.files:
            body = CombinedMultiDict([request.files, request.form])
        super().__init__(formdata=body, **kwargs)


def cut(limit: int, *, strip: bool = False) -> Any:
    """A filter keeping the first `limit` characters (then stripping them, if asked)."""

    def apply(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value[:limit]
        return value.strip() if strip else value

    return apply


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def text(limit: int | None = None, *, strip: bool = False) -> StringField:
    """Free text; cut to `limit` characters when given (the service checks the length)."""
    filters: list[Any] = []
    if limit is not None:
        filters.append(cut(limit, strip=strip))
    elif strip:
        filters.append(_strip)
    return StringField(default="", filters=filters)


class TickField(Field):  # type: ignore[misc]
    """A checkbox sending "1": True only when its first value is exactly "1"."""

    data: Any

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = bool(valuelist) and valuelist[0] == "1"

    def process_data(self, value: Any) -> None:
        self.data = bool(value)


class YesNoField(Field):  # type: ignore[misc]
    """A yes/no choice sent as "1"/"0": True, False, or None when missing or anything else
    (a decision is never inferred from a missing or forged field)."""

    data: Any

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = {"1": True, "0": False}.get(valuelist[0]) if valuelist else None

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, bool) else None


class EnumField(Field):  # type: ignore[misc]
    """One member of `enum` by its value; None (or `fallback`) when missing or unknown."""

    data: Any

    def __init__(self, enum: type[Enum], *, fallback: Enum | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.enum = enum
        self.fallback = fallback

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = self.enum(valuelist[0] if valuelist else "")
        except ValueError:
            self.data = self.fallback

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, self.enum) else self.fallback


class DayField(Field):  # type: ignore[misc]
    """A day as the date input sends it (YYYY-MM-DD); None when missing or not a date."""

    data: Any

    def __init__(self, *, strip: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.strip = strip

    def process_formdata(self, valuelist: list[str]) -> None:
        value = valuelist[0] if valuelist else ""
        try:
            self.data = dt.date.fromisoformat(value.strip() if self.strip else value)
        except ValueError:
            self.data = None

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, dt.date) else None


class ValuesField(Field):  # type: ignore[misc]
    """Every value sent under one name (a group of checkboxes), as sent."""

    data: Any

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(valuelist)

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


# --- the case page (casework/case_pages.py) ---------------------------------------------------


class CaseActForm(CaseworkForm):
    """A workflow act on the complaint (core.services.cases.apply_act)."""

    reasoning = text()
    destination = EnumField(Destination)
    destination_name = text(200)
    missing_items = ValuesField()
    forward_to_stpad = TickField()
    queja_reclamo = TickField()
    notice = text()  # the text the complainant reads with the act (core.services.notices)

    def missing(self) -> list[int]:
        """The DL 7.1 items ticked as missing, by their number (others are ignored)."""
        return [int(v) for v in self.missing_items.data if v in {"1", "2", "3", "4"}]


class AssignForm(CaseworkForm):
    officer_id = text()  # empty: unassign; else one of the colleagues offered


class NoteForm(CaseworkForm):
    body = text()


class MessageForm(CaseworkForm):
    message = text()


class PackageForm(CaseworkForm):
    forwarding_id = text()  # a row id, checked by the view before the database is asked
    recipient = text(4000)


class IdentityAccessForm(CaseworkForm):
    legal_basis = EnumField(vault.LegalBasis)
    statement = text()


class IdentityRefusalForm(CaseworkForm):
    requester = EnumField(vault.Requester, fallback=vault.Requester.OTHER)
    report_to = text()
    refusal_statement = text()

    def report_to_body(self) -> vault.ReportTo:
        if self.report_to.data == "contraloria":
            return vault.ReportTo.CONTRALORIA
        return vault.ReportTo.OCI


# --- the measures register (casework/measure_pages.py, casework/badfaith_pages.py) -----------


class MeasureRequestForm(CaseworkForm):
    type = EnumField(MeasureType)
    beneficiary = EnumField(Beneficiary)
    reasoning = text()


class MeasureDetailsForm(CaseworkForm):
    """A measure's days in force, duration and transfer unit (core.services.measure_details);
    the days as typed (YYYY-MM-DD), read by the view."""

    in_force_from = text()
    in_force_until = text()
    duration = text()
    target_unit = text()

    def day(self, name: str) -> dt.date | None:
        """The day typed in field `name`, None when empty; ValueError when not a date."""
        value = (self[name].data or "").strip()
        return dt.date.fromisoformat(value) if value else None


class MeasureActForm(CaseworkForm):
    """An act on one measure (core.services.measures.apply_measure_act); one yes/no field
    `criterion_<value>` per RG 7 criterion is added below."""

    reasoning = text()
    hr_feasible = YesNoField()
    upheld = YesNoField()
    bad_faith_type = text()
    cease_ground = text()
    notice = text()  # the text the complainant reads with the act (core.services.notices)

    def criteria(self) -> dict[Criterion, bool]:
        """The criteria answered yes or no (unanswered ones are left out)."""
        answers = {c: self[f"criterion_{c.value}"].data for c in Criterion}
        return {c: answer for c, answer in answers.items() if answer is not None}

    def grounds(self) -> tuple[BadFaithType | None, CeaseGround | None]:
        """The bad-faith type and the cessation ground; neither when one is not a choice."""
        try:
            bad_faith = BadFaithType(self.bad_faith_type.data) if self.bad_faith_type.data else None
            cease = CeaseGround(self.cease_ground.data) if self.cease_ground.data else None
        except ValueError:
            return None, None
        return bad_faith, cease


for _criterion in Criterion:
    setattr(MeasureActForm, f"criterion_{_criterion.value}", YesNoField())


class ReasoningForm(CaseworkForm):
    """An act on the person that only needs the officer's reasoning."""

    reasoning = text()


class BadFaithStartForm(ReasoningForm):
    bad_faith_type = EnumField(BadFaithType)


class BadFaithDecisionForm(ReasoningForm):
    upheld = YesNoField()


class PadEndForm(ReasoningForm):
    ended_on = DayField()


# --- a complaint received outside the web (casework/channel_pages.py) ------------------------


class ReceivedComplaintForm(CaseworkForm):
    """A complaint received in writing, verbally, by e-mail or from the PDUDC: the intake's
    fields, cut to the intake's lengths and stripped; core.services.channels checks them."""

    channel = EnumField(Channel)
    received_on = DayField(strip=True)
    against_oii = TickField()
    modality = EnumField(Modality)
    motives = ValuesField()
    facts = text(intake.MAX_FACTS + 1, strip=True)
    occurred_when = text(intake.MAX_SHORT, strip=True)
    occurred_where = text(intake.MAX_SHORT, strip=True)
    person_name = text(intake.MAX_SHORT, strip=True)
    person_post = text(intake.MAX_SHORT, strip=True)
    witnesses = text(intake.MAX_MEDIUM, strip=True)
    documents_location = text(intake.MAX_MEDIUM, strip=True)
    commitment = TickField()
    full_name = text(intake.MAX_SHORT, strip=True)
    document_type = text(20, strip=True)
    document_number = text(40, strip=True)
    phone = text(40, strip=True)
    email = text(intake.MAX_SHORT, strip=True)
    address = text(intake.MAX_SHORT, strip=True)
    protection_measures = ValuesField()
    protection_risk = text(intake.MAX_MEDIUM, strip=True)
    files = MultipleFileField()  # only real uploads with a name; screened by the view


# --- retention, notices (casework/retention_pages.py, casework/notice_pages.py) ---------------


class HoldForm(CaseworkForm):
    reason = text(retention.MAX_REASON + 1)  # one beyond the limit, so the service refuses it


class NoticePreferencesForm(CaseworkForm):
    opt_in = TickField()
    address = text(300)


class CountsOnlyForm(CaseworkForm):
    counts_only = TickField()


# --- accounts, days, keys (casework/admin.py) and logins (casework/auth.py) -------------------


def stripped_then_cut(limit: int) -> StringField:
    """Free text stripped, then cut to `limit` characters."""
    return StringField(default="", filters=[_strip, cut(limit)])


class NewAccountForm(CaseworkForm):
    username = text(strip=True)  # the view checks its shape (letters, digits, . - _)
    display_name = text(strip=True)
    role = text(strip=True)


class NonWorkingDayForm(CaseworkForm):
    day = DayField()
    reason = stripped_then_cut(200)


class KeyGrantForm(CaseworkForm):
    purpose = StringField(default="office")
    officer_id = text()


class RedeemForm(CaseworkForm):
    code = text()
    password = text()


class LoginForm(CaseworkForm):
    username = stripped_then_cut(64)
    password = text()
    code = text(16)


class CodeForm(CaseworkForm):
    """The second factor's six digits."""

    code = text()


class PasswordChangeForm(CaseworkForm):
    current_password = text()
    new_password = text()
    confirm_password = text()

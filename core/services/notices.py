"""The text an act tells the complainant, apart from the office's internal reasoning.

A request the office sends (the subsanación: what exactly is missing and what happens without
an answer by the due day) or a decision (the reasons of a denied measure, of an archiving) is
read by the complainant on their follow-up page with the act. The officer types it in the act
form; it is sealed to the office and to the case's complainant recipient like a message
(core.services.messages), while the reasoning stays sealed to the office only. Only an act the
complainant sees may carry one (core.law.event_kinds.TIMELINE).
"""

from __future__ import annotations

from collections.abc import Sequence

import crypto
from core.errors import DomainError
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.padding import pad_text
from core.storage.padding import unpad_text

MAX_NOTICE = 20_000


class NoticeRefused(DomainError):
    code = "notice_refused"


class NoticeTooLong(NoticeRefused):
    code = "notice_too_long"


class NoticeNotVisible(NoticeRefused):
    code = "notice_not_visible"


def clean_notice(notice: str | None, *, visible: bool) -> str | None:
    """The notice to seal, or None when nothing was typed; refused when it cannot be sent."""
    if notice is None or not notice.strip():
        return None
    if len(notice) > MAX_NOTICE:
        raise NoticeTooLong("the text for the complainant is too long")
    if not visible:
        raise NoticeNotVisible("this act is not shown to the complainant")
    return notice.strip()


def seal_notice(case: Case, notice: str, office_recipients: Sequence[crypto.Recipient]) -> bytes:
    """The notice as an age file to the office and the complainant (invariant 1)."""
    if not office_recipients:
        raise ValueError("at least one office recipient is needed to seal the notice")
    recipients = [*office_recipients, crypto.parse_recipient(case.complainant_recipient)]
    return crypto.encrypt(pad_text(notice), recipients)


def read_notice(event: CaseEvent, identities: Sequence[crypto.Identity]) -> str | None:
    """The notice of an act, opened with the office's or the complainant's identity."""
    if event.notice_sealed is None:
        return None
    return unpad_text(crypto.decrypt(event.notice_sealed, identities))

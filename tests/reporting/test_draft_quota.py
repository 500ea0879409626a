"""Draft storage has a global quota with oldest-first eviction (settings.draft_quota_mib): a
flood of anonymous uploads costs bounded disk, and the evicted complainant is told to attach
the file again rather than filing without it (issue 10, deliverable 2)."""

from __future__ import annotations

import dataclasses

from intake_helpers import complaint_data
from intake_helpers import file_review
from intake_helpers import hidden_fields
from intake_helpers import with_files
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.storage.models import Blob
from reporting import create_app

BODY = ("Evidencia de texto. " * 20_000).encode()  # 400 KB (under the test client's spool)


def test_the_oldest_draft_is_evicted_past_the_quota(settings, clean_engine, ent, session_for):
    app = create_app(dataclasses.replace(settings, draft_quota_mib=1), engine=clean_engine)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    first.get("/denunciar")
    review_1 = file_review(first, with_files(complaint_data(), [("uno.txt", BODY)]))
    second.get("/denunciar")
    file_review(second, with_files(complaint_data(), [("dos.txt", BODY)]))
    third.get("/denunciar")
    review_3 = file_review(third, with_files(complaint_data(), [("tres.txt", BODY)]))
    # Three drafts of 400 KB do not fit in 1 MiB: the oldest is evicted
    drafts = session_for.scalar(
        select(func.coalesce(func.sum(Blob.size), 0)).where(Blob.case_id.is_(None))
    )
    assert 0 < drafts <= 1024 * 1024
    # The newer draft files normally; the older one is told its file is gone
    done = third.post("/denunciar/enviar", data=MultiDict(hidden_fields(review_3)))
    assert done.status_code == 200 and 'id="receipt"' in done.get_data(as_text=True)
    gone = first.post("/denunciar/enviar", data=MultiDict(hidden_fields(review_1)))
    assert gone.status_code == 422
    assert "ya no está disponible" in gone.get_data(as_text=True)

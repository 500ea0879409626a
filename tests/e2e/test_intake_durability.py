"""Invariant 4: a complaint whose receipt page was returned survives kill -9 of the intake."""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import signal
import urllib.error
import urllib.parse
import urllib.request

import pytest
from factories import make_entity
from intake_helpers import RECEIPT_RE
from intake_helpers import complaint_data
from intake_helpers import hidden_fields
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from core.services import followup
from core.storage.blobs import read_plaintext
from core.storage.models import Case

pytestmark = pytest.mark.e2e
# ruff: noqa: S310 - urllib opens the local test server's http:// URL only

TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_receipt_shown_means_committed_even_after_kill_9(settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        s.commit()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, proc):
        form = opener.open(base + "/denunciar").read().decode()
        token = TOKEN_RE.search(form).group(1)
        pairs = [(k, v) for k, v in complaint_data().items() if not isinstance(v, list)]
        pairs += [("motives", "contratacion_irregular"), ("csrf_token", token)]
        pairs.append(("files", FileStorage(io.BytesIO(b"prueba durable"), filename="d.txt")))
        boundary, body = encode_multipart(MultiDict(pairs))
        req = urllib.request.Request(
            base + "/denunciar",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            review = opener.open(req).read().decode()
        except urllib.error.HTTPError as exc:
            raise AssertionError(
                f"{exc} {list(jar)} {exc.read().decode()[:500]} "
                + (tmp_path / "server.log").read_text()[-1500:]
            ) from exc
        fields = urllib.parse.urlencode(hidden_fields(review)).encode()
        confirmation = opener.open(base + "/denunciar/enviar", data=fields).read().decode()
        receipt = RECEIPT_RE.search(confirmation).group(1)
        # The receipt page is in our hands: kill the server without any chance to clean up.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL

    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        found = followup.find_case(s, receipt, settings)
        assert found is not None and found.id == case.id
        report = json.loads(read_plaintext(s, case.report_blob_id, [ent.office]))
        assert report["facts"] == complaint_data()["facts"]
        (att,) = case.attachments
        assert read_plaintext(s, att.blob_id, [ent.office]) == b"prueba durable"

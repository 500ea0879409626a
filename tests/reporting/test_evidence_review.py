"""The complainant sees each file's hidden data before and after cleaning and chooses, at
filing and for evidence added later (issue 10 item 3, issue 12: "evidence added later gets
the same metadata review and choice as at filing"; HEIC, .doc/.xls and .zip accepted)."""

from __future__ import annotations

import io
import re
import shutil
import uuid

import evidence_samples as samples
import pytest
from intake_helpers import complaint_data
from intake_helpers import file_complaint
from intake_helpers import hidden_fields
from intake_helpers import send_followup_evidence
from peers import require_peer
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from core.services.messages import read_attachment_meta
from core.storage.blobs import read_plaintext
from core.storage.models import Blob
from core.storage.models import Case
from reporting.evidence_review import CHOICE_PREFIX

CHOICE_RE = re.compile(r'name="choice-(\d+)" value="keep"')


def _tools() -> None:
    require_peer("mat2", shutil.which("mat2") is not None, "install the Debian package 'mat2'")
    require_peer(
        "exiftool", shutil.which("exiftool") is not None, "install 'libimage-exiftool-perl'"
    )


def _multipart(pairs):  # type: ignore[no-untyped-def]
    boundary, body = encode_multipart(MultiDict(pairs))
    return body, f"multipart/form-data; boundary={boundary}"


def _review_with(client, files):  # type: ignore[no-untyped-def]
    client.get("/denunciar")
    data = complaint_data()
    pairs = [(k, v) for k, v in data.items() if not isinstance(v, list)]
    pairs += [("motives", m) for m in data["motives"]]
    pairs += [("files", FileStorage(io.BytesIO(b), filename=n)) for n, b in files]
    body, ctype = _multipart(pairs)
    resp = client.post("/denunciar", data=body, content_type=ctype)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _attachments(session_for, ent):  # type: ignore[no-untyped-def]
    session_for.expire_all()
    case = session_for.scalars(select(Case)).one()
    out = {}
    for att in case.attachments:
        meta = read_attachment_meta(att, [ent.office])
        out[meta["filename"]] = read_plaintext(session_for, att.blob_id, [ent.office])
    return out


@pytest.mark.parametrize("choice", ["none", "remove", "keep"])
def test_a_file_that_cannot_be_cleaned_needs_the_persons_choice(client, ent, session_for, choice):
    original = samples.ole_document()
    html = _review_with(client, [("acta.doc", original)])
    assert "No podemos quitar los datos ocultos de este tipo de archivo" in html
    (blob_id,) = CHOICE_RE.findall(html)
    assert f'name="choice-{blob_id}" value="remove"' in html and "required" in html
    fields = MultiDict(hidden_fields(html))
    if choice != "none":
        fields.add(f"{CHOICE_PREFIX}{blob_id}", choice)
    resp = client.post("/denunciar/enviar", data=fields)
    if choice == "none":
        assert resp.status_code == 422
        assert "Elija qué hacer con «acta.doc»" in resp.get_data(as_text=True)
        assert session_for.scalars(select(Case)).first() is None
        return
    assert resp.status_code == 200 and "código de seguimiento" in resp.get_data(as_text=True)
    stored = _attachments(session_for, ent)
    assert stored == ({} if choice == "remove" else {"acta.doc": original})
    assert session_for.get(Blob, int(blob_id)) is None  # the draft is gone either way


def test_filing_shows_before_and_after_for_a_mat2_format_and_sends_it_clean(
    client, ent, session_for
):
    _tools()
    canary = f"CANARY{uuid.uuid4().hex[:10]}"
    html = _review_with(client, [("escaneo.tiff", samples.tiff(canary))])
    assert f"Artist {canary}" in html  # before
    assert "Después de limpiarlo" in html and "No queda ningún dato oculto." in html
    resp = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(html)))
    assert resp.status_code == 200
    stored = _attachments(session_for, ent)["escaneo.tiff"]
    assert samples.canary_places(stored, "tiff", canary) == []


def test_followup_evidence_gets_the_same_review_and_choice(client, ent, session_for):
    _tools()
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    canary = f"CANARY{uuid.uuid4().hex[:10]}"
    zipped = samples.zip_archive(canary)
    body, ctype = _multipart(
        [
            ("files", FileStorage(io.BytesIO(zipped), filename="fotos.zip")),
            ("files", FileStorage(io.BytesIO(samples.ole_document()), filename="a.xls")),
        ]
    )
    review = client.post("/seguimiento/pruebas", data=body, content_type=ctype)
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and "Revise los archivos antes de enviarlos" in html
    assert f"Model {canary}" in html and f"Zip {canary}" in html  # before: members, comment
    assert "No queda ningún dato oculto." in html  # after, for the ZIP
    assert "No podemos quitar los datos ocultos" in html  # the .xls
    assert _attachments(session_for, ent) == {}  # nothing sent yet
    # Without a choice for the .xls nothing is sent; with "keep" both go, the ZIP cleaned.
    fields = MultiDict(hidden_fields(html))
    assert client.post("/seguimiento/pruebas/enviar", data=fields).status_code == 422
    (xls_id,) = CHOICE_RE.findall(html)
    fields.add(f"{CHOICE_PREFIX}{xls_id}", "keep")
    assert client.post("/seguimiento/pruebas/enviar", data=fields).status_code == 303
    stored = _attachments(session_for, ent)
    assert set(stored) == {"fotos.zip", "a.xls"}
    assert samples.canary_places(stored["fotos.zip"], "zip", canary) == []
    # Sending twice (reload) adds nothing more.
    assert client.post("/seguimiento/pruebas/enviar", data=fields).status_code == 409


def test_followup_evidence_keep_original_and_cancel(client, ent, session_for):
    _tools()
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    original = samples.jpeg_with_exif("CANARYkeep")
    body, ctype = _multipart([("files", FileStorage(io.BytesIO(original), filename="f.jpg"))])
    html, _sent = send_followup_evidence(client, body, ctype, keep=[])  # cleaned by default
    body, ctype = _multipart([("files", FileStorage(io.BytesIO(original), filename="g.jpg"))])
    review = client.post("/seguimiento/pruebas", data=body, content_type=ctype).get_data(
        as_text=True
    )
    blob_id = review.split('name="keep_original" value="', 1)[1].split('"', 1)[0]
    fields = MultiDict(hidden_fields(review))
    fields.add("keep_original", blob_id)
    assert client.post("/seguimiento/pruebas/enviar", data=fields).status_code == 303
    stored = _attachments(session_for, ent)
    assert b"CANARYkeep" not in stored["f.jpg"] and stored["g.jpg"] == original
    # Cancel: the drafts are deleted and nothing is added.
    body, ctype = _multipart([("files", FileStorage(io.BytesIO(original), filename="h.jpg"))])
    review = client.post("/seguimiento/pruebas", data=body, content_type=ctype).get_data(
        as_text=True
    )
    draft_id = int(review.split('name="keep_original" value="', 1)[1].split('"', 1)[0])
    cancel = client.post("/seguimiento/pruebas/cancelar", data=MultiDict(hidden_fields(review)))
    assert cancel.status_code == 303
    assert session_for.get(Blob, draft_id) is None
    assert set(_attachments(session_for, ent)) == {"f.jpg", "g.jpg"}

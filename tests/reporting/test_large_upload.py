"""A large upload is held about once, and the filing sends the copy the person reviewed
(issue 16, "Uploads in bounded memory"; docs/performance.md, "Upload memory").

The draft keeps the cleaned copy beside the original, so the filing streams the chosen one
from the draft to the office without cleaning again or holding the file; a file above
reporting.drafts.SPOOL_THRESHOLD goes through spool blobs that are gone afterwards.
"""

from __future__ import annotations

import io
import os
import tracemalloc

from intake_helpers import complaint_data
from intake_helpers import submit_review
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject
from pypdf.generic import DictionaryObject
from pypdf.generic import NameObject
from pypdf.generic import NumberObject
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from core.files import metadata
from core.files.owned import Owned
from core.services.messages import read_attachment_meta
from core.storage.blobs import read_plaintext
from core.storage.models import Blob
from core.storage.models import Case
from reporting import drafts

AUTHOR = "Autora Canario-Grande-3312"


def large_pdf(pixels: bytes, author: str = AUTHOR) -> bytes:
    """A one-page PDF that is nearly all one uncompressed image (a scan)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    image = DecodedStreamObject()
    image.set_data(pixels)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(1024),
            NameObject("/Height"): NumberObject(len(pixels) // 3072),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    writer.add_metadata({"/Author": author})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PIXELS = os.urandom(1024 * 3 * 2048)  # 6 MiB: above the spool threshold
assert len(PIXELS) > drafts.SPOOL_THRESHOLD


def _review(client, original: bytes) -> str:  # type: ignore[no-untyped-def]
    """The review page after posting the form with the file (a body in memory: the test
    client would spool a large `data=` dict to a temporary file)."""
    client.get("/denunciar")
    data = complaint_data()
    pairs = [(k, v) for k, v in data.items() if not isinstance(v, list)]
    pairs += [("motives", m) for m in data["motives"]]
    pairs.append(("files", FileStorage(io.BytesIO(original), filename="escaneo.pdf")))
    boundary, body = encode_multipart(MultiDict(pairs))
    resp = client.post(
        "/denunciar", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _stored(session_for, ent) -> bytes:  # type: ignore[no-untyped-def]
    session_for.expire_all()
    (att,) = session_for.scalars(select(Case)).one().attachments
    assert read_attachment_meta(att, [ent.office])["filename"] == "escaneo.pdf"
    return read_plaintext(session_for, att.blob_id, [ent.office])


def _drafts_left(session_for) -> int:  # type: ignore[no-untyped-def]
    session_for.expire_all()
    return int(session_for.scalar(select(func.count()).where(Blob.case_id.is_(None))) or 0)


def test_a_large_pdf_is_filed_as_reviewed_without_cleaning_it_again(
    client, ent, session_for, monkeypatch
):
    original = large_pdf(PIXELS)
    html = _review(client, original)
    assert AUTHOR in html  # before
    assert _drafts_left(session_for) == 1  # the draft alone: both spools are gone

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the filing cleaned the file again")

    monkeypatch.setattr(metadata, "strip_pdf_into", refuse)
    monkeypatch.setattr(metadata, "clean", refuse)
    confirmation = submit_review(client, html)
    assert "código de seguimiento" in confirmation
    stored = _stored(session_for, ent)
    assert metadata.inspect(original).findings  # the author was there
    assert PIXELS in stored  # the image is copied, not re-encoded
    assert metadata.inspect(stored).findings == ()
    assert _drafts_left(session_for) == 0


def test_a_large_pdf_kept_as_it_is_is_filed_byte_for_byte(client, ent, session_for):
    original = large_pdf(PIXELS)
    html = _review(client, original)
    blob_id = html.split('name="keep_original" value="', 1)[1].split('"', 1)[0]
    confirmation = submit_review(client, html, keep=[blob_id])
    assert "código de seguimiento" in confirmation
    assert _stored(session_for, ent) == original


def test_sealing_a_large_pdf_into_a_draft_holds_it_about_once(session_for):
    data = Owned(large_pdf(PIXELS))
    size = data.size
    key = drafts.new_key(pq=False)
    tracemalloc.start()
    try:
        draft = drafts.store_file(
            session_for, key, filename="escaneo.pdf", content_type="application/pdf", data=data
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert draft.removable and draft.cleaned_size
    assert ("author", AUTHOR) in draft.findings and draft.after == ()
    # Beyond the upload itself: the cleaned copy read back, once. A parsed copy of the
    # image (pypdf's) or the output beside it would take this past 2x.
    assert peak < 1.3 * size, (peak, size)


def test_a_draft_written_before_the_cleaned_copy_was_kept_is_cleaned_at_filing(session_for):
    import json
    import struct

    from core.law.enums import BlobKind
    from core.storage.blobs import store_stream
    from reporting import evidence_review

    original = large_pdf(os.urandom(3072 * 4))
    header = {
        "filename": "acta.pdf",
        "content_type": "application/pdf",
        "size": len(original),
        "sha256": "0" * 64,
        "kind": "pdf",
        "findings": [["author", AUTHOR]],
        "removable": True,
        "after": [],
    }  # the header as drafts wrote it before: no "cleaned_size", the original alone
    head = json.dumps(header).encode()
    key = drafts.new_key(pq=False)
    blob = store_stream(
        session_for,
        io.BytesIO(struct.pack(">I", len(head)) + head + original),
        [key.recipient()],
        kind=BlobKind.ATTACHMENT,
    )
    (draft,) = drafts.list_files(session_for, [blob.id], key)
    assert draft.cleaned_size is None
    for cleaned in (True, False):
        upload = evidence_review._upload_of_early_draft(
            session_for, draft, key, cleaned=cleaned, removed=("author",) if cleaned else ()
        )
        assert upload is not None
        sent = upload.stream.read()
        assert upload.size == len(sent)
        found = {(f.field, f.value) for f in metadata.inspect(sent).findings}
        assert (("author", AUTHOR) in found) is not cleaned
        assert (sent == original) is not cleaned

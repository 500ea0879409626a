"""Adversarial input to the intake: hostile ids and files, sealed session state, no silent loss.

Each test here comes from a security review: it failed before the fix it guards.
"""

from __future__ import annotations

import io
import random

import pytest
from intake_helpers import complaint_data
from intake_helpers import file_complaint
from intake_helpers import file_review
from intake_helpers import hidden_fields
from intake_helpers import send_followup_evidence
from intake_helpers import with_files
from PIL import Image
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session as SaSession
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from core.files import metadata
from core.services.messages import read_attachment_meta
from core.storage.blobs import read_plaintext
from core.storage.models import Blob
from core.storage.models import BlobChunk
from core.storage.models import Case

CANARY = "Ana-Torres-hardening-77"


def _cases(session_for) -> list[Case]:  # type: ignore[no-untyped-def]
    session_for.expire_all()
    return list(session_for.scalars(select(Case)).all())


def _session_data(app, client) -> dict:  # type: ignore[no-untyped-def]
    """The session cookie as anyone holding the browser can read it (signed, not encrypted)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)
    data: dict = serializer.loads(cookie.value)
    return data


def _photo_with_hidden_data() -> bytes:
    """EXIF with only fields the review does not name, an APP15 segment and an appended
    second image with its own EXIF (as phones append MPF previews and motion photos)."""
    exif = Image.Exif()
    exif[0x010E] = CANARY  # ImageDescription
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buf, "JPEG", exif=exif)
    main = buf.getvalue()
    app15 = b"\xff\xef" + (2 + len(CANARY)).to_bytes(2, "big") + CANARY.encode()
    trailer_exif = Image.Exif()
    trailer_exif[0x013B] = CANARY  # Artist
    trailer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(trailer, "JPEG", exif=trailer_exif)
    return main[:2] + app15 + main[2:] + trailer.getvalue()


@pytest.mark.parametrize("value", ["²", "1" * 5000, "٣", "-1", ""])
def test_odd_file_ids_are_ignored_never_a_500(client, ent, session_for, value):
    client.get("/denunciar")
    data = with_files(complaint_data(), [("nota.txt", b"texto")])
    data["remove_files"] = value
    review = file_review(client, data)
    fields = MultiDict(hidden_fields(review))
    fields.add("keep_original", value)
    resp = client.post("/denunciar/enviar", data=fields)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    (case,) = _cases(session_for)
    assert len(case.attachments) == 1


def test_session_cookie_names_no_case_in_clear(app, client, ent, session_for):
    receipt, _ = file_complaint(client)
    (case,) = _cases(session_for)
    after_filing = _session_data(app, client)
    assert isinstance(after_filing["filed"], str)  # sealed, not {"c": <case id>}
    assert client.get("/acuse").status_code == 200  # the sealed value still works
    client.post("/denunciar/listo", data={"written_down": "y"})
    assert client.post("/seguimiento", data={"receipt": receipt}).status_code == 303
    logged_in = _session_data(app, client)
    assert isinstance(logged_in["fu"], str)  # case id, key and session token sealed together
    assert str(case.id) not in repr({k: v for k, v in logged_in.items() if k != "fu"})
    assert case.code in client.get("/seguimiento").get_data(as_text=True)


def test_tampered_or_old_style_followup_state_is_refused(app, client, ent):
    file_complaint(client)
    with client.session_transaction() as sess:
        sess["fu"] = {"c": 1, "k": "00", "t": 0}
    resp = client.get("/seguimiento")
    assert resp.status_code == 200 and 'name="receipt"' in resp.get_data(as_text=True)


def test_a_draft_gone_before_sending_is_not_silently_dropped(client, ent, session_for):
    client.get("/denunciar")
    review = file_review(client, with_files(complaint_data(), [("prueba.txt", b"importante")]))
    # The draft is purged (older than its lifetime) while the review page is open.
    ids = list(session_for.scalars(select(Blob.id).where(Blob.case_id.is_(None))))
    session_for.execute(delete(BlobChunk).where(BlobChunk.blob_id.in_(ids)))
    session_for.execute(delete(Blob).where(Blob.id.in_(ids)))
    session_for.commit()
    resp = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(review)))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "ya no está disponible" in html
    assert "El jefe de logística direccionó" in html  # nothing typed is lost
    assert _cases(session_for) == []


def test_photo_metadata_is_removed_even_when_not_recognised(client, ent, session_for):
    photo = _photo_with_hidden_data()
    client.get("/denunciar")
    review = file_review(client, with_files(complaint_data(), [("foto.jpg", photo)]))
    resp = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(review)))
    assert resp.status_code == 200
    (case,) = _cases(session_for)
    (att,) = case.attachments
    stored = read_plaintext(session_for, att.blob_id, [ent.office])
    assert CANARY.encode() not in stored
    with Image.open(io.BytesIO(stored)) as im:
        im.load()
        assert im.size == (16, 16)


def test_failed_cleaning_is_reported_not_claimed(client, ent, session_for, monkeypatch):
    exif = Image.Exif()
    exif[0x013B] = CANARY
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG", exif=exif)
    original = buf.getvalue()
    # A stripper that leaves the metadata in place (a format variant it does not know). The
    # file is cleaned on arrival (the filing sends the reviewed copy), so it fails there.
    monkeypatch.setitem(metadata._STRIPPERS, "jpeg", lambda data: data)
    client.get("/denunciar")
    review = file_review(client, with_files(complaint_data(), [("foto.jpg", original)]))
    assert "No podemos quitar los datos ocultos de este tipo de archivo" in review
    assert CANARY in review and "No queda ningún dato oculto" not in review
    resp = client.post("/denunciar/enviar", data=MultiDict(hidden_fields(review)))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Elija qué hacer con «foto.jpg»" in html
    assert _cases(session_for) == []
    # Sending the original is the person's informed choice, and it is recorded as such.
    review = file_review(client, complaint_data())
    fields = MultiDict(hidden_fields(review))
    (blob_id,) = session_for.scalars(select(Blob.id).where(Blob.case_id.is_(None)))
    fields.add(f"choice-{blob_id}", "keep")
    assert client.post("/denunciar/enviar", data=fields).status_code == 200
    (case,) = _cases(session_for)
    assert read_attachment_meta(case.attachments[0], [ent.office])["metadata_removed"] == []
    assert read_plaintext(session_for, case.attachments[0].blob_id, [ent.office]) == original


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("nota.txt", b"%PDF-1.4\n1 0 obj<<>>endobj\n"),
        ("nota.txt", b"MZ\x90\x00\x03\x00\x00\x00programa"),
        ("audio.mp3", b"PK\x03\x04" + b"\x00" * 40),
        ("video.mp4", b"MZ" + b"\x00" * 40),
        ("audio.ogg", b"<html><script>alert(1)</script>"),
        ("tabla.csv", b"a,b\x00\x00\x00"),
    ],
)
def test_text_and_media_extensions_are_checked_against_content(client, ent, name, content):
    client.get("/denunciar")
    data = with_files(complaint_data(), [(name, content)])
    resp = client.post("/denunciar", data=data, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "no corresponde a su extensión" in resp.get_data(as_text=True)


def test_declared_content_type_is_not_trusted(client, ent, session_for):
    client.get("/denunciar")
    boundary, body = encode_multipart(
        MultiDict(
            [
                *MultiDict(complaint_data()).items(multi=True),
                (
                    "files",
                    FileStorage(io.BytesIO(b"hola"), filename="nota.txt", content_type="text/html"),
                ),
            ]
        )
    )
    review = client.post(
        "/denunciar", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert review.status_code == 200
    client.post("/denunciar/enviar", data=MultiDict(hidden_fields(review.get_data(as_text=True))))
    (case,) = _cases(session_for)
    assert read_attachment_meta(case.attachments[0], [ent.office])["content_type"] == "text/plain"


def test_followup_evidence_is_cleaned_and_checked(client, ent, session_for):
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    boundary, body = encode_multipart(
        MultiDict(
            [
                ("files", FileStorage(io.BytesIO(_photo_with_hidden_data()), filename="a.jpg")),
                ("files", FileStorage(io.BytesIO(b"MZprogram"), filename="b.txt")),
            ]
        )
    )
    resp = client.post(
        "/seguimiento/pruebas", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert resp.status_code == 422 and "b.txt" in resp.get_data(as_text=True)
    boundary, body = encode_multipart(
        MultiDict([("files", FileStorage(io.BytesIO(_photo_with_hidden_data()), filename="a.jpg"))])
    )
    _review, resp = send_followup_evidence(
        client, body, f"multipart/form-data; boundary={boundary}"
    )
    assert resp.status_code == 303
    (case,) = _cases(session_for)
    (att,) = case.attachments
    assert CANARY.encode() not in read_plaintext(session_for, att.blob_id, [ent.office])


def test_fuzzed_requests_never_get_a_500(app, client, ent):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    rnd = random.Random(1327)
    receipt, _ = file_complaint(client)
    client.post("/seguimiento", data={"receipt": receipt})
    paths = [
        "/denunciar",
        "/denunciar/enviar",
        "/denunciar/listo",
        "/seguimiento",
        "/seguimiento/mensaje",
        "/seguimiento/pruebas",
        "/seguimiento/proteccion",
        "/acuse",
        "/acuse.json",
        "/seguimiento/denuncia",
        "/%00",
        "/denunciar?lang=%00",
        "/static/..%2f..%2fconfig",
    ]
    weird = ["²", "1" * 5000, "\x00", "é" * 30_000, "", "-1", "<script>", "../../etc", "\u202e"]
    fields = ["remove_files", "keep_original", "draft", "modality", "motives", "facts", "entity"]
    fields += ["receipt", "persons-99-name", "action", "written_down", "kind", "body", "measures"]
    bad = []
    for path in paths:
        for method in ("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"):
            if client.open(path, method=method).status_code >= 500:
                bad.append((method, path))
        for value in weird:
            for name in fields:
                data = complaint_data()
                data[name] = value
                if client.post(path, data=data).status_code >= 500:
                    bad.append((path, name, value[:8]))
        for ctype in ("multipart/form-data; boundary=xx", "application/x-www-form-urlencoded"):
            noise = bytes(rnd.getrandbits(8) for _ in range(600))
            if client.post(path, data=noise, content_type=ctype).status_code >= 500:
                bad.append((path, ctype))
    for name in ("a.docx", "b.pdf", "c.jpg", "d.png", "e.webp", "f.odt"):
        magic = {"a": b"PK\x03\x04", "b": b"%PDF-1.7\n", "c": b"\xff\xd8\xff\xe1"}.get(
            name[0], b"\x89PNG\r\n\x1a\n" if name[0] == "d" else b"RIFF\x00\x00\x00\x00WEBP"
        )
        content = magic + bytes(rnd.getrandbits(8) for _ in range(3000))
        for path in ("/denunciar", "/seguimiento/pruebas"):
            resp = client.post(path, data={"files": [(io.BytesIO(content), name)]})
            if resp.status_code >= 500:
                bad.append((path, name))
    assert not bad, bad[:20]


def test_an_unexpected_error_logs_no_user_content(app, client, ent, caplog, monkeypatch):
    import logging

    from core.files import inspection

    def broken_sniff(data: bytes) -> str:
        raise ValueError(f"parser excerpt: {data[:40]!r}")

    monkeypatch.setattr(inspection, "sniff", broken_sniff)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    caplog.set_level(logging.DEBUG)
    client.get("/denunciar")
    data = with_files(complaint_data(facts=CANARY), [("x.pdf", CANARY.encode() * 3)])
    resp = client.post("/denunciar", data=data, content_type="multipart/form-data")
    assert resp.status_code == 500
    assert "Ocurrió un error" in resp.get_data(as_text=True)
    assert "unhandled ValueError on POST /denunciar" in caplog.text
    assert CANARY not in caplog.text and "Traceback" not in caplog.text


def test_a_wrong_receipt_costs_a_keyed_lookup_and_writes_nothing(
    client, ent, clean_engine, settings, monkeypatch
):
    """argon2id runs only for a receipt that exists; a miss leaves no row anywhere."""
    import crypto
    from core.services import intake
    from core.storage.models import Throttle

    derivations: list[str] = []
    real = crypto.derive_complainant_identity

    def derive(code, *args, **kwargs):  # type: ignore[no-untyped-def]
        derivations.append(code)
        return real(code, *args, **kwargs)

    receipt, _ = file_complaint(client)
    client.post("/seguimiento/salir")
    monkeypatch.setattr(intake.crypto, "derive_complainant_identity", derive)

    def table_sizes() -> dict[str, int]:
        from sqlalchemy import func
        from sqlalchemy import inspect

        with SaSession(clean_engine) as s:
            names = inspect(clean_engine).get_table_names()
            return {
                n: s.scalar(select(func.count()).select_from(text(f'"{n}"'))) or 0 for n in names
            }

    before = table_sizes()
    for _ in range(20):
        wrong = crypto.generate_receipt()
        assert client.post("/seguimiento", data={"receipt": wrong}).status_code == 422
    assert derivations == []
    assert table_sizes() == before
    assert client.post("/seguimiento", data={"receipt": receipt}).status_code == 303
    assert derivations == [receipt]
    with SaSession(clean_engine) as s:
        assert s.scalars(select(Throttle.key)).all() == []

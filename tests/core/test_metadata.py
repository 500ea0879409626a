# ruff: noqa: E501 - sample XML parts are clearer on one line
"""core.files.metadata: hidden metadata is found (to show the complainant) and removed losslessly."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from PIL import PngImagePlugin
from pypdf import PdfReader
from pypdf import PdfWriter

from core.files import inspection
from core.files import metadata

SECRET = "Ana Torres"


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = SECRET  # Artist
    exif[0x0110] = "Pixel-7"  # Model
    exif[0x8825] = {1: "S", 2: (12.0, 3.0, 0.0), 3: "W", 4: (77.0, 2.0, 0.0)}
    return exif


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG", exif=_exif(), comment=SECRET.encode())
    return buf.getvalue()


def png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("Description", SECRET)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "PNG", pnginfo=info, exif=_exif())
    return buf.getvalue()


def webp() -> bytes:
    buf = io.BytesIO()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{SECRET}</dc:creator></x:xmpmeta>'
    Image.new("RGB", (8, 8), "green").save(buf, "WEBP", exif=_exif(), xmp=xmp.encode())
    return buf.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata({"/Author": SECRET, "/Creator": "Word 2019", "/Title": "Informe"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        zf.writestr(
            "docProps/core.xml",
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{SECRET}</dc:creator><cp:lastModifiedBy>{SECRET}</cp:lastModifiedBy></cp:coreProperties>",
        )
        zf.writestr(
            "docProps/app.xml",
            '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>Municipalidad X</Company><Application>Microsoft Office Word</Application></Properties>',
        )
        zf.writestr("word/document.xml", "<w:document>contenido</w:document>")
    return buf.getvalue()


def odt() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        zf.writestr(
            "meta.xml",
            '<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
            f"<meta:initial-creator>{SECRET}</meta:initial-creator><dc:creator>{SECRET}</dc:creator><meta:generator>LibreOffice/7.4</meta:generator></office:meta></office:document-meta>",
        )
        zf.writestr("content.xml", "<office:document-content>contenido</office:document-content>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("make", "kind"),
    [(jpeg, "jpeg"), (png, "png"), (webp, "webp"), (pdf, "pdf"), (docx, "ooxml"), (odt, "odf")],
)
def test_found_then_removed(make, kind):
    data = make()
    found = metadata.inspect(data)
    assert found.kind == kind and found.removable
    assert found.has_metadata, found
    clean = metadata.strip(data)
    assert SECRET.encode() not in clean
    assert not metadata.inspect(clean).has_metadata, metadata.inspect(clean)


def test_images_keep_their_pixels():
    for make in (jpeg, png, webp):
        data = make()
        with (
            Image.open(io.BytesIO(data)) as before,
            Image.open(io.BytesIO(metadata.strip(data))) as after,
        ):
            assert before.size == after.size
            if make is not jpeg:
                assert before.tobytes() == after.tobytes()


def test_gps_is_reported_as_coordinates():
    fields = dict((f.field, f.value) for f in metadata.inspect(jpeg()).findings)
    assert fields["gps"].startswith("-12.05")


def test_documents_stay_valid():
    assert len(PdfReader(io.BytesIO(metadata.strip(pdf()))).pages) == 1
    with zipfile.ZipFile(io.BytesIO(metadata.strip(odt()))) as zf:
        assert zf.namelist()[0] == "mimetype"
        assert zf.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert (
            zf.read("content.xml")
            == b"<office:document-content>contenido</office:document-content>"
        )
    with zipfile.ZipFile(io.BytesIO(metadata.strip(docx()))) as zf:
        assert zf.read("word/document.xml") == b"<w:document>contenido</w:document>"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hola",
        b"\xff\xd8\xff\x00garbage",
        b"%PDF-1.4 roto",
        b"PK\x03\x04roto",
        b"\x89PNG\r\n\x1a\nxx",
    ],
)
def test_broken_input_never_raises(data):
    metadata.inspect(data)
    assert isinstance(metadata.strip(data), bytes)


def test_xml_bombs_are_not_parsed():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("docProps/core.xml", bomb)
    found = metadata.inspect(buf.getvalue()).findings
    assert found == (inspection.Finding("text", "docProps/core.xml"),)  # flagged, never expanded
    assert b"aaaa" not in metadata.clean(buf.getvalue())


def _package(core_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("docProps/core.xml", core_xml)
    return buf.getvalue()


def test_utf16_xml_cannot_smuggle_a_dtd():
    entities = '<!ENTITY a "xyxyxyxyxy"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    bomb = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [{entities}]>'
        '<cp:x xmlns:cp="u"><creator>&b;&b;</creator></cp:x>'
    ).encode("utf-16")
    found = metadata.inspect(_package(bomb)).findings
    assert all("xyxy" not in f.value for f in found)
    assert found  # flagged as unreadable metadata, hence removed on cleaning
    assert "xyxy".encode("utf-16-le") not in metadata.clean(_package(bomb))


def test_jpeg_appended_image_app15_and_unrecognised_exif_are_removed():
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription: not a field the review names
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG", exif=exif)
    only_description = buf.getvalue()
    assert metadata.inspect(only_description).has_metadata  # still reported (as EXIF)
    app15 = b"\xff\xef" + (2 + len(SECRET)).to_bytes(2, "big") + SECRET.encode()
    crafted = only_description[:2] + app15 + only_description[2:] + jpeg()  # MPF-like trailer
    cleaned = metadata.clean(crafted)
    assert SECRET.encode() not in cleaned and b"Pixel-7" not in cleaned
    assert cleaned.endswith(b"\xff\xd9") and cleaned.count(b"\xff\xd8") == 1
    with Image.open(io.BytesIO(cleaned)) as im:
        im.load()
        assert im.size == (8, 8)


def test_png_and_webp_keep_only_image_chunks():
    data = png()
    iend = data.rindex(b"IEND") - 4
    c2pa = len(SECRET).to_bytes(4, "big") + b"caBX" + SECRET.encode() + b"\0\0\0\0"
    crafted = data[:iend] + c2pa + data[iend:] + b"trailer " + SECRET.encode()
    assert SECRET.encode() not in metadata.clean(crafted)
    w = webp()
    chunk = b"XYZW" + len(SECRET).to_bytes(4, "little") + SECRET.encode() + b"\0"
    crafted_webp = w[:4] + (len(w) - 8 + len(chunk)).to_bytes(4, "little") + w[8:] + chunk
    cleaned = metadata.clean(crafted_webp)
    assert SECRET.encode() not in cleaned
    with Image.open(io.BytesIO(cleaned)) as im:
        im.load()


def test_pdf_xmp_stream_and_unusual_info_keys_are_gone():
    from pypdf.generic import NameObject
    from pypdf.generic import StreamObject

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata({"/Empresa": SECRET})
    xmp = StreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{SECRET} XMP</dc:creator></x:xmpmeta>".encode())
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    buf = io.BytesIO()
    writer.write(buf)
    found = metadata.inspect(buf.getvalue()).findings
    assert any(SECRET in f.value for f in found)  # any /Info key is shown, not only /Author
    cleaned = metadata.clean(buf.getvalue())
    assert SECRET.encode() not in cleaned  # the unreferenced XMP stream is not written out
    assert len(PdfReader(io.BytesIO(cleaned)).pages) == 1


def test_zip_bomb_is_refused_not_inflated():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("docProps/core.xml", f"<cp:x xmlns:cp='u'><creator>{SECRET}</creator></cp:x>")
        zf.writestr("word/bomb.bin", b"\0" * (300 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(metadata.CleaningFailed):
        metadata.clean(data)
    assert metadata.strip(data) == data


def test_unsupported_zip_versions_never_raise():
    data = bytearray(docx())
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (75).to_bytes(2, "little")  # "version needed" 7.5
    assert inspection.sniff(bytes(data)) == "other"
    metadata.inspect(bytes(data))
    with pytest.raises(metadata.CleaningFailed):
        metadata.clean(bytes(data))


def test_clean_refuses_rather_than_pretends(monkeypatch):
    monkeypatch.setitem(metadata._STRIPPERS, "jpeg", lambda data: data)  # a stripper that fails
    with pytest.raises(metadata.CleaningFailed):
        metadata.clean(jpeg())


def test_reading_a_photo_logs_none_of_its_metadata(caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    metadata.inspect(jpeg())
    metadata.clean(jpeg())
    assert SECRET not in caplog.text and "Pixel" not in caplog.text


def test_safe_filename():
    assert metadata.safe_filename("../../etc/passwd") == "passwd"
    assert metadata.safe_filename("C:\\Users\\ana\\foto ñ.jpg") == "foto ñ.jpg"
    assert metadata.safe_filename("<script>.pdf") == "_script_.pdf"
    assert metadata.safe_filename("") == "archivo"

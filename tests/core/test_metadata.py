# ruff: noqa: E501 - sample XML parts are clearer on one line
"""core.metadata: hidden metadata is found (to show the complainant) and removed losslessly."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from PIL import PngImagePlugin
from pypdf import PdfReader
from pypdf import PdfWriter

from core import metadata

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
    assert metadata.inspect(buf.getvalue()).findings == ()


def test_safe_filename():
    assert metadata.safe_filename("../../etc/passwd") == "passwd"
    assert metadata.safe_filename("C:\\Users\\ana\\foto ñ.jpg") == "foto ñ.jpg"
    assert metadata.safe_filename("<script>.pdf") == "_script_.pdf"
    assert metadata.safe_filename("") == "archivo"

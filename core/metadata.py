"""Hidden metadata in uploaded files: find it (to show the complainant) and remove it.

A photo can carry the phone model and the GPS position; a PDF or an Office file the
author's name and the organisation. The complainant sees what was found before
submitting and chooses, per file, whether to remove it (the default) or keep the
original (GlobaLeaks keeps originals as evidence, GL#1942: the choice is theirs).

Removal is lossless where the format allows it: JPEG, PNG and WebP segments or
chunks are dropped without re-encoding pixels; PDF info and XMP are dropped by
rewriting the document; Office (OOXML) and ODF packages get empty property parts.
Everything works on bytes in memory (bounded by the upload limit): never a temp file.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - parses only; see _safe_xml

from PIL import ExifTags
from PIL import Image

MAX_VALUE = 120

# pypdf logs parse warnings that can quote the document being read: an uploaded file's
# content must never reach a log (invariant 1), so its logger is silenced here.
logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)


@dataclass(frozen=True)
class Finding:
    """One hidden field: a stable key (for the catalog) and the value found."""

    field: str
    value: str


@dataclass(frozen=True)
class Inspection:
    """What a file carries, and whether this module can remove it."""

    kind: str  # jpeg | png | webp | pdf | ooxml | odf | other
    findings: tuple[Finding, ...]
    removable: bool

    @property
    def has_metadata(self) -> bool:
        return bool(self.findings)


def _short(value: object) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text[:MAX_VALUE] + ("…" if len(text) > MAX_VALUE else "")


def sniff(data: bytes) -> str:
    """The format from the content (never from the name or the declared type)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "[Content_Types].xml" in names:
                    return "ooxml"
                if "mimetype" in names and "meta.xml" in names:
                    return "odf"
                if "mimetype" in names:
                    return "odf"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "other"
        return "zip"
    return "other"


# --- images ------------------------------------------------------------------------------------

_EXIF_FIELDS = {
    "Make": "device",
    "Model": "device",
    "Software": "software",
    "Artist": "author",
    "Copyright": "author",
    "DateTime": "date",
    "DateTimeOriginal": "date",
    "HostComputer": "device",
    "BodySerialNumber": "device",
}


def _image_findings(data: bytes) -> list[Finding]:
    found: list[Finding] = []
    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            for tag, value in exif.items():
                name = ExifTags.TAGS.get(tag, "")
                if name in _EXIF_FIELDS:
                    found.append(Finding(_EXIF_FIELDS[name], _short(value)))
            try:
                ifd = exif.get_ifd(ExifTags.IFD.Exif)
                for tag, value in ifd.items():
                    name = ExifTags.TAGS.get(tag, "")
                    if name in _EXIF_FIELDS:
                        found.append(Finding(_EXIF_FIELDS[name], _short(value)))
            except (KeyError, ValueError, struct.error):
                pass
            try:
                gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            except (KeyError, ValueError, struct.error):
                gps = {}
            if gps:
                found.append(Finding("gps", _gps_text(gps)))
            elif ExifTags.Base.GPSInfo in exif:
                found.append(Finding("gps", "GPS"))
            info = img.info
            if "xmp" in info or "XML:com.adobe.xmp" in info:
                found.append(Finding("xmp", "XMP"))
            if "comment" in info:
                found.append(Finding("comment", _short(info["comment"])))
            for key in ("Author", "Software", "Comment", "Description", "Title"):
                if key in info and isinstance(info[key], str):
                    found.append(Finding("text", f"{key}: {_short(info[key])}"))
            if "exif" in info and not exif:
                found.append(Finding("exif", "EXIF"))
    except (OSError, ValueError, SyntaxError, struct.error, Image.DecompressionBombError):
        return found
    return found


def _gps_text(gps: dict[int, object]) -> str:
    def coord(values: object, ref: object) -> str | None:
        try:
            d, m, s = (float(v) for v in values)  # type: ignore[attr-defined]
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        sign = -1 if str(ref) in ("S", "W") else 1
        return f"{sign * (d + m / 60 + s / 3600):.5f}"

    lat = coord(gps.get(2), gps.get(1))
    lon = coord(gps.get(4), gps.get(3))
    if lat and lon:
        return f"{lat}, {lon}"
    return "GPS"


_JPEG_DROP = {0xE1, 0xED, 0xFE} | set(range(0xE3, 0xEF))  # APP1 EXIF/XMP, APP3-14, IPTC, COM
_JPEG_KEEP_APP = {0xE0, 0xE2, 0xEE}  # JFIF, ICC profile, Adobe (colour transform)


def strip_jpeg(data: bytes) -> bytes:
    """Drop EXIF, XMP, IPTC and comment segments; the image data is copied untouched."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("malformed JPEG")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[pos:]
            return bytes(out)
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos : pos + 2 + length]
        if marker in _JPEG_DROP and marker not in _JPEG_KEEP_APP:
            pass
        else:
            out += segment
        pos += 2 + length
    raise ValueError("JPEG without image data")


_PNG_DROP = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"}


def strip_png(data: bytes) -> bytes:
    """Drop text, EXIF and time chunks."""
    sig = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(sig):
        raise ValueError("not a PNG")
    out = bytearray(sig)
    pos = len(sig)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG")
        if ctype not in _PNG_DROP:
            out += data[pos:end]
        pos = end
        if ctype == b"IEND":
            break
    return bytes(out)


def strip_webp(data: bytes) -> bytes:
    """Drop EXIF and XMP chunks and clear their flags in VP8X."""
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise ValueError("not a WebP")
    chunks = bytearray()
    pos = 12
    while pos + 8 <= len(data):
        ctype = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = pos + 8 + length + (length & 1)
        chunk = bytearray(data[pos:end])
        if ctype in (b"EXIF", b"XMP "):
            pos = end
            continue
        if ctype == b"VP8X" and len(chunk) > 8:
            chunk[8] &= ~(0x08 | 0x04) & 0xFF  # EXIF and XMP flags
        chunks += chunk
        pos = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_findings(data: bytes) -> list[Finding]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    found: list[Finding] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        info: Any = reader.metadata or {}
        names = {
            "/Author": "author",
            "/Creator": "software",
            "/Producer": "software",
            "/Title": "title",
            "/Subject": "title",
            "/Keywords": "text",
            "/CreationDate": "date",
            "/ModDate": "date",
        }
        for key, label in names.items():
            value = info.get(key)
            if value:
                found.append(Finding(label, _short(value)))
        root: Any = reader.trailer["/Root"]
        if "/Metadata" in root:
            found.append(Finding("xmp", "XMP"))
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return found
    return found


def strip_pdf(data: bytes) -> bytes:
    """Rewrite the PDF without its document information dictionary and XMP metadata."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=io.BytesIO(data))
    root = writer._root_object  # noqa: SLF001 - pypdf exposes the catalog only this way
    if NameObject("/Metadata") in root:
        del root[NameObject("/Metadata")]
    writer._info = None  # noqa: SLF001 - drop the /Info dictionary entirely
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Office (OOXML) and ODF --------------------------------------------------------------------

_OOXML_PARTS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")
_OOXML_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)
_OOXML_EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
    b'properties"/>'
)
_ODF_EMPTY_META = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'office:version="1.2"><office:meta/></office:document-meta>'
)
_INTERESTING = {
    "creator": "author",
    "lastModifiedBy": "author",
    "initial-creator": "author",
    "Company": "organization",
    "Manager": "author",
    "Application": "software",
    "generator": "software",
    "title": "title",
    "subject": "title",
    "description": "text",
    "keywords": "text",
    "created": "date",
    "modified": "date",
    "creation-date": "date",
    "date": "date",
    "Template": "software",
    "user-defined": "text",
    "property": "text",
}
_MAX_PART = 1024 * 1024


def _safe_xml(raw: bytes) -> ET.Element | None:
    # No entity expansion: reject DTDs outright (billion laughs, XXE).
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw or len(raw) > _MAX_PART:
        return None
    try:
        return ET.fromstring(raw)  # noqa: S314 - DTDs rejected above
    except ET.ParseError:
        return None


def _xml_findings(raw: bytes) -> list[Finding]:
    root = _safe_xml(raw)
    found: list[Finding] = []
    if root is None:
        return found
    for el in root.iter():
        local = el.tag.rsplit("}", 1)[-1]
        label = _INTERESTING.get(local)
        if label is None:
            continue
        text = (el.text or "").strip()
        if local in ("user-defined", "property"):
            name = el.attrib.get("name") or next(
                (v for k, v in el.attrib.items() if k.endswith("}name")), ""
            )
            text = f"{name}: {text}".strip(": ")
        if text:
            found.append(Finding(label, _short(text)))
    return found


def _package_findings(data: bytes, parts: tuple[str, ...]) -> list[Finding]:
    found: list[Finding] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in parts:
                if name in zf.namelist() and zf.getinfo(name).file_size <= _MAX_PART:
                    found.extend(_xml_findings(zf.read(name)))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, zlib.error):
        return found
    return found


def _rewrite_package(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename in replace:
                new = replace[info.filename]
                if new is None:
                    continue
                body = new
            else:
                body = src.read(info.filename)
            target = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            # ODF requires "mimetype" first and stored; keep each entry's compression.
            target.compress_type = info.compress_type
            target.external_attr = info.external_attr
            dst.writestr(target, body)
    return out.getvalue()


def strip_ooxml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
    replace: dict[str, bytes | None] = {}
    if "docProps/core.xml" in names:
        replace["docProps/core.xml"] = _OOXML_EMPTY_CORE
    if "docProps/app.xml" in names:
        replace["docProps/app.xml"] = _OOXML_EMPTY_APP
    if "docProps/custom.xml" in names:
        # An empty custom part is valid and keeps the relationship list consistent.
        replace["docProps/custom.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
            b'"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
        )
    return _rewrite_package(data, replace)


def strip_odf(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
    replace: dict[str, bytes | None] = {}
    if "meta.xml" in names:
        replace["meta.xml"] = _ODF_EMPTY_META
    return _rewrite_package(data, replace)


# --- public API --------------------------------------------------------------------------------

_STRIPPERS = {
    "jpeg": strip_jpeg,
    "png": strip_png,
    "webp": strip_webp,
    "pdf": strip_pdf,
    "ooxml": strip_ooxml,
    "odf": strip_odf,
}


def inspect(data: bytes) -> Inspection:
    """List the hidden metadata a file carries (never raises on bad input)."""
    kind = sniff(data)
    findings: list[Finding]
    if kind in ("jpeg", "png", "webp"):
        findings = _image_findings(data)
    elif kind == "pdf":
        findings = _pdf_findings(data)
    elif kind == "ooxml":
        findings = _package_findings(data, _OOXML_PARTS)
    elif kind == "odf":
        findings = _package_findings(data, ("meta.xml",))
    else:
        findings = []
    unique = tuple(dict.fromkeys(findings))
    return Inspection(kind=kind, findings=unique, removable=kind in _STRIPPERS)


def strip(data: bytes) -> bytes:
    """The file without its metadata; the original bytes when the format is unknown or broken."""
    kind = sniff(data)
    stripper = _STRIPPERS.get(kind)
    if stripper is None:
        return data
    try:
        return stripper(data)
    except Exception:  # noqa: BLE001 - a file we cannot rewrite is kept as uploaded
        return data


_SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """A display/download-safe file name (no paths, no control characters)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).strip(" .")
    return base[:120] or "archivo"

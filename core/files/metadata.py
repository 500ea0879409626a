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

import gc
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

from core.files import formats
from core.files.owned import Owned

MAX_VALUE = 120

# pypdf logs parse warnings that can quote the document being read: an uploaded file's
# content must never reach a log (invariant 1), so its logger is silenced here.
# Pillow does the same at DEBUG level: its TIFF/EXIF reader logs tag values (the
# author's name, GPS coordinates) of every photo it opens.
for _noisy in ("pypdf", "PIL"):
    logging.getLogger(_noisy).setLevel(logging.CRITICAL + 1)

# zipfile raises more than BadZipFile on crafted archives (an unsupported version or
# compression method is NotImplementedError; a short entry is EOFError).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)


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
        except _ZIP_ERRORS:
            return "other"
        return "zip"
    return formats.sniff_other(data)


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
            if ("exif" in info or len(exif)) and not any(
                f.field in ("device", "software", "author", "date", "gps") for f in found
            ):
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


# JPEG segments kept: JFIF (APP0), ICC profile (APP2) and Adobe colour transform (APP14),
# recognised by their identifier. Every other application segment (EXIF/XMP in APP1, MPF
# and FlashPix in APP2, IPTC in APP13, C2PA/JUMBF in APP11, vendor data in APP15, ...) and
# every comment is dropped, and nothing after the end-of-image marker is copied: phones
# append a second image (MPF, motion photos, depth maps) that carries its own EXIF and GPS.
_JPEG_KEEP_APP = {0xE0: (b"JFIF\x00",), 0xE2: (b"ICC_PROFILE\x00",), 0xEE: (b"Adobe",)}
_JPEG_STANDALONE = {0x01} | set(range(0xD0, 0xD8))


def _keep_jpeg_segment(marker: int, body: bytes) -> bool:
    if 0xE0 <= marker <= 0xEF:
        return any(body.startswith(prefix) for prefix in _JPEG_KEEP_APP.get(marker, ()))
    return marker != 0xFE  # COM


def strip_jpeg(data: bytes) -> bytes:
    """Drop EXIF, XMP, IPTC, comments and appended data; the image data is copied untouched."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pos, size = 2, len(data)
    while pos + 2 <= size:
        if data[pos] != 0xFF:
            raise ValueError("malformed JPEG")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image: whatever follows is dropped
            out += b"\xff\xd9"
            return bytes(out)
        if marker in _JPEG_STANDALONE:
            out += data[pos : pos + 2]
            pos += 2
            continue
        if marker == 0xD8 or pos + 4 > size:
            raise ValueError("malformed JPEG")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > size:
            raise ValueError("truncated JPEG")
        if _keep_jpeg_segment(marker, data[pos + 4 : end]):
            out += data[pos:end]
        pos = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            scan = pos
            while True:
                idx = data.find(b"\xff", scan)
                if idx < 0 or idx + 1 >= size:  # truncated file: nothing can follow
                    out += data[pos:]
                    return bytes(out)
                nxt = data[idx + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7:  # stuffed byte or restart marker
                    scan = idx + 2
                    continue
                out += data[pos:idx]
                pos = idx
                break
    raise ValueError("JPEG without end of image")


# Critical chunks and the ancillary chunks that only describe how to render the pixels;
# everything else (text, EXIF, time, C2PA "caBX", vendor chunks) is dropped.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
    b"sBIT", b"bKGD", b"pHYs", b"hIST", b"sPLT", b"cICP", b"mDCV", b"cLLI", b"mDCv",
    b"cLLi", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def strip_png(data: bytes) -> bytes:
    """Keep only the chunks that draw the image; nothing after IEND."""
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
        if ctype in _PNG_KEEP:
            out += data[pos:end]
        pos = end
        if ctype == b"IEND":
            return bytes(out)
    raise ValueError("PNG without IEND")


_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}


def strip_webp(data: bytes) -> bytes:
    """Keep only the image chunks (drop EXIF, XMP and unknown chunks); clear the VP8X flags."""
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise ValueError("not a WebP")
    chunks = bytearray()
    pos = 12
    while pos + 8 <= len(data):
        ctype = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = pos + 8 + length + (length & 1)
        if end > len(data) + (length & 1):
            raise ValueError("truncated WebP")
        chunk = bytearray(data[pos:end])
        pos = end
        if ctype not in _WEBP_KEEP:
            continue
        if ctype == b"VP8X" and len(chunk) > 8:
            chunk[8] &= ~(0x08 | 0x04) & 0xFF  # EXIF and XMP flags
        chunks += chunk
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


# --- PDF ---------------------------------------------------------------------------------------


# A PDF ends with "%%EOF" within its last 1,024 bytes (ISO 32000-1, 7.5.5; readers allow
# some trailing bytes). Without it pypdf searches backwards through the whole file a byte at
# a time: seconds for a 50 MiB upload of random bytes behind a "%PDF-" header, in the request.
PDF_TAIL = 1024


class _ReadOnlyBytes(io.RawIOBase):
    """A seekable read-only view of bytes. pypdf sizes a BytesIO through getbuffer(), which
    makes the BytesIO copy the bytes it shared (a second copy of a 50 MiB upload); this
    stream, buffered, has no getbuffer and copies nothing but what is read."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        n = max(0, min(len(target), len(self._view) - self._pos))
        target[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view.release()
        super().close()


# A PDF larger than this is read by _SharingReader, and collected as soon as it is written.
LARGE_PDF = 4 * 1024 * 1024
_LARGE_READ = 1024 * 1024


class _SharingReader(io.BufferedReader):
    """The buffered view, except that a large read (a stream object's data: a scan's
    image) returns a memoryview into the file instead of a copy, so the parsed document
    shares the upload's bytes rather than holding them a second time."""

    def __init__(self, data: bytes) -> None:
        self._whole = memoryview(data)
        super().__init__(_ReadOnlyBytes(data))

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and size >= _LARGE_READ:
            start = self.tell()
            end = min(start + size, len(self._whole))
            # A view only where the stream's data ends where its /Length says: pypdf's
            # recovery from a wrong /Length searches the data with bytes methods.
            after = bytes(self._whole[end : end + 32]).lstrip(b" \t\r\n\x00\x0c")
            if after.startswith(b"endstream"):
                self.seek(end)
                return self._whole[start:end]  # type: ignore[return-value]
        return super().read(size)

    def close(self) -> None:
        self._whole = memoryview(b"")  # the views already read keep what they show
        super().close()


# A PDF larger than this is read strictly: pypdf's repairs (rebuilding a broken
# cross-reference table by scanning the whole file) took seconds on 50 MiB of hostile input
# behind a valid ending, in the request. Such a file is reported unreadable, so it is not
# cleanable and the person chooses (docs/threat-model.md, "Hostile files").
LENIENT_PDF = 8 * 1024 * 1024


class UnrepairedPdf(ValueError):
    """A large PDF that pypdf would have to repair: not read further (bounded time)."""


def _pdf_reader(stream: io.BufferedReader, size: int) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if size <= LENIENT_PDF:
        return PdfReader(stream)
    try:
        return PdfReader(stream, strict=True)
    except PyPdfError as exc:
        raise UnrepairedPdf("a large PDF that needs repair") from exc


def _pdf_stream(data: bytes) -> io.BufferedReader:
    if len(data) > LARGE_PDF:
        return _SharingReader(data)
    return io.BufferedReader(_ReadOnlyBytes(data))


class TruncatedPdf(ValueError):
    """A "PDF" without its end-of-file marker: not read further (bounded time)."""


def _check_pdf_tail(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_TAIL:]:
        raise TruncatedPdf("no %%EOF marker at the end of the PDF")


def _pdf_findings(data: bytes) -> list[Finding]:
    from pypdf.errors import PyPdfError

    # An incomplete PDF is not parsed: "unreadable", so cleaning is checked, not assumed.
    _check_pdf_tail(data)
    found: list[Finding] = []
    stream = _pdf_stream(data)
    try:
        try:
            reader = _pdf_reader(stream, len(data))
        except UnrepairedPdf:
            return [Finding("text", "?")]  # unreadable: cleaning is then checked, not assumed
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
        for key in info:
            if key not in names and key != "/Trapped" and info.get(key):
                found.append(Finding("text", f"{str(key).lstrip('/')}: {_short(info.get(key))}"))
        root: Any = reader.trailer["/Root"]
        if "/Metadata" in root:
            found.append(Finding("xmp", "XMP"))
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return found
    finally:
        # pypdf's objects point back at their reader (a cycle, freed only by the garbage
        # collector): the file itself is let go now.
        stream.close()
    return found


def strip_pdf(data: bytes) -> bytes:
    """Rewrite the PDF without its document information dictionary and XMP metadata."""
    out = io.BytesIO()
    strip_pdf_into(Owned(data), out)
    return out.getvalue()


def strip_pdf_into(source: Owned, out: Any) -> None:
    """strip_pdf writing into `out` (anything with write and tell, such as a sealed blob
    being written), taking the file from `source`: once pypdf has parsed it, the original is
    let go, so a large PDF is held about once (its parsed objects), not three times (the
    original, the objects and the output; docs/performance.md, "Upload memory"). Not
    checked: the caller reads the result back and checks it (core.files.review.check)."""
    from pypdf import PdfWriter

    _check_pdf_tail(source.peek())
    stream = _pdf_stream(source.take())
    try:
        reader = _pdf_reader(stream, source.size)
        writer = PdfWriter(clone_from=reader)
    finally:
        # Every object the document uses is now the writer's own: the file is let go (the
        # reader, which the cloned references still point at, keeps no copy of it).
        stream.close()
    reader.stream = io.BytesIO()
    del reader, stream
    _write_without_metadata(writer, out)
    large = source.size > LARGE_PDF
    del writer
    if large:
        # pypdf's objects and their writer form cycles: collect them now, with the file
        # they share, before the caller reads the cleaned copy back.
        gc.collect()


def _write_without_metadata(writer: Any, out: Any) -> None:
    from pypdf.generic import NameObject

    root = writer._root_object  # noqa: SLF001 - pypdf exposes the catalog only this way
    if NameObject("/Metadata") in root:
        del root[NameObject("/Metadata")]
    for page in writer.pages:
        for key in ("/Metadata", "/PieceInfo"):
            if NameObject(key) in page:
                del page[NameObject(key)]
    writer._info = None  # noqa: SLF001 - drop the /Info dictionary entirely
    # Objects the document no longer reaches (the old XMP stream, older /Info revisions)
    # would still be written out: drop them.
    _drop_unreachable(writer)
    writer.write(out)


def _drop_unreachable(writer: Any) -> None:
    """Drop the writer's objects that the catalog (or the trailer's /ID) no longer reaches.
    pypdf's compress_identical_objects does this too but hashes every object first, a
    transient copy of each stream (of a whole scan)."""
    from pypdf.generic import ArrayObject
    from pypdf.generic import DictionaryObject
    from pypdf.generic import IndirectObject

    objects = writer._objects  # noqa: SLF001 - the writer's object table
    reached: set[int] = set()
    todo: list[Any] = [writer._root_object]  # noqa: SLF001
    ident = getattr(writer, "_ID", None)
    if ident is not None:
        todo.append(ident)
    while todo:
        obj = todo.pop()
        if isinstance(obj, IndirectObject):
            if obj.pdf is not writer or obj.idnum in reached:
                continue
            reached.add(obj.idnum)
            if 0 < obj.idnum <= len(objects):
                todo.append(objects[obj.idnum - 1])
        elif isinstance(obj, DictionaryObject):
            todo.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            todo.extend(obj)
    root_ref = writer._root_object.indirect_reference  # noqa: SLF001
    if root_ref is not None:
        reached.add(root_ref.idnum)
    for idx in range(len(objects)):
        if idx + 1 not in reached:
            objects[idx] = None


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
    # No entity expansion: reject DTDs outright (billion laughs, XXE). The byte check only
    # holds for ASCII-compatible text, so UTF-16/32 parts (NUL bytes) are refused too.
    if len(raw) > _MAX_PART or b"\x00" in raw or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
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
                if name not in zf.namelist():
                    continue
                raw = zf.read(name) if zf.getinfo(name).file_size <= _MAX_PART else b""
                if _safe_xml(raw) is None:
                    # Not parsed (too big, DTD, not UTF-8): flagged, so that it is removed.
                    found.append(Finding("text", name))
                else:
                    found.extend(_xml_findings(raw))
    except _ZIP_ERRORS:
        return found
    return found


# A package is rewritten entry by entry: bound what a crafted archive (zip bomb) can cost.
MAX_PACKAGE_ENTRIES = 10_000
MAX_PACKAGE_UNCOMPRESSED = 512 * 1024 * 1024
MAX_PACKAGE_RATIO = 200


def _check_package(src: zipfile.ZipFile, compressed: int) -> None:
    infos = src.infolist()
    total = sum(info.file_size for info in infos)
    if len(infos) > MAX_PACKAGE_ENTRIES:
        raise ValueError("too many entries")
    if total > min(MAX_PACKAGE_UNCOMPRESSED, max(compressed, 1) * MAX_PACKAGE_RATIO):
        raise ValueError("expands too much")


def _rewrite_package(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        # Sizes are as declared, and zipfile never inflates an entry past its declared size.
        _check_package(src, len(data))
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
    findings: list[Finding] = []
    try:
        if kind in ("jpeg", "png", "webp"):
            findings = _image_findings(data)
        elif kind == "pdf":
            findings = _pdf_findings(data)
        elif kind == "ooxml":
            findings = _package_findings(data, _OOXML_PARTS)
        elif kind == "odf":
            findings = _package_findings(data, ("meta.xml",))
    except Exception:  # noqa: BLE001 - a hostile file must not break the upload
        findings = [Finding("text", "?")]  # unreadable: cleaning is then checked, not assumed
    unique = tuple(dict.fromkeys(findings))
    return Inspection(kind=kind, findings=unique, removable=kind in _STRIPPERS)


class CleaningFailed(ValueError):
    """The file's metadata could not be removed (unknown, broken or hostile file)."""


def clean(data: bytes) -> bytes:
    """The file without its metadata, checked: raises CleaningFailed rather than pretend.

    The result must still be of the same kind and show no metadata when inspected again;
    otherwise the caller tells the person instead of claiming the data was removed.
    """
    kind = sniff(data)
    stripper = _STRIPPERS.get(kind)
    if stripper is None:
        raise CleaningFailed(kind)
    try:
        out = stripper(data)
    except Exception as exc:  # noqa: BLE001 - any failure of a parser on hostile input
        raise CleaningFailed(kind) from exc
    if sniff(out) != kind or inspect(out).findings:
        raise CleaningFailed(kind)
    return out


def clean_if_applicable(data: bytes) -> tuple[bytes, bool]:
    """(cleaned file, True) for a format that carries metadata; (file, False) for one that
    carries none we know of (plain text, audio…). Raises CleaningFailed when a format with
    metadata cannot be cleaned, so the caller never passes it on as if it had been."""
    if sniff(data) not in _STRIPPERS:
        return data, False
    return clean(data), True


def strip(data: bytes) -> bytes:
    """The file without its metadata; the original bytes when the format is unknown or broken.

    Best effort, unchecked: never use it where the result is presented as cleaned (the
    intake, downloads and packages use `clean` / `clean_if_applicable`, which refuse instead).
    """
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

"""Hidden metadata in Office (OOXML) and ODF packages: property parts found and emptied.

A package is a ZIP: it is bounded (entries, uncompressed size, ratio) before it is read, and
its XML is parsed without entities. Chosen by format in core.files.metadata; the deeper
look inside packages (embedded files, comments, tracked changes) is core.files.packages.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET  # noqa: S405 - parses only; see _safe_xml

from core.files.inspection import _ZIP_ERRORS
from core.files.inspection import Finding
from core.files.inspection import _short

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

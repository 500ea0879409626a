"""Office (OOXML) and ODF documents in depth: beyond the property parts.

The property parts (docProps/*, meta.xml) are handled in core.files.metadata. A document
also names people inside its body: the author and initials of each comment and tracked
change (Word's w:author, ODF's dc:creator inside annotations and change records), the
people list (word/people.xml), the printer in ODF's settings.xml, and the pictures it
embeds carry their own EXIF (camera, GPS). This module finds those and rewrites them,
keeping the comments and changes themselves (they can be the evidence) and the pictures'
pixels (lossless strip of JPEG/PNG/WebP). mat2 then runs over the result where installed.
"""

from __future__ import annotations

import io
import re
import zipfile

from core.files import image_metadata
from core.files import inspection
from core.files import metadata
from core.files import office_metadata
from core.files.inspection import Finding

# Word: every attribute naming a person (comments, tracked changes, people.xml).
_OOXML_PERSON = re.compile(rb'\b(w:author|w:initials|w15:userId|w15:author)="([^"]*)"')
_OOXML_DATE = re.compile(rb'\bw:date="[^"]*"')
# ODF: the creator and date of annotations and tracked changes.
_ODF_CREATOR = re.compile(rb"<dc:creator>([^<]*)</dc:creator>")
_ODF_INITIALS = re.compile(rb"<meta:creator-initials>([^<]*)</meta:creator-initials>")
_ODF_DATE = re.compile(rb"<dc:date>[^<]*</dc:date>")
_ODF_PRINTER = re.compile(rb'config:name="Printer(?:Name|Setup)"[^>]*>([^<]*)<')
_ODF_EMPTY_SETTINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
    b'office:1.0" office:version="1.2"/>'
)
_NEUTRAL_DATE = b"2000-01-01T00:00:00"
_PICTURE_DIRS = ("word/media/", "xl/media/", "ppt/media/", "Pictures/", "media/")


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def _is_picture(name: str) -> bool:
    return name.startswith(_PICTURE_DIRS) or "/media/" in name


def findings(data: bytes, kind: str) -> list[Finding]:
    """Names, printers and picture metadata inside an OOXML/ODF document's body."""
    found: list[Finding] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            office_metadata._check_package(zf, len(data))
            for info in zf.infolist():
                name = info.filename
                if info.file_size > office_metadata._MAX_PART * 16:
                    continue
                if _is_picture(name):
                    body = zf.read(name)
                    if inspection.sniff(body) in ("jpeg", "png", "webp"):
                        found.extend(image_metadata._image_findings(body))
                    continue
                if not _is_xml(name):
                    continue
                body = zf.read(name)
                if kind == "ooxml":
                    for _attr, value in _OOXML_PERSON.findall(body):
                        if value:
                            found.append(Finding("author", inspection._short(value)))
                elif name == "settings.xml":
                    for value in _ODF_PRINTER.findall(body):
                        if value.strip():
                            found.append(Finding("device", inspection._short(value)))
                elif name != "meta.xml":
                    for value in [*_ODF_CREATOR.findall(body), *_ODF_INITIALS.findall(body)]:
                        if value.strip():
                            found.append(Finding("author", inspection._short(value)))
    except (*inspection._ZIP_ERRORS,):
        return [Finding("text", "?")]
    return list(dict.fromkeys(found))


def _clean_part(name: str, body: bytes, kind: str) -> bytes | None:
    """The part rewritten, or None when unchanged."""
    if _is_picture(name):
        if inspection.sniff(body) in ("jpeg", "png", "webp"):
            return metadata.clean(body)
        return None
    if not _is_xml(name):
        return None
    if kind == "ooxml":
        new = _OOXML_PERSON.sub(lambda m: m.group(1) + b'=""', body)
        new = _OOXML_DATE.sub(b'w:date="' + _NEUTRAL_DATE + b'Z"', new)
    elif name == "settings.xml":
        new = _ODF_EMPTY_SETTINGS
    else:
        new = _ODF_CREATOR.sub(b"<dc:creator></dc:creator>", body)
        new = _ODF_INITIALS.sub(b"<meta:creator-initials></meta:creator-initials>", new)
        new = _ODF_DATE.sub(b"<dc:date>" + _NEUTRAL_DATE + b"</dc:date>", new)
    return None if new == body else new


def clean(data: bytes, kind: str) -> bytes:
    """The document with its property parts emptied and its body's names removed.

    Raises metadata.CleaningFailed when it cannot be done, or when anything is still found.
    """
    try:
        data = metadata.clean(data)  # property parts, checked
        replace: dict[str, bytes | None] = {}
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            office_metadata._check_package(zf, len(data))
            for info in zf.infolist():
                new = _clean_part(info.filename, zf.read(info.filename), kind)
                if new is not None:
                    replace[info.filename] = new
        out = office_metadata._rewrite_package(data, replace) if replace else data
    except metadata.CleaningFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on hostile input
        raise metadata.CleaningFailed(kind) from exc
    if inspection.sniff(out) != kind or findings(out, kind) or metadata.inspect(out).findings:
        raise metadata.CleaningFailed(kind)
    return out


MAX_ARCHIVE_MEMBERS = 200


def archive_findings(data: bytes) -> list[Finding]:
    """A ZIP archive's comment and what its members carry (read by the built-in readers)."""
    found: list[Finding] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            office_metadata._check_package(zf, len(data))
            if zf.comment.strip():
                found.append(Finding("comment", inspection._short(zf.comment)))
            for info in zf.infolist()[:MAX_ARCHIVE_MEMBERS]:
                if info.file_size <= office_metadata._MAX_PART * 16 and not info.is_dir():
                    found.extend(metadata.inspect(zf.read(info.filename)).findings)
    except (*inspection._ZIP_ERRORS,):
        return [Finding("text", "?")]
    return list(dict.fromkeys(found))

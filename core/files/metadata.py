"""Hidden metadata in uploaded files: find it (to show the complainant) and remove it.

A photo can carry the phone model and the GPS position; a PDF or an Office file the
author's name and the organisation. The complainant sees what was found before
submitting and chooses, per file, whether to remove it (the default) or keep the
original (GlobaLeaks keeps originals as evidence, GL#1942: the choice is theirs).

Removal is lossless where the format allows it: JPEG, PNG and WebP segments or
chunks are dropped without re-encoding pixels; PDF info and XMP are dropped by
rewriting the document; Office (OOXML) and ODF packages get empty property parts.
Everything works on bytes in memory (bounded by the upload limit): never a temp file.

This module picks the inspector and cleaner by the sniffed format (core.files.inspection);
each format's own lives in image_metadata, pdf_metadata and office_metadata.
"""

from __future__ import annotations

import re

from core.files import inspection
from core.files.image_metadata import _image_findings
from core.files.image_metadata import strip_jpeg
from core.files.image_metadata import strip_png
from core.files.image_metadata import strip_webp
from core.files.inspection import Finding
from core.files.inspection import Inspection
from core.files.office_metadata import _OOXML_PARTS
from core.files.office_metadata import _package_findings
from core.files.office_metadata import strip_odf
from core.files.office_metadata import strip_ooxml
from core.files.pdf_metadata import _pdf_findings
from core.files.pdf_metadata import strip_pdf
from core.files.pdf_metadata import strip_pdf_into as strip_pdf_into

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
    kind = inspection.sniff(data)
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
    kind = inspection.sniff(data)
    stripper = _STRIPPERS.get(kind)
    if stripper is None:
        raise CleaningFailed(kind)
    try:
        out = stripper(data)
    except Exception as exc:  # noqa: BLE001 - any failure of a parser on hostile input
        raise CleaningFailed(kind) from exc
    if inspection.sniff(out) != kind or inspect(out).findings:
        raise CleaningFailed(kind)
    return out


def clean_if_applicable(data: bytes) -> tuple[bytes, bool]:
    """(cleaned file, True) for a format that carries metadata; (file, False) for one that
    carries none we know of (plain text, audio…). Raises CleaningFailed when a format with
    metadata cannot be cleaned, so the caller never passes it on as if it had been."""
    if inspection.sniff(data) not in _STRIPPERS:
        return data, False
    return clean(data), True


def strip(data: bytes) -> bytes:
    """The file without its metadata; the original bytes when the format is unknown or broken.

    Best effort, unchecked: never use it where the result is presented as cleaned (the
    intake, downloads and packages use `clean` / `clean_if_applicable`, which refuse instead).
    """
    kind = inspection.sniff(data)
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

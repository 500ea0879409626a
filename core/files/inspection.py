"""What a file carries: the format sniffed from its content, and the hidden fields found.

Shared by the per-format inspectors and cleaners (image_metadata, pdf_metadata,
office_metadata, svg, packages) and by core.files.metadata, which picks one by the sniffed format.
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from dataclasses import dataclass

from core.files import formats

# pypdf logs parse warnings that can quote the document being read: an uploaded file's
# content must never reach a log (invariant 1), so its logger is silenced here, in the
# module every inspector imports.
# Pillow does the same at DEBUG level: its TIFF/EXIF reader logs tag values (the
# author's name, GPS coordinates) of every photo it opens.
for _noisy in ("pypdf", "PIL"):
    logging.getLogger(_noisy).setLevel(logging.CRITICAL + 1)

MAX_VALUE = 120


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

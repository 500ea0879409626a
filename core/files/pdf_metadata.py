"""Hidden metadata in PDF documents: the info dictionary and XMP found, and removed by rewriting.

Chosen by format in core.files.metadata.
"""

from __future__ import annotations

import io
from typing import Any

from core.files.inspection import Finding
from core.files.inspection import _short

# A PDF ends with "%%EOF" within its last 1,024 bytes (ISO 32000-1, 7.5.5; readers allow
# some trailing bytes). Without it pypdf searches backwards through the whole file a byte at
# a time: seconds for a 50 MiB upload of random bytes behind a "%PDF-" header, in the request.
PDF_TAIL = 1024


class TruncatedPdf(ValueError):
    """A "PDF" without its end-of-file marker: not read further (bounded time)."""


def _check_pdf_tail(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_TAIL:]:
        raise TruncatedPdf("no %%EOF marker at the end of the PDF")


def _pdf_findings(data: bytes) -> list[Finding]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # An incomplete PDF is not parsed: "unreadable", so cleaning is checked, not assumed.
    _check_pdf_tail(data)
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
        for key in info:
            if key not in names and key != "/Trapped" and info.get(key):
                found.append(Finding("text", f"{str(key).lstrip('/')}: {_short(info.get(key))}"))
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

    _check_pdf_tail(data)
    writer = PdfWriter(clone_from=io.BytesIO(data))
    root = writer._root_object  # noqa: SLF001 - pypdf exposes the catalog only this way
    if NameObject("/Metadata") in root:
        del root[NameObject("/Metadata")]
    for page in writer.pages:
        for key in ("/Metadata", "/PieceInfo"):
            if NameObject(key) in page:
                del page[NameObject(key)]
    writer._info = None  # noqa: SLF001 - drop the /Info dictionary entirely
    # Unreferenced objects (the old XMP stream, older /Info revisions) would still be
    # written out: drop them.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

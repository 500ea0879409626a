"""A "PDF" without its end-of-file marker is not handed to pypdf, whose backward search for
it took seconds on a 50 MiB upload of random bytes in the request (issue 16): it is reported
as unreadable (so cleaning is checked, not assumed) and refused by the cleaner."""

from __future__ import annotations

import io
import os

import pypdf
import pytest
from pypdf import PdfWriter

from core.files import inspection
from core.files import metadata
from core.files import pdf_metadata


def _pdf(author: str, trailing: bytes = b"") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": author})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue() + trailing


@pytest.fixture
def pypdf_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every use of pypdf's reader or writer, recorded (the callers catch any exception)."""
    calls: list[str] = []

    def record(name: str):  # type: ignore[no-untyped-def]
        def refuse(*args: object, **kwargs: object) -> None:
            calls.append(name)
            raise RuntimeError(name)

        return refuse

    monkeypatch.setattr(pypdf, "PdfReader", record("PdfReader"))
    monkeypatch.setattr(pypdf, "PdfWriter", record("PdfWriter"))
    return calls


def test_a_pdf_header_over_random_bytes_is_unreadable_without_parsing(pypdf_calls) -> None:
    data = b"%PDF-1.7\n" + os.urandom(2 * 1024 * 1024)
    found = metadata.inspect(data)
    assert found.kind == "pdf"
    assert found.findings == (inspection.Finding("text", "?"),)
    with pytest.raises(metadata.CleaningFailed):
        metadata.clean(data)
    assert pypdf_calls == []


def test_a_real_pdf_with_a_few_trailing_bytes_is_still_read_and_cleaned() -> None:
    data = _pdf("Nombre Canario-5521", trailing=b"\n" * 200)
    found = metadata.inspect(data)
    assert inspection.Finding("author", "Nombre Canario-5521") in found.findings
    cleaned = metadata.clean(data)
    assert b"Canario-5521" not in cleaned
    assert metadata.inspect(cleaned).findings == ()


def _broken_xref(data: bytes) -> bytes:
    """The same PDF with its startxref pointing nowhere (pypdf repairs it by scanning)."""
    head, _sep, _tail = data.rpartition(b"startxref")
    return head + b"startxref\n0\n%%EOF\n"


def test_a_small_pdf_with_a_broken_xref_is_still_repaired_and_cleaned() -> None:
    data = _broken_xref(_pdf("Nombre Canario-7731"))
    assert len(data) <= pdf_metadata.LENIENT_PDF
    assert metadata.Finding("author", "Nombre Canario-7731") in metadata.inspect(data).findings
    assert metadata.inspect(metadata.clean(data)).findings == ()


def test_a_large_pdf_that_needs_repair_is_unreadable_not_scanned(monkeypatch) -> None:
    """pypdf's repair scans the whole file (seconds on 50 MiB of random bytes behind a valid
    ending): beyond LENIENT_PDF the reader is strict and the file is reported unreadable."""
    data = b"%PDF-1.7\n" + os.urandom(pdf_metadata.LENIENT_PDF) + b"\n"
    data = _broken_xref(data + b"trailer\n<< /Root 1 0 R /Size 3 >>\nstartxref\n9\n%%EOF\n")
    strictness: list[bool] = []
    real = pypdf.PdfReader

    def spy(*args: object, **kwargs: object) -> object:
        strictness.append(bool(kwargs.get("strict")))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pypdf, "PdfReader", spy)
    assert metadata.inspect(data).findings == (metadata.Finding("text", "?"),)
    with pytest.raises(metadata.CleaningFailed):
        metadata.clean(data)
    assert strictness and all(strictness)


def _scan(size: int) -> bytes:
    """A PDF that is nearly all one uncompressed image stream of `size` random bytes."""
    from pypdf.generic import DecodedStreamObject
    from pypdf.generic import NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    image = DecodedStreamObject()
    image.set_data(os.urandom(size))
    page[NameObject("/Contents")] = writer._add_object(image)
    writer.add_metadata({"/Author": "Nombre Canario-9914"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("shift", [-1000, 0, 1000])
def test_a_large_pdf_is_cleaned_whole_even_with_a_wrong_stream_length(shift: int) -> None:
    """Above LARGE_PDF the parsed streams share the upload's bytes; where a /Length is wrong
    pypdf's recovery still gets bytes it can search, as below it."""
    data = _scan(pdf_metadata.LARGE_PDF + 1024 * 1024)
    length = int(data.split(b"/Length ", 1)[1].split(b"\n", 1)[0].split(b" ", 1)[0].strip(b">"))
    data = data.replace(f"/Length {length}".encode(), f"/Length {length + shift}".encode(), 1)
    cleaned = metadata.clean(data)
    assert metadata.inspect(cleaned).findings == ()
    assert abs(len(cleaned) - len(data)) < 4096  # the image is all there

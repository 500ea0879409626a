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

"""Hidden metadata in PDF documents: the info dictionary and XMP found, and removed by rewriting.

Chosen by format in core.files.metadata. A large PDF is read without copying the upload
(`_SharingReader`) and cleaned straight into the caller's output (`strip_pdf_into`), so a
50 MiB file is held about once (docs/performance.md, "Upload memory").
"""

from __future__ import annotations

import gc
import io
from typing import Any

from core.files.inspection import Finding
from core.files.inspection import _short
from core.files.owned import Owned

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

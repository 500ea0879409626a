"""What each evidence file carries before and after cleaning, and the cleaned file.

The one entry point the intake uses (filing and follow-up): `examine` at upload, to show
the complainant both lists and whether the file can be cleaned; `clean` at submission.
Which cleaner runs:

- JPEG, PNG, WebP, PDF: the lossless built-in cleaners (core.files.metadata): pixels are
  not re-encoded and a PDF's text stays text (mat2 would rasterise it).
- Office (OOXML) and ODF: the built-in cleaners in depth (core.files.packages), then mat2.
- TIFF, HEIC, MP3/OGG/FLAC/WAV, MP4/MOV/M4A, ZIP: mat2 (core.files.mat2).
- SVG: the built-in core.files.svg (mat2 0.13 refuses SVGs that carry metadata).
- Old Office (.doc/.xls/.ppt) and anything mat2 refuses: not cleanable; the person is told
  so and chooses to send the original or to remove the file.

Findings come from the built-in readers and from exiftool (the reference reader) where
installed; "after" is read again from the cleaned bytes, never assumed. exiftool reads the
original and the cleaned copy in one sandboxed run, and is not run at all for a PDF the
built-in cleaner rewrote that has no XMP stream: its document metadata is then the /Info
dictionary alone (ISO 32000-1, 14.3), which the built-in reader lists entry by entry, as
exiftool does. exiftool's cost, a sandbox and a Perl start (~110 ms of CPU), was most of a
complaint's CPU beyond argon2id (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.files import exiftool
from core.files import inspection
from core.files import mat2
from core.files import metadata
from core.files import packages
from core.files import svg
from core.files.inspection import Finding
from core.files.metadata import CleaningFailed
from core.files.owned import Owned

BUILTIN = ("jpeg", "png", "webp", "pdf")
DOCUMENTS = ("ooxml", "odf")
# Kinds that carry no metadata field we know of (plain text): nothing to clean.
PLAIN = ("other",)


@dataclass(frozen=True)
class Review:
    kind: str
    before: tuple[Finding, ...]
    after: tuple[Finding, ...]
    cleanable: bool  # a cleaned version can be sent; False: the person must choose

    @property
    def needs_choice(self) -> bool:
        return not self.cleanable and self.kind not in PLAIN


def builtin(data: bytes, kind: str) -> list[Finding]:
    """What the built-in readers find in one file of `kind`."""
    found = list(metadata.inspect(data).findings)
    if kind in DOCUMENTS:
        found.extend(packages.findings(data, kind))
    elif kind == "zip":
        found.extend(packages.archive_findings(data))
    elif kind == "svg":
        found.extend(svg.findings(data))
    return found


def combine(
    kind: str,
    ext: str,
    before: list[Finding],
    after: list[Finding] | None,
    files: Callable[[], list[bytes]],
) -> Review:
    """The review from the built-in findings of the original (`before`) and of its cleaned
    copy (`after`, None when it cannot be cleaned), adding exiftool's where the built-in
    readers are not complete: `files` gives the original (and the cleaned copy), asked for
    only then, and exiftool reads them in one run."""
    cleanable = after is not None
    found = [before] if after is None else [before, after]
    # A PDF the built-in cleaner rewrote was parsed in full.
    if kind not in PLAIN and not (kind == "pdf" and cleanable and _pdf_read_in_full(before)):
        for mine, theirs in zip(found, exiftool.read_many(files(), ext), strict=True):
            mine.extend(theirs or ())
    lists = [tuple(dict.fromkeys(f)) for f in found]
    return Review(kind=kind, before=lists[0], after=lists[-1], cleanable=cleanable)


def _pdf_read_in_full(found: list[Finding]) -> bool:
    """Whether the built-in reader listed all of a PDF's document metadata: its /Info
    entries, with no XMP stream (which it names only as "XMP") and nothing unreadable."""
    return not any(f.field in ("xmp", "text") and f.value in ("XMP", "?") for f in found)


def clean(data: bytes, ext: str) -> bytes:
    """The file cleaned by the best cleaner for its kind; raises CleaningFailed."""
    kind = inspection.sniff(data)
    if kind in BUILTIN:
        return metadata.clean(data)
    if kind in DOCUMENTS:
        out = packages.clean(data, kind)
        try:
            # A second pass by mat2; its refusal (a part it does not know) keeps ours.
            return mat2.clean(out, ext, unknown_members="keep")
        except CleaningFailed:
            return out
    if kind == "svg":
        return svg.clean(data)
    mat2_ext = mat2.EXTENSIONS.get(kind)
    if mat2_ext is None:
        raise CleaningFailed(kind)
    out = mat2.clean(data, mat2_ext)
    if inspection.sniff(out) != kind:
        raise CleaningFailed(kind)
    return out


def clean_into(source: Owned, ext: str, out: Any) -> str:
    """Write the cleaned file into `out` (write/tell, e.g. a sealed blob being written) and
    return its kind, taking the file from `source`. The PDF cleaner writes straight into
    `out` and lets the original go once parsed (core.files.metadata.strip_pdf_into); the
    others clean in memory. Raises CleaningFailed; a PDF's result is not checked yet: the
    caller reads it back and calls `check`."""
    kind = inspection.sniff(source.peek())
    if kind == "pdf":
        try:
            metadata.strip_pdf_into(source, out)
        except Exception as exc:  # noqa: BLE001 - any failure of a parser on hostile input
            raise CleaningFailed(kind) from exc
        return kind
    out.write(clean(source.take(), ext))
    return kind


def check(kind: str, cleaned: bytes, found: list[Finding]) -> None:
    """What `clean` checks of a built-in cleaner's result: still a `kind` file, and nothing
    left in `found`, the built-in readers' findings in it (`builtin`, read once for both
    this check and the "after" list). Raises CleaningFailed."""
    if kind in BUILTIN and (inspection.sniff(cleaned) != kind or found):
        raise CleaningFailed(kind)


def examine(data: bytes, ext: str) -> Review:
    """Before and after lists, and whether the file can be cleaned (never raises)."""
    kind = inspection.sniff(data)
    try:
        cleaned = None if kind in PLAIN else clean(data, ext)
    except CleaningFailed:
        cleaned = None
    if kind in PLAIN or cleaned is None:
        return combine(kind, ext, builtin(data, kind), None, lambda: [data])
    return combine(kind, ext, builtin(data, kind), builtin(cleaned, kind), lambda: [data, cleaned])

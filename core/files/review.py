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

from dataclasses import dataclass

from core.files import exiftool
from core.files import mat2
from core.files import metadata
from core.files import packages
from core.files import svg
from core.files.metadata import CleaningFailed
from core.files.metadata import Finding

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


def _builtin(data: bytes, kind: str) -> list[Finding]:
    found = list(metadata.inspect(data).findings)
    if kind in DOCUMENTS:
        found.extend(packages.findings(data, kind))
    elif kind == "zip":
        found.extend(packages.archive_findings(data))
    elif kind == "svg":
        found.extend(svg.findings(data))
    return found


def _read(files: list[bytes], ext: str, kind: str) -> list[tuple[Finding, ...]]:
    """The findings of each file (an original, then its cleaned copy): the built-in readers'
    and, where they are not complete, exiftool's from one run over all of them."""
    found = [_builtin(data, kind) for data in files]
    # A PDF the built-in cleaner rewrote (a cleaned copy follows it) was parsed in full.
    cleaned = len(files) > 1
    if kind not in PLAIN and not (kind == "pdf" and cleaned and _pdf_read_in_full(found[0])):
        for mine, theirs in zip(found, exiftool.read_many(files, ext), strict=True):
            mine.extend(theirs or ())
    return [tuple(dict.fromkeys(f)) for f in found]


def _pdf_read_in_full(found: list[Finding]) -> bool:
    """Whether the built-in reader listed all of a PDF's document metadata: its /Info
    entries, with no XMP stream (which it names only as "XMP") and nothing unreadable."""
    return not any(f.field in ("xmp", "text") and f.value in ("XMP", "?") for f in found)


def clean(data: bytes, ext: str) -> bytes:
    """The file cleaned by the best cleaner for its kind; raises CleaningFailed."""
    kind = metadata.sniff(data)
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
    if metadata.sniff(out) != kind:
        raise CleaningFailed(kind)
    return out


def examine(data: bytes, ext: str) -> Review:
    """Before and after lists, and whether the file can be cleaned (never raises)."""
    kind = metadata.sniff(data)
    try:
        cleaned = None if kind in PLAIN else clean(data, ext)
    except CleaningFailed:
        cleaned = None
    if cleaned is None:
        (before,) = _read([data], ext, kind)
        return Review(kind=kind, before=before, after=before, cleanable=False)
    before, after = _read([data, cleaned], ext, kind)
    return Review(kind=kind, before=before, after=after, cleanable=True)

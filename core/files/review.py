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
installed; "after" is read again from the cleaned bytes, never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.files import exiftool
from core.files import inspection
from core.files import mat2
from core.files import metadata
from core.files import packages
from core.files import svg
from core.files.inspection import Finding
from core.files.metadata import CleaningFailed

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


def _read(data: bytes, ext: str, kind: str) -> tuple[Finding, ...]:
    found = list(metadata.inspect(data).findings)
    if kind in DOCUMENTS:
        found.extend(packages.findings(data, kind))
    elif kind == "zip":
        found.extend(packages.archive_findings(data))
    elif kind == "svg":
        found.extend(svg.findings(data))
    if kind not in PLAIN:
        found.extend(exiftool.read(data, ext) or ())
    return tuple(dict.fromkeys(found))


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


def examine(data: bytes, ext: str) -> Review:
    """Before and after lists, and whether the file can be cleaned (never raises)."""
    kind = inspection.sniff(data)
    before = _read(data, ext, kind)
    if kind in PLAIN:
        return Review(kind=kind, before=before, after=before, cleanable=False)
    try:
        cleaned = clean(data, ext)
    except CleaningFailed:
        return Review(kind=kind, before=before, after=before, cleanable=False)
    return Review(kind=kind, before=before, after=_read(cleaned, ext, kind), cleanable=True)

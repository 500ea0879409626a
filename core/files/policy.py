"""What evidence the intake accepts and how it is cleaned before sealing.

One policy for both upload paths (filing and evidence added from the follow-up page):
the type is checked from the content, never trusted from the name or the browser, and the
recorded content type comes from the checked extension (docs/threat-model.md, "Hostile
files" and "Metadata").
"""

from __future__ import annotations

from enum import StrEnum

from core.files import inspection
from core.files import metadata
from core.files import review

# Accepted evidence: documents, images, audio and video. The type is checked from the
# content for the formats whose metadata we clean, so a renamed file is caught.
ALLOWED_EXTENSIONS = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "webp": "webp",
    "heic": "heic",  # iPhone photos
    "heif": "heic",
    "tif": "tiff",
    "tiff": "tiff",
    "svg": "svg",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
    "odt": "odf",
    "ods": "odf",
    "odp": "odf",
    "doc": "ole",  # old Office: accepted, flagged (cannot be cleaned)
    "xls": "ole",
    "ppt": "ole",
    "zip": "zip",
    "txt": None,
    "csv": None,
    "mp3": "mp3",
    "m4a": "mp4",
    "ogg": "ogg",
    "flac": "flac",
    "wav": "wav",
    "mp4": "mp4",
    "mov": "mp4",  # iPhone videos (QuickTime shares the ISO container)
}
# The type recorded with a file comes from its (checked) extension, never from the browser.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "mp4": "video/mp4",
    "heic": "image/heic",
    "heif": "image/heif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "svg": "image/svg+xml",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "zip": "application/zip",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "mov": "video/quicktime",
}


class Refusal(StrEnum):
    """Why one uploaded file was not accepted (the apps word the message)."""

    TYPE = "type"  # extension not allowed
    EMPTY = "empty"
    MISMATCH = "mismatch"  # content is not what the extension says
    TOO_MANY = "too_many"
    TOO_LARGE = "too_large"  # the files together exceed the size limit


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_matches(ext: str, data: bytes) -> bool:
    """Whether the content is what the extension says (a renamed file is refused)."""
    expected = ALLOWED_EXTENSIONS[ext]
    kind = inspection.sniff(data)
    if expected is not None:
        return kind == expected
    if kind != "other" or data[:2] == b"MZ" or data[:4] == b"\x7fELF":
        return False  # a document, image, archive, media or program under a text name
    return b"\x00" not in data[:65536]


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(extension(name), "application/octet-stream")


def screen(
    name: str, data: bytes, *, count: int, total: int, max_files: int, max_bytes: int
) -> Refusal | None:
    """Whether one more file may join `count` files of `total` bytes; None if it may."""
    ext = extension(name)
    if ext not in ALLOWED_EXTENSIONS:
        return Refusal.TYPE
    if not data:
        return Refusal.EMPTY
    if not content_matches(ext, data):
        return Refusal.MISMATCH
    if count + 1 > max_files:
        return Refusal.TOO_MANY
    if total + len(data) > max_bytes:
        return Refusal.TOO_LARGE
    return None


def clean(data: bytes, ext: str) -> bytes | None:
    """The file without hidden metadata (core.files.review); None when it cannot be cleaned."""
    try:
        return review.clean(data, ext)
    except metadata.CleaningFailed:
        return None

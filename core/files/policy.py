"""What evidence the intake accepts and how it is cleaned before sealing.

One policy for both upload paths (filing and evidence added from the follow-up page):
the type is checked from the content, never trusted from the name or the browser, and the
recorded content type comes from the checked extension (docs/threat-model.md, "Hostile
files" and "Metadata").
"""

from __future__ import annotations

from enum import StrEnum

from core.files import metadata

# Accepted evidence: documents, images, audio and video. The type is checked from the
# content for the formats whose metadata we clean, so a renamed file is caught.
ALLOWED_EXTENSIONS = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "webp": "webp",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
    "odt": "odf",
    "ods": "odf",
    "odp": "odf",
    "txt": None,
    "csv": None,
    "mp3": None,
    "m4a": None,
    "ogg": None,
    "mp4": None,
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
    kind = metadata.sniff(data)
    if expected is not None:
        return kind == expected
    if kind != "other" or data[:2] == b"MZ" or data[:4] == b"\x7fELF":
        return False  # a document, image, archive or program under a text/media name
    head = data[:12]
    if ext in ("txt", "csv"):
        return b"\x00" not in data[:65536]
    if ext == "mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)
    if ext == "ogg":
        return head.startswith(b"OggS")
    return head[4:8] == b"ftyp"  # mp4, m4a


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


def clean(data: bytes, found: tuple[str, ...], kind: str) -> tuple[bytes, tuple[str, ...]] | None:
    """The file without hidden metadata and what was removed; None when it cannot be removed.

    Images are always cleaned (losslessly), since not every field is recognised; documents
    when metadata was found (rewriting them unasked could break a digital signature).
    """
    if kind not in ("jpeg", "png", "webp") and not found:
        return data, ()
    try:
        cleaned = metadata.clean(data)
    except metadata.CleaningFailed:
        return None if found else (data, ())
    return cleaned, tuple(dict.fromkeys(found))

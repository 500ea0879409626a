"""Formats recognised from the content beyond those core.files.metadata cleans itself.

Photos from phones (HEIC, TIFF), audio and video containers, SVG drawings, old Office
files (OLE2: .doc/.xls/.ppt): the intake accepts them by content, never by name, and
core.files.review hands the ones mat2 can clean to it.
"""

from __future__ import annotations

# ISO base media brands that mean an HEIF/HEIC still image (iPhone photos).
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<") or b"\x00" in head:
        return False
    return head.startswith((b"<svg", b"<?xml", b"<!--")) and b"<svg" in head


def sniff_other(data: bytes) -> str:
    """The kind of a file that is not JPEG/PNG/WebP/PDF/ZIP-based; "other" if unknown."""
    head = data[:16]
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head[4:8] == b"ftyp":
        return "heic" if head[8:12] in _HEIF_BRANDS else "mp4"
    if head.startswith(_OLE2):
        return "ole"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0):
        return "mp3"
    if _is_svg(data):
        return "svg"
    return "other"

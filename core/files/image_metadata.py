"""Hidden metadata in JPEG, PNG and WebP images: EXIF and GPS found, segments and chunks dropped.

Lossless: the pixels are never re-encoded, only the metadata segments (JPEG) or chunks
(PNG, WebP) are left out. Chosen by format in core.files.metadata.
"""

from __future__ import annotations

import io
import struct

from PIL import ExifTags
from PIL import Image

from core.files.inspection import Finding
from core.files.inspection import _short

_EXIF_FIELDS = {
    "Make": "device",
    "Model": "device",
    "Software": "software",
    "Artist": "author",
    "Copyright": "author",
    "DateTime": "date",
    "DateTimeOriginal": "date",
    "HostComputer": "device",
    "BodySerialNumber": "device",
}


def _image_findings(data: bytes) -> list[Finding]:
    found: list[Finding] = []
    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            for tag, value in exif.items():
                name = ExifTags.TAGS.get(tag, "")
                if name in _EXIF_FIELDS:
                    found.append(Finding(_EXIF_FIELDS[name], _short(value)))
            try:
                ifd = exif.get_ifd(ExifTags.IFD.Exif)
                for tag, value in ifd.items():
                    name = ExifTags.TAGS.get(tag, "")
                    if name in _EXIF_FIELDS:
                        found.append(Finding(_EXIF_FIELDS[name], _short(value)))
            except (KeyError, ValueError, struct.error):
                pass
            try:
                gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            except (KeyError, ValueError, struct.error):
                gps = {}
            if gps:
                found.append(Finding("gps", _gps_text(gps)))
            elif ExifTags.Base.GPSInfo in exif:
                found.append(Finding("gps", "GPS"))
            info = img.info
            if "xmp" in info or "XML:com.adobe.xmp" in info:
                found.append(Finding("xmp", "XMP"))
            if "comment" in info:
                found.append(Finding("comment", _short(info["comment"])))
            for key in ("Author", "Software", "Comment", "Description", "Title"):
                if key in info and isinstance(info[key], str):
                    found.append(Finding("text", f"{key}: {_short(info[key])}"))
            if ("exif" in info or len(exif)) and not any(
                f.field in ("device", "software", "author", "date", "gps") for f in found
            ):
                found.append(Finding("exif", "EXIF"))
    except (OSError, ValueError, SyntaxError, struct.error, Image.DecompressionBombError):
        return found
    return found


def _gps_text(gps: dict[int, object]) -> str:
    def coord(values: object, ref: object) -> str | None:
        try:
            d, m, s = (float(v) for v in values)  # type: ignore[attr-defined]
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        sign = -1 if str(ref) in ("S", "W") else 1
        return f"{sign * (d + m / 60 + s / 3600):.5f}"

    lat = coord(gps.get(2), gps.get(1))
    lon = coord(gps.get(4), gps.get(3))
    if lat and lon:
        return f"{lat}, {lon}"
    return "GPS"


# JPEG segments kept: JFIF (APP0), ICC profile (APP2) and Adobe colour transform (APP14),
# recognised by their identifier. Every other application segment (EXIF/XMP in APP1, MPF
# and FlashPix in APP2, IPTC in APP13, C2PA/JUMBF in APP11, vendor data in APP15, ...) and
# every comment is dropped, and nothing after the end-of-image marker is copied: phones
# append a second image (MPF, motion photos, depth maps) that carries its own EXIF and GPS.
_JPEG_KEEP_APP = {0xE0: (b"JFIF\x00",), 0xE2: (b"ICC_PROFILE\x00",), 0xEE: (b"Adobe",)}


_JPEG_STANDALONE = {0x01} | set(range(0xD0, 0xD8))


def _keep_jpeg_segment(marker: int, body: bytes) -> bool:
    if 0xE0 <= marker <= 0xEF:
        return any(body.startswith(prefix) for prefix in _JPEG_KEEP_APP.get(marker, ()))
    return marker != 0xFE  # COM


def strip_jpeg(data: bytes) -> bytes:
    """Drop EXIF, XMP, IPTC, comments and appended data; the image data is copied untouched."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pos, size = 2, len(data)
    while pos + 2 <= size:
        if data[pos] != 0xFF:
            raise ValueError("malformed JPEG")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image: whatever follows is dropped
            out += b"\xff\xd9"
            return bytes(out)
        if marker in _JPEG_STANDALONE:
            out += data[pos : pos + 2]
            pos += 2
            continue
        if marker == 0xD8 or pos + 4 > size:
            raise ValueError("malformed JPEG")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > size:
            raise ValueError("truncated JPEG")
        if _keep_jpeg_segment(marker, data[pos + 4 : end]):
            out += data[pos:end]
        pos = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            scan = pos
            while True:
                idx = data.find(b"\xff", scan)
                if idx < 0 or idx + 1 >= size:  # truncated file: nothing can follow
                    out += data[pos:]
                    return bytes(out)
                nxt = data[idx + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7:  # stuffed byte or restart marker
                    scan = idx + 2
                    continue
                out += data[pos:idx]
                pos = idx
                break
    raise ValueError("JPEG without end of image")


# Critical chunks and the ancillary chunks that only describe how to render the pixels;
# everything else (text, EXIF, time, C2PA "caBX", vendor chunks) is dropped.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
    b"sBIT", b"bKGD", b"pHYs", b"hIST", b"sPLT", b"cICP", b"mDCV", b"cLLI", b"mDCv",
    b"cLLi", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def strip_png(data: bytes) -> bytes:
    """Keep only the chunks that draw the image; nothing after IEND."""
    sig = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(sig):
        raise ValueError("not a PNG")
    out = bytearray(sig)
    pos = len(sig)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG")
        if ctype in _PNG_KEEP:
            out += data[pos:end]
        pos = end
        if ctype == b"IEND":
            return bytes(out)
    raise ValueError("PNG without IEND")


_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}


def strip_webp(data: bytes) -> bytes:
    """Keep only the image chunks (drop EXIF, XMP and unknown chunks); clear the VP8X flags."""
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise ValueError("not a WebP")
    chunks = bytearray()
    pos = 12
    while pos + 8 <= len(data):
        ctype = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = pos + 8 + length + (length & 1)
        if end > len(data) + (length & 1):
            raise ValueError("truncated WebP")
        chunk = bytearray(data[pos:end])
        pos = end
        if ctype not in _WEBP_KEEP:
            continue
        if ctype == b"VP8X" and len(chunk) > 8:
            chunk[8] &= ~(0x08 | 0x04) & 0xFF  # EXIF and XMP flags
        chunks += chunk
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)

# ruff: noqa: E501 - sample XML documents are clearer unwrapped
"""Real evidence files of every accepted format, each carrying a canary in its metadata.

Built with the field's own tools (python-docx, Pillow and pillow-heif, mutagen, ffmpeg) or
by hand where the format is simple (ODF, SVG, ZIP). `canary_places` lists where a canary
survives in a file: raw bytes, every ZIP member (decompressed, recursively) and exiftool's
full report, so a test can prove that none does after cleaning.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from peers import require_peer
from PIL import Image


def jpeg_with_exif(canary: str, *, size: tuple[int, int] = (24, 16)) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = f"Artist {canary}"  # Artist
    exif[0x0110] = f"Model {canary}"  # Model
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def docx(canary: str) -> bytes:
    """A Word document: a comment, a tracked insertion, an embedded photo, core author."""
    import docx as python_docx  # noqa: PLC0415 - test-only dependency

    doc = python_docx.Document()
    para = doc.add_paragraph("El jefe pidió el pago.")
    doc.add_comment(para.runs, text="ver anexo", author=f"C-{canary}", initials="CX")
    doc.add_picture(io.BytesIO(jpeg_with_exif(canary)))
    doc.core_properties.author = f"Core {canary}"
    doc.core_properties.last_modified_by = f"Mod {canary}"
    raw = io.BytesIO()
    doc.save(raw)
    # A tracked change (python-docx has no API for it): w:ins with an author and a date.
    tracked = (
        f'<w:p><w:ins w:id="90" w:author="T-{canary}" w:date="2024-05-01T10:00:00Z">'
        "<w:r><w:t>texto añadido</w:t></w:r></w:ins></w:p>"
    ).encode()
    return _replace_member(
        raw.getvalue(),
        "word/document.xml",
        lambda b: b.replace(b"<w:sectPr", tracked + b"<w:sectPr", 1),
    )


def _replace_member(data: bytes, name: str, change) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == name:
                body = change(body)
            dst.writestr(info, body)
    return out.getvalue()


_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'office:version="1.2"'
)


def odt(canary: str) -> bytes:
    """An ODF text: an annotation, a tracked change, settings.xml, meta.xml, a photo."""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {_ODF_NS}><office:body><office:text>
<text:tracked-changes><text:changed-region text:id="ct1"><text:insertion>
<office:change-info><dc:creator>T-{canary}</dc:creator><dc:date>2024-05-01T10:00:00</dc:date>
</office:change-info></text:insertion></text:changed-region></text:tracked-changes>
<text:p><text:change-start text:change-id="ct1"/>El jefe pidió el pago.<text:change-end text:change-id="ct1"/>
<office:annotation><dc:creator>A-{canary}</dc:creator><dc:date>2024-05-01T10:00:00</dc:date>
<meta:creator-initials>I-{canary}</meta:creator-initials><text:p>ver anexo</text:p></office:annotation></text:p>
<text:p><draw:frame svg:width="1cm" svg:height="1cm"><draw:image xlink:href="Pictures/p.jpg"/></draw:frame></text:p>
</office:text></office:body></office:document-content>"""
    meta = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {_ODF_NS}><office:meta><meta:initial-creator>M-{canary}</meta:initial-creator>
<dc:creator>M-{canary}</dc:creator></office:meta></office:document-meta>"""
    settings = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-settings {_ODF_NS}><office:settings><config:config-item-set config:name="ooo:configuration-settings">
<config:config-item config:name="PrinterName" config:type="string">P-{canary}</config:config-item>
</config:config-item-set></office:settings></office:document-settings>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="Pictures/p.jpg" manifest:media-type="image/jpeg"/>
</manifest:manifest>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", content)
        zf.writestr("meta.xml", meta)
        zf.writestr("settings.xml", settings)
        zf.writestr("Pictures/p.jpg", jpeg_with_exif(canary))
        zf.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


def tiff(canary: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 200)).save(
        out,
        "TIFF",
        tiffinfo={315: f"Artist {canary}", 270: f"Desc {canary}", 272: f"Model {canary}"},
    )
    return out.getvalue()


def heic(canary: str) -> bytes:
    import pillow_heif  # noqa: PLC0415 - test-only dependency

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x013B] = f"Artist {canary}"
    exif[0x0110] = f"iPhone {canary}"
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 160, 60)).save(out, "HEIF", exif=exif.tobytes())
    return out.getvalue()


def require_ffmpeg() -> None:
    require_peer(
        "ffmpeg", shutil.which("ffmpeg") is not None, "install the Debian package 'ffmpeg'"
    )


def _ffmpeg(args: list[str], suffix: str) -> bytes:
    require_ffmpeg()
    with tempfile.TemporaryDirectory(dir="/dev/shm") as tmp:
        target = Path(tmp) / f"sample{suffix}"
        subprocess.run(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args, str(target)],
            check=True,
            capture_output=True,
        )
        return target.read_bytes()


_SINE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]


def audio(canary: str, ext: str) -> bytes:
    """MP3/OGG/FLAC/WAV/M4A with tags set by ffmpeg and (for ID3/Vorbis) by mutagen."""
    codec = {
        "mp3": "libmp3lame",
        "ogg": "libvorbis",
        "flac": "flac",
        "wav": "pcm_s16le",
        "m4a": "aac",
    }
    data = _ffmpeg(
        [
            *_SINE,
            "-c:a",
            codec[ext],
            "-metadata",
            f"artist=Art {canary}",
            "-metadata",
            f"comment=Com {canary}",
        ],
        f".{ext}",
    )
    if ext in ("mp3", "ogg", "flac"):
        import mutagen  # noqa: PLC0415 - test-only dependency

        with tempfile.TemporaryDirectory(dir="/dev/shm") as tmp:
            path = Path(tmp) / f"a.{ext}"
            path.write_bytes(data)
            tags = mutagen.File(path, easy=True)
            tags["title"] = f"Title {canary}"
            tags["album"] = f"Album {canary}"
            tags.save()
            data = path.read_bytes()
    return data


def video(canary: str, ext: str = "mp4") -> bytes:
    return _ffmpeg(
        [
            "-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=5", *_SINE,
            "-c:v", "libx264", "-c:a", "aac", "-shortest",
            "-metadata", f"artist=Art {canary}",
            "-metadata", f"comment=Com {canary}",
            "-metadata", "location=+12.0463-077.0428/",
            "-metadata", f"title=Title {canary}",
        ],
        f".{ext}",
    )  # fmt: skip


def svg(canary: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Created by {canary} -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:cc="http://creativecommons.org/ns#"
 xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
 width="40" height="20" inkscape:export-filename="/home/{canary}/plano.png">
<metadata><rdf:RDF><cc:Work><dc:creator><cc:Agent><dc:title>Cre {canary}</dc:title></cc:Agent></dc:creator>
</cc:Work></rdf:RDF></metadata>
<rect width="40" height="20" fill="#c00"/></svg>""".encode()


def zip_archive(canary: str) -> bytes:
    """A ZIP holding a photo with EXIF and a text file, with a comment on the archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("foto.jpg", date_time=(2024, 5, 1, 10, 0, 0)), jpeg_with_exif(canary)
        )
        zf.writestr(
            zipfile.ZipInfo("nota.txt", date_time=(2024, 5, 1, 10, 0, 0)), "acta de la reunión\n"
        )
        zf.comment = f"Zip {canary}".encode()
    return out.getvalue()


def ole_document() -> bytes:
    """The head of an old Office file (.doc/.xls): recognised, never cleanable."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Microsoft Word" + b"\x00" * 1024


def _zip_members(data: bytes, depth: int = 0) -> list[bytes]:
    if depth > 3 or not data.startswith(b"PK\x03\x04"):
        return []
    found: list[bytes] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            found.append(zf.comment)
            for info in zf.infolist():
                body = zf.read(info.filename)
                found.append(body)
                found.extend(_zip_members(body, depth + 1))
    except zipfile.BadZipFile:
        return found
    return found


def exiftool_report(data: bytes, ext: str) -> str:
    require_peer(
        "exiftool", shutil.which("exiftool") is not None, "install 'libimage-exiftool-perl'"
    )
    with tempfile.TemporaryDirectory(dir="/dev/shm") as tmp:
        path = Path(tmp) / f"sample.{ext}"
        path.write_bytes(data)
        done = subprocess.run(
            ["exiftool", "-j", "-a", "-u", "-G1", "-ee", str(path)],
            check=False,
            capture_output=True,
        )
    return json.dumps(json.loads(done.stdout or b"[]"), ensure_ascii=False)


def canary_places(data: bytes, ext: str, canary: str) -> list[str]:
    """Where the canary still is: "bytes", "zip member", "exiftool"; empty when nowhere."""
    places = []
    needle = canary.encode()
    if needle in data:
        places.append("bytes")
    if any(needle in body for body in _zip_members(data)):
        places.append("zip member")
    if canary in exiftool_report(data, ext):
        places.append("exiftool")
    return places


def files_holding(
    canary: str, roots: tuple[str, ...] = ("/tmp", "/dev/shm", "/var/tmp")
) -> list[str]:
    """Files under the temporary directories whose bytes contain the canary.

    Directories that vanish while walked (other jobs' temporary files) are skipped, and so
    are SQLite files: opening and closing one in this process would drop the POSIX locks this
    process's own connections hold on it (tests/databases.py, read_database_file)."""
    needle = canary.encode()
    hits = []
    for root in roots:
        for folder, _dirs, names in os.walk(root):  # errors (a vanished folder) are skipped
            for name in names:
                if name.endswith((".sqlite3", ".sqlite3-wal", ".sqlite3-shm", "-journal")):
                    continue
                path = Path(folder) / name
                try:
                    small = path.is_file() and not path.is_symlink()
                    if small and path.stat().st_size < 64 << 20 and needle in path.read_bytes():
                        hits.append(str(path))
                except OSError:
                    continue
    return hits

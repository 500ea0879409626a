"""Every accepted format, built for real with a canary in its metadata: no canary survives.

Each sample is made by the field's tools (python-docx, Pillow/pillow-heif, mutagen,
ffmpeg) or by hand (ODF, SVG, ZIP); the canary is first shown to be there (raw bytes, ZIP
members or exiftool's report), then absent from the cleaned file by all three, from the
"after" list the complainant sees, and from every file under the temporary directories
(mat2 works on a RAM-only tmpfs inside its sandbox, core.files.sandbox).
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid

import evidence_samples as samples
import pytest
from peers import require_peer

from core.files import exiftool
from core.files import inspection
from core.files import policy
from core.files import review
from core.files import sandbox


def _require_tools() -> None:
    require_peer("mat2", shutil.which("mat2") is not None, "install the Debian package 'mat2'")
    require_peer(
        "exiftool", shutil.which("exiftool") is not None, "install 'libimage-exiftool-perl'"
    )
    require_peer("bwrap", shutil.which("bwrap") is not None, "install 'bubblewrap'")


def _docx(c: str) -> bytes:
    pytest.importorskip("docx", reason="python-docx (dev extra) builds the Word sample")
    return samples.docx(c)


def _heic(c: str) -> bytes:
    pytest.importorskip("pillow_heif", reason="pillow-heif (dev extra) builds the HEIC sample")
    return samples.heic(c)


# (file extension, builder, kind the content must be sniffed as)
FORMATS = [
    ("docx", _docx, "ooxml"),
    ("odt", samples.odt, "odf"),
    ("tiff", samples.tiff, "tiff"),
    ("heic", _heic, "heic"),
    ("jpg", samples.jpeg_with_exif, "jpeg"),
    ("mp3", lambda c: samples.audio(c, "mp3"), "mp3"),
    ("ogg", lambda c: samples.audio(c, "ogg"), "ogg"),
    ("flac", lambda c: samples.audio(c, "flac"), "flac"),
    ("wav", lambda c: samples.audio(c, "wav"), "wav"),
    ("m4a", lambda c: samples.audio(c, "m4a"), "mp4"),
    ("mp4", samples.video, "mp4"),
    ("mov", lambda c: samples.video(c, "mov"), "mp4"),
    ("svg", samples.svg, "svg"),
    ("zip", samples.zip_archive, "zip"),
]


@pytest.mark.parametrize(("ext", "build", "kind"), FORMATS, ids=[f[0] for f in FORMATS])
def test_no_canary_survives_cleaning(ext, build, kind):
    _require_tools()
    canary = f"CANARY{uuid.uuid4().hex[:12]}"
    data = build(canary)
    assert inspection.sniff(data) == kind
    assert (
        policy.screen(f"prueba.{ext}", data, count=0, total=0, max_files=5, max_bytes=1 << 26)
        is None
    )
    assert samples.canary_places(data, ext, canary), "the sample must carry the canary"

    seen = review.examine(data, ext)
    assert seen.cleanable, seen
    assert any(canary in f.value for f in seen.before), seen.before  # shown before
    assert not any(canary in f.value for f in seen.after), seen.after

    cleaned = policy.clean(data, ext)
    assert cleaned is not None
    assert inspection.sniff(cleaned) == kind  # still the same kind of file
    assert samples.canary_places(cleaned, ext, canary) == []
    assert samples.files_holding(canary) == []  # nothing left in /tmp, /dev/shm, /var/tmp


def test_office_documents_keep_their_comments_and_changes_without_the_names():
    _require_tools()
    canary = f"CANARY{uuid.uuid4().hex[:12]}"
    cleaned = policy.clean(_docx(canary), "docx")
    assert cleaned is not None
    parts = b"".join(samples._zip_members(cleaned))
    assert b"texto a" in parts and b"adido" in parts  # the tracked insertion stays (accepted)
    assert b"ver anexo" in parts  # and the comment
    assert canary.encode() not in parts


def test_old_office_files_are_accepted_and_flagged_not_cleaned():
    data = samples.ole_document()
    assert policy.screen("acta.doc", data, count=0, total=0, max_files=5, max_bytes=1 << 20) is None
    assert policy.screen("acta.xls", data, count=0, total=0, max_files=5, max_bytes=1 << 20) is None
    seen = review.examine(data, "doc")
    assert seen.kind == "ole" and not seen.cleanable and seen.needs_choice
    assert policy.clean(data, "doc") is None


def test_renamed_files_are_refused():
    jpeg = samples.jpeg_with_exif("x")
    assert policy.screen("foto.heic", jpeg, count=0, total=0, max_files=5, max_bytes=1 << 20)
    assert policy.screen(
        "a.doc", b"PK\x03\x04" + b"\x00" * 40, count=0, total=0, max_files=5, max_bytes=1 << 20
    )
    assert policy.screen(
        "a.txt", samples.svg("x"), count=0, total=0, max_files=5, max_bytes=1 << 20
    )


def test_a_zip_with_a_member_mat2_does_not_know_is_not_cleaned_half_way():
    _require_tools()
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("foto.jpg", samples.jpeg_with_exif("CANARYzipmember"))
        zf.writestr("datos.bin", os.urandom(64))
    seen = review.examine(out.getvalue(), "zip")
    assert not seen.cleanable and seen.needs_choice
    assert any("CANARYzipmember" in f.value for f in seen.before)


def test_the_sandbox_is_isolated_and_works_in_ram():
    require_peer("bwrap", sandbox.bwrap_works(), "bubblewrap cannot create a sandbox here")
    probe = (
        "grep -q ' /tmp tmpfs ' /proc/mounts && test ! -e /root/.bashrc -a ! -e /home "
        "-a ! -e /work && ! cat /sys/class/net/*/address 2>/dev/null | grep -qv 00:00:00 "
        "&& cat w/f"
    )
    assert sandbox.run(["sh", "-c", probe], b"isolated", name="f") == b"isolated"


def test_without_bubblewrap_the_fallback_is_a_private_ram_dir_wiped_at_once(monkeypatch):
    _require_tools()
    monkeypatch.setenv("INTEGRA_FILE_SANDBOX", "shm")
    assert not sandbox.sandboxed()
    seen_dirs: list[tuple[str, int]] = []
    real_run = sandbox.subprocess.run

    def spy(args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("cwd"):  # the tool's run (the test's own exiftool has none)
            cwd = str(kwargs["cwd"])
            seen_dirs.append((cwd, stat.S_IMODE(os.stat(cwd).st_mode)))
        return real_run(args, **kwargs)

    monkeypatch.setattr(sandbox.subprocess, "run", spy)
    canary = f"CANARY{uuid.uuid4().hex[:12]}"
    data = samples.tiff(canary)
    cleaned = policy.clean(data, "tiff")
    assert cleaned is not None and samples.canary_places(cleaned, "tiff", canary) == []
    assert seen_dirs and all(d.startswith("/dev/shm/") and mode == 0o700 for d, mode in seen_dirs)
    assert not any(os.path.exists(d) for d, _mode in seen_dirs)  # removed at once
    assert samples.files_holding(canary) == []


def test_exiftool_report_keeps_identifying_tags_and_drops_structure():
    report = [
        {
            "System:FileSize": "3 kB",
            "IFD0:Artist": "Ana",
            "IFD0:Model": "iPhone 15",
            "GPS:GPSLatitude": "12 deg 2' S",
            "QuickTime:PreviewTime": "0 s",
            "Track1:HandlerDescription": "VideoHandler",
            "Track1:SampleSizes": "(Binary data 32 bytes, use -b option to extract)",
            "MPEG:CopyrightFlag": False,
            "QuickTime:CreateDate": "0000:00:00 00:00:00",
            "XMP-dc:Creator": "Luis",
        }
    ]
    found = {(f.field, f.value) for f in exiftool.parse(report)}
    assert found == {
        ("author", "Ana"),
        ("device", "iPhone 15"),
        ("gps", "12 deg 2' S"),
        ("author", "Luis"),
    }


def _pdf_with(info: dict[str, str], *, xmp: str = "") -> bytes:
    import io

    from pypdf import PdfWriter
    from pypdf.generic import NameObject
    from pypdf.generic import StreamObject

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata(info)
    if xmp:
        stream = StreamObject()
        stream.set_data(
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
            f"{xmp}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>".encode()
        )
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _count_sandbox_runs(monkeypatch) -> list[list[str]]:  # type: ignore[no-untyped-def]
    runs: list[list[str]] = []
    real = sandbox.run_files

    def spy(command, files, **kwargs):  # type: ignore[no-untyped-def]
        runs.append([name for name, _data in files])
        return real(command, files, **kwargs)

    monkeypatch.setattr(sandbox, "run_files", spy)
    return runs


def test_exiftool_reads_the_original_and_the_cleaned_copy_in_one_run(monkeypatch):
    _require_tools()
    runs = _count_sandbox_runs(monkeypatch)
    canary = f"CANARY{uuid.uuid4().hex[:12]}"
    seen = review.examine(samples.jpeg_with_exif(canary), "jpg")
    assert seen.cleanable
    assert any(canary in f.value for f in seen.before)
    assert not any(canary in f.value for f in seen.after)
    assert runs == [["evidence.jpg", "evidence1.jpg"]]  # one sandbox, both files


def test_a_pdf_whose_info_dictionary_is_all_its_metadata_is_read_without_exiftool(monkeypatch):
    _require_tools()
    runs = _count_sandbox_runs(monkeypatch)
    seen = review.examine(_pdf_with({"/Author": "Ana Canario", "/Empresa": "Obras SAC"}), "pdf")
    before = {(f.field, f.value) for f in seen.before}
    assert {("author", "Ana Canario"), ("text", "Empresa: Obras SAC")} <= before
    assert seen.cleanable and seen.after == ()
    assert runs == []


def test_exiftool_still_reads_a_pdf_with_xmp(monkeypatch):
    _require_tools()
    runs = _count_sandbox_runs(monkeypatch)
    with_xmp = review.examine(_pdf_with({"/Title": "Informe"}, xmp="Luis Canario"), "pdf")
    assert runs == [["evidence.pdf", "evidence1.pdf"]]
    before = {(f.field, f.value) for f in with_xmp.before}
    assert ("author", "Luis Canario") in before  # named by exiftool, not just "XMP"
    assert with_xmp.cleanable and not any("Luis" in f.value for f in with_xmp.after)


def test_the_sandboxed_tools_cpu_time_is_counted_in_the_callers_children():
    import resource

    require_peer("bwrap", sandbox.bwrap_works(), "bubblewrap cannot create a sandbox here")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; cat w/f"
    assert sandbox.run(["sh", "-c", busy], b"done", name="f") == b"done"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # bubblewrap's own init was never waited for: the loop's CPU time was lost (0.0 s).
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) > 0.05

"""Padded sizes (issue 10, deliverable 4): Padmé lengths, JSON padded with spaces, files framed
as a one-member tar archive; what the database shows of a size, and that standard tools (the
age CLI, tar, a JSON parser) read every padded object without Integra."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from case_factory import evidence
from case_factory import make_case
from factories import make_entity
from peers import require_peer
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.law.enums import BlobKind
from core.services.export import export_case
from core.storage import blobs
from core.storage import padding
from core.storage.models import Blob


def test_padme_matches_the_paper_and_bounds_the_overhead() -> None:
    # Values worked by hand from the definition (E = floor(log2 L), S = floor(log2 E) + 1,
    # the low E - S bits rounded up): 9 -> 10, 1000 -> 1024, 100000 -> 100352.
    assert [padding.padme(n) for n in (0, 1, 2, 3, 7, 9, 1000, 100_000)] == [
        0, 1, 2, 3, 7, 10, 1024, 100_352,
    ]  # fmt: skip
    for n in list(range(2, 5000)) + [10**6 + 7, 49 * 2**20 + 3]:
        p = padding.padme(n)
        assert n <= p <= n * 1.12 + 1
        assert padding.padme(p) == p  # a padded length is its own padding


def test_padme_leaves_few_distinct_sizes() -> None:
    # From 1 MiB to 2 MiB (E = 20, S = 5) lengths round up to multiples of 2^15: 33 sizes in
    # all (2^20 itself and the 32 multiples above it up to 2^21): a size names its file to
    # within ~3 %, not to the byte.
    sizes = {padding.padme(n) for n in range(2**20, 2**21, 97)}
    assert len(sizes) == 33


def test_json_padding_keeps_the_document() -> None:
    doc = json.dumps({"facts": "Cobros indebidos ñ"}, ensure_ascii=False).encode()
    padded = padding.pad_json(doc)
    assert len(padded) == padding.padme(len(doc))
    assert json.loads(padded) == json.loads(doc)


@pytest.mark.parametrize("size", [0, 1, 511, 512, 513, 100_000, 300_001])
def test_framed_files_round_trip_and_tar_reads_them(size: int) -> None:
    data = os.urandom(size)
    framed = b"".join(padding.frame("informe final.pdf", size, [data[:7], data[7:]]))
    assert len(framed) == padding.framed_length(size)
    assert len(framed) % padding.BLOCK == 0
    assert b"".join(padding.unframe([framed[:100], framed[100:]])) == data
    with tarfile.open(fileobj=io.BytesIO(framed)) as archive:
        (member,) = archive.getmembers()
        assert member.name == "informefinal.pdf" and member.size == size
        assert archive.extractfile(member).read() == data  # type: ignore[union-attr]


def test_a_frame_refuses_a_wrong_size_and_a_cut_copy() -> None:
    with pytest.raises(ValueError):
        list(padding.frame("a", 3, [b"abcd"]))
    with pytest.raises(ValueError):
        list(padding.frame("a", 5, [b"abcd"]))
    framed = b"".join(padding.frame("a", 2000, [b"x" * 2000]))
    with pytest.raises(padding.FramingError):
        list(padding.unframe([framed[:1000]]))
    with pytest.raises(padding.FramingError):
        list(padding.unframe([b"not a tar header" * 40]))


def test_tar_names_are_safe() -> None:
    assert padding.tar_name("../../etc/passwd") == "passwd"
    assert padding.tar_name("C:\\fotos\\niño.jpg") == "nio.jpg"
    assert padding.tar_name("...") == "adjunto"
    assert len(padding.tar_name("a" * 300)) == 100


def test_ciphertext_sizes_fall_into_padme_buckets(db_session: Session, settings) -> None:
    ent = make_entity(db_session, settings, pq=False)
    # Files of 1,000,000 to 1,003,000 bytes: unpadded, four different ciphertext sizes.
    sizes = [1_000_000, 1_001_000, 1_002_000, 1_003_000]
    receipt = make_case(
        db_session,
        settings,
        ent,
        attachments=[evidence(f"f{n}.bin", os.urandom(n), "application/pdf") for n in sizes],
    )
    case = receipt.case
    stored = [db_session.get(Blob, a.blob_id) for a in case.attachments]
    assert all(b is not None and b.framing == padding.FRAMING_TAR for b in stored)
    assert len({b.size for b in stored if b is not None}) == 1  # one size for all four
    # Each opens to its file, byte for byte, for Integra's readers.
    for att, n in zip(sorted(case.attachments, key=lambda a: a.id), sizes, strict=True):
        data = blobs.read_plaintext(db_session, att.blob_id, [ent.office])
        assert len(data) == n
    # The report and identity documents are padded JSON.
    report = db_session.get(Blob, case.report_blob_id)
    assert report is not None and report.kind is BlobKind.REPORT and report.framing == ""
    plain = blobs.read_plaintext(db_session, case.report_blob_id, [ent.office])
    assert len(plain) == padding.padme(len(plain.rstrip(b" ")))
    assert json.loads(plain)["facts"]


def test_the_age_cli_and_tar_read_an_exported_attachment(
    db_session: Session, settings, tmp_path: Path
) -> None:
    age = shutil.which("age")
    require_peer("age", age is not None, "install the Debian package 'age'")
    assert age is not None
    ent = make_entity(db_session, settings, pq=False)  # Debian's age 1.1 has no ML-KEM
    data = b"%PDF-1.4 boleta " + os.urandom(5000)
    receipt = make_case(
        db_session, settings, ent, attachments=[evidence("boleta.pdf", data, "application/pdf")]
    )
    export_case(db_session, receipt.case, tmp_path / "export")
    key = tmp_path / "office.key"
    key.write_text(ent.office.to_string() + "\n")
    sealed = tmp_path / "export" / "adjunto-01.age"
    manifest = json.loads((tmp_path / "export" / "manifest.json").read_text())
    (entry,) = [f for f in manifest["files"] if f["file"] == "adjunto-01.age"]
    assert entry["framing"].startswith("tar: age -d")
    out = tmp_path / "out"
    out.mkdir()
    # As docs/operations.md says: age -d | tar -x gives back the file as handed in.
    decrypted = subprocess.run(
        [age, "-d", "-i", str(key), str(sealed)], capture_output=True, check=True, timeout=60
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=decrypted, check=True, timeout=60)
    assert (out / "boleta.pdf").read_bytes() == data
    report = subprocess.run(
        [age, "-d", "-i", str(key), str(tmp_path / "export" / "denuncia.age")],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    assert json.loads(report)["facts"]  # padded JSON, read as is


def test_blobs_stored_before_padding_still_open(db_session: Session, settings) -> None:
    ent = make_entity(db_session, settings, pq=False)
    old = blobs.store_bytes(
        db_session, b"contenido sin relleno", [ent.office.recipient()], kind=BlobKind.ATTACHMENT
    )
    assert old.framing == ""
    assert blobs.read_plaintext(db_session, old.id, [ent.office]) == b"contenido sin relleno"
    row = db_session.scalar(select(Blob).where(Blob.id == old.id))
    assert row is not None and row.framing == ""


def test_framing_survives_the_sealing_stream() -> None:
    identity = crypto.X25519Identity.generate()
    data = os.urandom(70_000)
    reader = blobs.ChunkReader(padding.frame("x.bin", len(data), [data]))
    sealed = io.BytesIO()
    crypto.encrypt_stream(reader, sealed, [identity.recipient()])
    plain = crypto.decrypt(sealed.getvalue(), [identity])
    assert len(plain) == padding.framed_length(len(data))
    assert b"".join(padding.unframe([plain])) == data

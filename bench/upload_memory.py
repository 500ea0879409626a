"""Upload memory benchmark: peak memory of a gunicorn worker for one large attachment.

One complaint with a large valid PDF (an uncompressed RGB image of random bytes, and an author
in its /Info dictionary, so the review finds it and the filing removes it) goes through a real
gunicorn (one sync worker, the shipped intake app): GET /denunciar, POST /denunciar with the
file (sealed into a draft on arrival, examined before and after cleaning), POST
/denunciar/enviar (cleaned, sealed to the office, committed). For each of the two POSTs:

- the worker's own peak: VmHWM from /proc/<worker>/status, reset (clear_refs 5) before the
  request, so nothing is missed between samples;
- its children's peak, sampled every few milliseconds from /proc: the resident memory of
  every descendant (the sandboxed exiftool or mat2) plus what their private tmpfs holds
  (statvfs of /proc/<pid>/root/tmp: the file copied into the sandbox is RAM too).

The figure held to the target is (worker peak + children peak - the idle worker's resident
memory) / the file's size, an upper bound (the two peaks need not coincide). Idle is the
worker after one small complaint has gone through (imports and caches loaded).

Usage:
    .venv/bin/python bench/upload_memory.py                       # 50 MiB, target 2.0
    .venv/bin/python bench/upload_memory.py --size-mib 8 --target 0.01   # must exit 1

It exits 1 naming the step whose ratio is over --target.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from intake_load import RECEIPT_RE  # noqa: E402
from intake_load import Client  # noqa: E402
from intake_load import complaint_body  # noqa: E402
from intake_load import prepare_instance  # noqa: E402
from intake_load import socket_port  # noqa: E402
from intake_load import start_intake  # noqa: E402
from intake_load import submission_body  # noqa: E402
from intake_load import wait_ready  # noqa: E402

MIB = 1024 * 1024
WIDTH = 1024


def large_pdf(size: int) -> bytes:
    """A valid one-page PDF of at most `size` bytes, nearly all of it one uncompressed image
    of random pixels (incompressible, like a scan), with an author in /Info."""
    from pypdf import PdfWriter  # noqa: PLC0415
    from pypdf.generic import DecodedStreamObject  # noqa: PLC0415
    from pypdf.generic import DictionaryObject  # noqa: PLC0415
    from pypdf.generic import NameObject  # noqa: PLC0415
    from pypdf.generic import NumberObject  # noqa: PLC0415

    height = max(1, (size - 4096) // (WIDTH * 3))
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    image = DecodedStreamObject()
    image.set_data(os.urandom(WIDTH * height * 3))
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(WIDTH),
            NameObject("/Height"): NumberObject(height),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    ref = writer._add_object(image)  # noqa: SLF001 - pypdf adds objects this way
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): ref})}
    )
    contents = DecodedStreamObject()
    contents.set_data(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(contents)  # noqa: SLF001
    writer.add_metadata({"/Author": "Nombre del denunciante"})
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    if len(data) > size:
        raise RuntimeError(f"the sample PDF is {len(data)} bytes, over {size}")
    return data


def large_tiff(size: int) -> bytes:
    """A TIFF of random pixels of about `size` bytes with an Artist tag: a format cleaned by
    mat2 and read by exiftool, both in the sandbox (core.files.review)."""
    from PIL import Image  # noqa: PLC0415

    height = max(1, (size - 4096) // (WIDTH * 3))
    image = Image.frombytes("RGB", (WIDTH, height), os.urandom(WIDTH * height * 3))
    out = io.BytesIO()
    image.save(out, "TIFF", tiffinfo={315: "Nombre del denunciante"})
    return out.getvalue()


SAMPLES = {"pdf": large_pdf, "tiff": large_tiff}


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out: list[int] = []
    todo = list(children.get(pid, ()))
    while todo:
        child = todo.pop()
        out.append(child)
        todo.extend(children.get(child, ()))
    return out


def _children_kib(worker: int) -> int:
    """Resident memory of the worker's descendants plus what their private /tmp holds."""
    total = 0
    tmpfs: set[int] = set()
    for pid in _descendants(worker):
        try:
            total += _status_kib(pid, "VmRSS")
            stat = os.statvfs(f"/proc/{pid}/root/tmp")
            device = os.stat(f"/proc/{pid}/root/tmp").st_dev
        except OSError:
            continue
        if device not in tmpfs and device != os.stat("/tmp").st_dev:
            tmpfs.add(device)  # one sandbox's tmpfs, seen by its processes: counted once
            total += (stat.f_blocks - stat.f_bfree) * stat.f_frsize // 1024
    return total


class Peak:
    """Samples the worker's children every few milliseconds while a request runs."""

    def __init__(self, worker: int) -> None:
        self.worker = worker
        self.children_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.children_kib = max(self.children_kib, _children_kib(self.worker))
            time.sleep(0.002)

    def __enter__(self) -> Peak:
        Path(f"/proc/{self.worker}/clear_refs").write_text("5")  # reset VmHWM to VmRSS
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.worker_kib = _status_kib(self.worker, "VmHWM")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mib", type=float, default=50.0)
    parser.add_argument("--target", type=float, default=2.0, help="peak above idle / file")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    parser.add_argument(
        "--format", choices=sorted(SAMPLES), default="pdf", help="pdf: built-in cleaner; tiff: mat2"
    )
    args = parser.parse_args(argv)

    data = SAMPLES[args.format](int(args.size_mib * MIB))
    with tempfile.TemporaryDirectory(prefix="integra-upload-mem-") as tmpdir:
        tmp = Path(tmpdir)
        url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        env, _settings, _office = prepare_instance(tmp, url, fast_kdf=True)
        port = socket_port()
        proc = start_intake(env, port, workers=1)
        try:
            wait_ready(port, proc)
            Client(port).complaint()  # warm-up: imports, caches, first connection
            (worker,) = [pid for pid in _descendants(proc.pid) if pid != proc.pid][:1]
            idle_kib = _status_kib(worker, "VmRSS")
            client = Client(port)
            form = client.request("GET", "/denunciar", None, None)
            body, ctype = complaint_body(form, data, f"expediente.{args.format}")
            with Peak(worker) as upload:
                review = client.request("POST", "/denunciar", body, ctype)
            del body
            if "Nombre del denunciante" not in review:
                raise RuntimeError("the review page does not show the PDF's author")
            with Peak(worker) as filing:
                done = client.request(
                    "POST",
                    "/denunciar/enviar",
                    submission_body(review),
                    "application/x-www-form-urlencoded",
                )
            if not RECEIPT_RE.search(done):
                raise RuntimeError("no receipt in the confirmation page")
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    size_kib = len(data) / 1024
    print(
        f"file: {len(data) / MIB:.1f} MiB {args.format.upper()}; "
        f"idle worker: {idle_kib / 1024:.1f} MiB"
    )
    print("| step | worker peak MiB | children peak MiB | above idle MiB | ratio to file |")
    print("|---|---:|---:|---:|---:|")
    missed = []
    for name, step in (("upload (POST /denunciar)", upload), ("filing", filing)):
        above = step.worker_kib + step.children_kib - idle_kib
        ratio = above / size_kib
        print(
            f"| {name} | {step.worker_kib / 1024:.1f} | {step.children_kib / 1024:.1f} "
            f"| {above / 1024:.1f} | {ratio:.2f} |"
        )
        if ratio > args.target:
            missed.append(f"{name}: {ratio:.2f}x the file above idle (target {args.target}x)")
    if missed:
        print("MISSED TARGETS: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

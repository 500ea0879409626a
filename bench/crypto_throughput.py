"""Throughput and memory of `integra age` against the age CLI and bare ChaCha20-Poly1305.

Not a test: prints figures for docs/performance.md ("## Crypto throughput").

    .venv/bin/python bench/crypto_throughput.py                # 512 MiB, RSS on 1 GiB
    .venv/bin/python bench/crypto_throughput.py --size-mib 64 --rss-mib 128   # quick run

Measured in one run, on one machine, against the same input file:
  * ours:  `python -m casework.cli_age encrypt|decrypt` (a real process, file -> file),
  * age:   the Go `age` CLI (Debian package `age`), same flags, same files,
  * bare:  ChaCha20-Poly1305 from `cryptography` over 64 KiB chunks in memory
           (the age STREAM cipher with no header, no I/O: the practical ceiling),
and the peak RSS of our CLI streaming a larger input through a pipe (encrypt and decrypt).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

REPO_ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
CHUNK = 64 * 1024
OUR_CLI = [sys.executable, "-m", "casework.cli_age"]
# The same module run as a script: skips casework/__init__.py (the Flask app and its imports),
# to separate the cost of our code from the cost of the package it lives in.
OUR_SCRIPT = [sys.executable, str(REPO_ROOT / "casework" / "cli_age.py")]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _timed(argv: list[str], stdin_path: Path, stdout_path: Path | None) -> float:
    with open(stdin_path, "rb") as src:
        out = open(stdout_path, "wb") if stdout_path else open(os.devnull, "wb")  # noqa: SIM115
        with out:
            start = time.perf_counter()
            subprocess.run(argv, stdin=src, stdout=out, check=True, env=_env())
            return time.perf_counter() - start


def _best(runs: int, fn: object, *args: object) -> float:
    assert callable(fn)
    return min(fn(*args) for _ in range(runs))


def _bare_chacha(size: int) -> tuple[float, float]:
    key = os.urandom(32)
    aead = ChaCha20Poly1305(key)
    block = os.urandom(CHUNK)
    chunks = size // CHUNK
    sealed: list[bytes] = []
    start = time.perf_counter()
    for i in range(chunks):
        sealed.append(aead.encrypt(i.to_bytes(11, "big") + b"\x00", block, None))
    enc = time.perf_counter() - start
    start = time.perf_counter()
    for i, ct in enumerate(sealed):
        aead.decrypt(i.to_bytes(11, "big") + b"\x00", ct, None)
    dec = time.perf_counter() - start
    return enc, dec


def _peak_rss_kib(
    argv: list[str],
    *,
    feed_bytes: int = 0,
    stdin_path: Path | None = None,
    stdout_path: Path | None = None,
) -> int:
    """Run argv in a fresh helper process and return the child's peak RSS (KiB).

    The helper measures RUSAGE_CHILDREN for exactly one child, so earlier runs of this
    script do not pollute the figure. With feed_bytes, the helper pipes that many bytes
    into the child's stdin (a stream of unknown length, as from a web upload).
    """
    helper = r"""
import os, resource, subprocess, sys, threading
feed, stdin_path, stdout_path, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
out = open(stdout_path if stdout_path != "-" else os.devnull, "wb")
if feed:
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out)
    block = bytes(range(256)) * 4096
    left = feed
    while left:
        n = min(left, len(block))
        proc.stdin.write(block[:n])
        left -= n
    proc.stdin.close()
    rc = proc.wait()
else:
    with open(stdin_path, "rb") as src:
        rc = subprocess.run(argv, stdin=src, stdout=out).returncode
if rc:
    sys.exit(rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            helper,
            str(feed_bytes),
            str(stdin_path or "-"),
            str(stdout_path or "-"),
            *argv,
        ],
        capture_output=True,
        check=True,
        env=_env(),
    )
    return int(result.stdout.strip())


def _mbps(size: int, seconds: float) -> float:
    return size / MIB / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mib", type=int, default=512, help="throughput file size")
    parser.add_argument("--rss-mib", type=int, default=1024, help="stream size for peak RSS")
    parser.add_argument("--runs", type=int, default=3, help="best of N runs per measurement")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    age = shutil.which("age")
    size = args.size_mib * MIB
    workdir = Path(tempfile.mkdtemp(prefix="integra-bench-", dir=args.workdir))
    try:
        print(
            f"# crypto throughput: {args.size_mib} MiB, best of {args.runs}; "
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
        )
        plain = workdir / "plain.bin"
        with open(plain, "wb") as fh:
            for _ in range(size // MIB):
                fh.write(os.urandom(MIB))
        key = workdir / "key.txt"
        subprocess.run(
            [*OUR_CLI, "keygen", "-o", str(key)], check=True, capture_output=True, env=_env()
        )
        recipient = next(
            ln.split(": ", 1)[1] for ln in key.read_text().splitlines() if "public key" in ln
        )
        ours_ct = workdir / "ours.age"
        ours_enc = _best(args.runs, _timed, [*OUR_CLI, "encrypt", "-r", recipient], plain, ours_ct)
        ours_dec = _best(args.runs, _timed, [*OUR_CLI, "decrypt", "-i", str(key)], ours_ct, None)
        empty = workdir / "empty.bin"
        empty.write_bytes(b"")
        empty_ct = workdir / "empty.age"
        startup_enc = _best(
            args.runs, _timed, [*OUR_CLI, "encrypt", "-r", recipient], empty, empty_ct
        )
        startup_dec = _best(
            args.runs, _timed, [*OUR_CLI, "decrypt", "-i", str(key)], empty_ct, None
        )
        script_ct = workdir / "script.age"
        script_enc = _best(
            args.runs, _timed, [*OUR_SCRIPT, "encrypt", "-r", recipient], plain, script_ct
        )
        script_dec = _best(
            args.runs, _timed, [*OUR_SCRIPT, "decrypt", "-i", str(key)], script_ct, None
        )
        results = {
            "ours (CLI, end to end)": (ours_enc, ours_dec),
            "ours (minus startup)": (ours_enc - startup_enc, ours_dec - startup_dec),
            "ours (script, no casework/)": (script_enc, script_dec),
        }
        if age:
            age_ct = workdir / "age.age"
            age_enc = _best(args.runs, _timed, [age, "-e", "-r", recipient], plain, age_ct)
            age_dec = _best(args.runs, _timed, [age, "-d", "-i", str(key)], age_ct, None)
            results["age CLI"] = (age_enc, age_dec)
        else:
            print("# age CLI not found: install the Debian package 'age' for the peer figures")
        bare = min((_bare_chacha(size) for _ in range(args.runs)), key=lambda t: t[0] + t[1])
        results["bare ChaCha20-Poly1305"] = bare

        print(f"{'implementation':<30}{'encrypt MB/s':>14}{'decrypt MB/s':>14}")
        for name, (enc, dec) in results.items():
            print(f"{name:<30}{_mbps(size, enc):>14.0f}{_mbps(size, dec):>14.0f}")
        if "age CLI" in results:
            a_enc, a_dec = results["age CLI"]
            print(
                f"ratio ours/age CLI: encrypt {a_enc / ours_enc:.2f}, "
                f"decrypt {a_dec / ours_dec:.2f}  (end to end; >1 means ours is faster)"
            )
            print(
                f"ratio ours/age CLI: encrypt {a_enc / (ours_enc - startup_enc):.2f}, "
                f"decrypt {a_dec / (ours_dec - startup_dec):.2f}  (minus our startup)"
            )
        print(
            f"ratio ours/bare:    encrypt {bare[0] / ours_enc:.2f}, "
            f"decrypt {bare[1] / ours_dec:.2f}  (end to end)"
        )
        print(
            f"startup of our CLI (empty input): encrypt {startup_enc * 1000:.0f} ms, "
            f"decrypt {startup_dec * 1000:.0f} ms"
        )

        rss_bytes = args.rss_mib * MIB
        big_ct = workdir / "big.age"
        enc_rss = _peak_rss_kib(
            [*OUR_CLI, "encrypt", "-r", recipient], feed_bytes=rss_bytes, stdout_path=big_ct
        )
        dec_rss = _peak_rss_kib([*OUR_CLI, "decrypt", "-i", str(key)], stdin_path=big_ct)
        print(
            f"peak RSS of our CLI over a {args.rss_mib} MiB stream: "
            f"encrypt {enc_rss / 1024:.1f} MiB, decrypt {dec_rss / 1024:.1f} MiB "
            f"(target < 64 MiB)"
        )
        script_rss = _peak_rss_kib([*OUR_SCRIPT, "decrypt", "-i", str(key)], stdin_path=big_ct)
        print(
            f"peak RSS of cli_age.py as a script (no casework/ imports), decrypt: "
            f"{script_rss / 1024:.1f} MiB"
        )
        base_rss = _peak_rss_kib([*OUR_CLI, "--help"], stdin_path=empty)
        print(
            f"peak RSS of our CLI doing nothing (`--help`, imports only): {base_rss / 1024:.1f} MiB"
        )
        if age:
            age_rss = _peak_rss_kib([age, "-d", "-i", str(key)], stdin_path=big_ct)
            print(f"peak RSS of age CLI decrypting the same stream: {age_rss / 1024:.1f} MiB")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

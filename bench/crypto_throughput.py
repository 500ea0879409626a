"""Throughput and peak memory of `integra age` against the age CLI, pair by pair (issue 16).

    .venv/bin/python bench/crypto_throughput.py                  # 256 MiB, 7 pairs per row
    .venv/bin/python bench/crypto_throughput.py --size-mib 32 --pairs 3        # quick look

Every row runs three real processes in turn, in rotating order, on the same input file, stdin
from the file and stdout redirected to a file (as `age -r R < in > out`):
  * ours:  the `integra` console script beside this Python (`integra age encrypt|decrypt`),
  * age:   the Go `age` CLI (Debian package `age`), same recipient, same flags,
  * floor: ChaCha20-Poly1305 from `cryptography` streaming the same file through 64 KiB
           chunks in a bare Python process (the age STREAM cipher with no header: the most a
           Python implementation can reach), in the same direction.
Rows: encrypt and decrypt, binary and armored (-a; decrypt reads age's own armored output).
Each process's wall time and its own peak RSS (os.wait4 on that child: ru_maxrss) are
recorded; printed are min/median/max and the ratio of the medians (> 1: ours is faster).

Targets (the run exits 1 and names each one missed): binary encryption at least as fast as
the age CLI; armor at least half the age CLI's speed both ways; our peak RSS under 64 MiB.
Binary decryption has no target of its own and is reported only.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cli_startup import pycache_env

MIB = 1024 * 1024

FLOOR = r"""
import sys
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
aead = ChaCha20Poly1305(bytes(32))
decrypt = sys.argv[1] == "decrypt"
size = 65536 + 16 if decrypt else 65536
src, dst = sys.stdin.buffer, sys.stdout.buffer
op = aead.decrypt if decrypt else aead.encrypt
counter = 0
while chunk := src.read(size):
    dst.write(op(counter.to_bytes(11, "big") + b"\x00", chunk, None))
    counter += 1
"""


def _run(
    argv: list[str], stdin_path: Path, stdout_path: Path, env: dict[str, str]
) -> tuple[float, int]:
    """(wall seconds, peak RSS KiB) of one process: wait4 reports that child alone."""
    with open(stdin_path, "rb") as src, open(stdout_path, "wb") as dst:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=src, stdout=dst, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    if proc.returncode:
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {stderr.strip()}")
    return elapsed, usage.ru_maxrss


def _stats(values: list[float], scale: float = 1.0, fmt: str = "{:.0f}") -> str:
    lo, med, hi = (
        fmt.format(v * scale) for v in (min(values), statistics.median(values), max(values))
    )
    return f"{lo} / {med} / {hi}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--pairs", type=int, default=7, help="interleaved runs per row")
    parser.add_argument("--encrypt-target", type=float, default=1.0, help="ours/age, binary")
    parser.add_argument("--armor-target", type=float, default=0.5, help="ours/age, armored")
    parser.add_argument("--rss-target-mib", type=float, default=64.0)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)

    age = shutil.which("age")
    integra = Path(sys.executable).with_name("integra")
    if age is None or not integra.exists():
        print(
            "needs the age CLI (apt-get install age) and the integra console script",
            file=sys.stderr,
        )
        return 2
    size = args.size_mib * MIB
    work = Path(tempfile.mkdtemp(prefix="integra-bench-", dir=args.workdir))
    env = pycache_env(work / "pycache")
    try:
        plain = work / "plain.bin"
        with open(plain, "wb") as fh:
            for _ in range(args.size_mib):
                fh.write(os.urandom(MIB))
        key = work / "key.txt"
        subprocess.run(
            [str(integra), "age", "keygen", "-o", str(key)],
            check=True,
            capture_output=True,
            env=env,
        )
        recipient = next(
            ln.split(": ", 1)[1] for ln in key.read_text().splitlines() if "public key" in ln
        )
        age_bin, age_armored, floor_ct = work / "age.age", work / "age.txt", work / "floor.ct"
        subprocess.run([age, "-r", recipient, "-o", str(age_bin), str(plain)], check=True)
        subprocess.run([age, "-a", "-r", recipient, "-o", str(age_armored), str(plain)], check=True)
        _run([sys.executable, "-c", FLOOR, "encrypt"], plain, floor_ct, env)
        out = work / "out"
        ours = [str(integra), "age"]
        rows = {
            "encrypt": (
                [*ours, "encrypt", "-r", recipient],
                [age, "-r", recipient],
                plain,
                plain,
                "encrypt",
            ),
            "decrypt": (
                [*ours, "decrypt", "-i", str(key)],
                [age, "-d", "-i", str(key)],
                age_bin,
                floor_ct,
                "decrypt",
            ),
            "encrypt -a": (
                [*ours, "encrypt", "-a", "-r", recipient],
                [age, "-a", "-r", recipient],
                plain,
                plain,
                "encrypt",
            ),
            "decrypt (armored)": (
                [*ours, "decrypt", "-i", str(key)],
                [age, "-d", "-i", str(key)],
                age_armored,
                floor_ct,
                "decrypt",
            ),
        }
        targets = {
            "encrypt": args.encrypt_target,
            "encrypt -a": args.armor_target,
            "decrypt (armored)": args.armor_target,
        }
        cpus = os.cpu_count()
        age_version = subprocess.run([age, "--version"], capture_output=True, text=True).stdout
        print(
            f"# {args.size_mib} MiB, {args.pairs} interleaved runs per row; {platform.machine()}, "
            f"{cpus} CPUs (os.cpu_count), Python {platform.python_version()}, "
            f"age CLI {age_version.strip()}"
        )
        print("# wall time min / median / max in ms; MiB/s from the median; peak RSS per process")
        missed: list[str] = []
        peak_ours = 0
        for name, (our_argv, age_argv, stdin_path, floor_in, direction) in rows.items():
            runners = {
                "ours": (our_argv, stdin_path),
                "age": (age_argv, stdin_path),
                "floor": ([sys.executable, "-c", FLOOR, direction], floor_in),
            }
            times: dict[str, list[float]] = {k: [] for k in runners}
            rss: dict[str, list[int]] = {k: [] for k in runners}
            order = list(runners)
            for i in range(args.pairs):
                for who in order[i % 3 :] + order[: i % 3]:  # rotate who goes first
                    argv_, src = runners[who]
                    t, peak = _run(argv_, src, out, env)
                    times[who].append(t)
                    rss[who].append(peak)
            medians = {k: statistics.median(v) for k, v in times.items()}
            ratio_age = medians["age"] / medians["ours"]
            ratio_floor = medians["floor"] / medians["ours"]
            print(f"\n{name}")
            for who in runners:
                speed = size / MIB / medians[who]
                print(
                    f"  {who:<6} {_stats(times[who], 1000):>20} ms  {speed:6.0f} MiB/s  "
                    f"peak RSS {max(rss[who]) / 1024:5.1f} MiB"
                )
            target = targets.get(name)
            verdict = "no target" if target is None else ("ok" if ratio_age >= target else "MISSED")
            goal = "" if target is None else f", target >= {target:g}"
            print(f"  ours/age {ratio_age:.2f} ({verdict}{goal}); ours/floor {ratio_floor:.2f}")
            if target is not None and ratio_age < target:
                missed.append(f"{name}: ours/age {ratio_age:.2f} < {target:g}")
            peak_ours = max(peak_ours, max(rss["ours"]))
        verdict = "ok" if peak_ours / 1024 < args.rss_target_mib else "MISSED"
        print(
            f"\npeak RSS of ours over all rows: {peak_ours / 1024:.1f} MiB "
            f"({verdict}, target < {args.rss_target_mib:g} MiB)"
        )
        if peak_ours / 1024 >= args.rss_target_mib:
            missed.append(f"peak RSS {peak_ours / 1024:.1f} MiB >= {args.rss_target_mib:g} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if missed:
        print("MISSED TARGETS:\n  " + "\n  ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

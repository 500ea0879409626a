"""Start-up of `integra age …` against a bare start of the same Python (issue 16).

    .venv/bin/python bench/cli_startup.py                 # 21 interleaved pairs per command
    .venv/bin/python bench/cli_startup.py --target 2.0 --pairs 31

Each command is paired with `python -c pass` run by the same interpreter (the venv's, with
the same site hooks as the `integra` console script); the two runs of a pair follow each
other, in alternating order, so a busy neighbour on a shared machine slows both. Reported:
min/median/max wall time of each, and the ratio of the medians. The run exits 1 and names
each command whose median ratio exceeds --target (docs/performance.md, "CLI start-up").
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MS = 1000.0


def _integra() -> list[str]:
    script = Path(sys.executable).with_name("integra")
    if not script.exists():
        raise SystemExit(f"no integra console script beside {sys.executable}: run `make install`")
    return [str(script)]


Command = tuple[list[str], Path | None, Path | None]  # argv, stdin file, stdout file


def pycache_env(pycache: Path) -> dict[str, str]:
    """The environment of every run: byte-code cached in a scratch directory, as an installed
    wheel has it precompiled (an inherited PYTHONDONTWRITEBYTECODE would otherwise make each
    start recompile Integra's modules, and measure the compiler)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


ENV: dict[str, str] = {}


def _run(command: Command) -> float:
    argv, stdin_path, stdout_path = command
    with contextlib.ExitStack() as stack:
        stdin = stack.enter_context(open(stdin_path, "rb")) if stdin_path else subprocess.DEVNULL
        stdout = stack.enter_context(open(stdout_path, "wb")) if stdout_path else subprocess.DEVNULL
        start = time.perf_counter()
        subprocess.run(
            argv, check=True, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, env=ENV
        )
        return time.perf_counter() - start


def _fmt(values: list[float]) -> str:
    return (
        f"min {min(values) * MS:6.1f}  median {statistics.median(values) * MS:6.1f}  "
        f"max {max(values) * MS:6.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21)
    parser.add_argument(
        "--target", type=float, default=2.0, help="largest allowed median ratio to bare Python"
    )
    args = parser.parse_args(argv)
    integra = _integra()
    bare: Command = ([sys.executable, "-c", "pass"], None, None)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ENV.update(pycache_env(work / "pycache"))
        key = work / "key.txt"
        subprocess.run(
            [*integra, "age", "keygen", "-o", str(key)], check=True, capture_output=True, env=ENV
        )
        recipient = next(
            line.split(": ", 1)[1]
            for line in key.read_text().splitlines()
            if line.startswith("# public key: ")
        )
        small = work / "small.txt"
        small.write_bytes(b"a small file\n" * 100)
        sealed = work / "small.age"
        # stdin to stdout redirected to files, as the measurements of the age CLI.
        commands: dict[str, Command] = {
            "integra age --help": ([*integra, "age", "--help"], None, None),
            "integra age keygen": ([*integra, "age", "keygen"], None, None),
            "integra age encrypt (1.3 KB file)": (
                [*integra, "age", "encrypt", "-r", recipient],
                small,
                sealed,
            ),
            "integra age decrypt (1.3 KB file)": (
                [*integra, "age", "decrypt", "-i", str(key)],
                sealed,
                work / "opened",
            ),
        }
        _run(commands["integra age encrypt (1.3 KB file)"])  # the decrypt needs its input
        for argv_ in (bare, *commands.values()):  # warm the page cache once
            _run(argv_)
        missed: list[str] = []
        print(
            f"{args.pairs} interleaved pairs per command; target: median <= "
            f"{args.target:g} x bare `python -c pass`"
        )
        for name, command in commands.items():
            base: list[float] = []
            ours: list[float] = []
            for i in range(args.pairs):
                if i % 2:
                    ours.append(_run(command))
                    base.append(_run(bare))
                else:
                    base.append(_run(bare))
                    ours.append(_run(command))
            ratio = statistics.median(ours) / statistics.median(base)
            verdict = "ok" if ratio <= args.target else "MISSED"
            print(
                f"{name}\n  bare   {_fmt(base)}\n  ours   {_fmt(ours)}\n"
                f"  ratio of medians {ratio:.2f} ({verdict})"
            )
            if ratio > args.target:
                missed.append(f"{name}: {ratio:.2f} x bare > {args.target:g}")
    if missed:
        print("MISSED TARGETS:\n  " + "\n  ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

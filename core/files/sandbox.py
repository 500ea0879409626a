"""Run an outside file tool (mat2, exiftool) on one evidence file, never touching the disk.

mat2 and exiftool work on files, and both parse hostile input. Each run gets:

- a bubblewrap sandbox (as mat2 recommends): no network, no other process, read-only
  /usr and /etc, none of Integra's data directory, killed with its parent; and inside it
- a private tmpfs at /tmp, RAM-backed, that exists only for the sandbox's lifetime: the
  file (or files: exiftool reads an original and its cleaned copy in one run) enters on
  standard input, the tool works there, the result leaves on standard output, and the
  kernel frees the tmpfs (and every copy in it) when the sandbox exits.

The shell inside runs as the namespace's pid 1 (`--as-pid-1`, no bubblewrap init between):
bubblewrap's init is never waited for by the worker, so the tools' CPU time went uncounted
in the worker's children; with the shell as pid 1 it is counted (docs/performance.md).

Where bubblewrap cannot run (no unprivileged user namespaces), the fallback is a private
0700 directory under /dev/shm (RAM-backed too), overwritten and removed as soon as the
tool returns; `sandboxed()` says which one is in use (docs/threat-model.md, "Metadata").
Nothing of the file ever reaches a log: the tools' own output is discarded.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess  # noqa: S404 - fixed argument lists, never a shell with user input
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

TIMEOUT = 120  # seconds; a video re-muxed by ffmpeg inside mat2 is the slowest case
RAM_DIR = Path("/dev/shm")  # noqa: S108 - the RAM-backed fallback, private 0700 per run
WORKDIR = "/tmp"  # noqa: S108 - inside the sandbox: its own tmpfs
_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}  # noqa: S108


class ToolFailed(RuntimeError):
    """The tool is missing, failed, timed out or produced nothing."""


def _bwrap_args(workdir: str) -> list[str]:
    args = [
        "bwrap",
        "--as-pid-1",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
    ]
    for key, value in _ENV.items():
        args += ["--setenv", key, value]
    args += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / top
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.exists():
            args += ["--ro-bind", str(path), str(path)]
    # mat2 wraps ffmpeg/exiftool in a bwrap of its own, which cannot nest in ours: hide it.
    bwrap = shutil.which("bwrap")
    if bwrap and bwrap.startswith("/usr/"):
        args += ["--ro-bind", "/dev/null", bwrap]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", WORKDIR, "--chdir", workdir]
    return args


@functools.cache
def bwrap_works() -> bool:
    """Whether bubblewrap can create a sandbox here (checked once per process)."""
    if shutil.which("bwrap") is None:
        return False
    try:
        done = subprocess.run(  # noqa: S603
            [*_bwrap_args(WORKDIR), "true"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def sandboxed() -> bool:
    """True when tools run in bubblewrap; False when the /dev/shm fallback is used."""
    return bwrap_works() and os.environ.get("INTEGRA_FILE_SANDBOX", "bwrap") != "shm"


def _script(command: list[str], files: Sequence[tuple[str, int]], output: str | None) -> str:
    """A sh script: stdin -> w/<name> for each (name, size) in turn (the last takes the
    rest), run the tool there, send the result to stdout."""
    quoted = " ".join(_quote(part) for part in command)
    reads = [f"head -c {size} > w/{_quote(name)}" for name, size in files[:-1]]
    reads.append(f"cat > w/{_quote(files[-1][0])}")
    head = f"set -e; umask 077; mkdir w; {'; '.join(reads)}; {quoted}"
    return f"{head} >&2; cat w/{_quote(output)}" if output else head


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def run(command: list[str], data: bytes, *, name: str, output: str | None = None) -> bytes:
    """Run `command` (its paths relative to the work dir, e.g. "w/e.docx") on `data`.

    The file is written as w/<name>; the result is the bytes of w/<output> (or the tool's
    standard output when `output` is None). Raises ToolFailed on any failure.
    """
    return run_files(command, [(name, data)], output=output)


def run_files(
    command: list[str], files: Sequence[tuple[str, bytes]], *, output: str | None = None
) -> bytes:
    """`run` with several files in one sandbox: each (name, data) is written as w/<name>."""
    if shutil.which(command[0]) is None or not files:
        raise ToolFailed(command[0])
    if sandboxed():
        return _run_bwrap(command, files, output=output)
    return _run_shm(command, files, output=output)


def _run_bwrap(
    command: list[str], files: Sequence[tuple[str, bytes]], *, output: str | None
) -> bytes:
    script = _script(command, [(name, len(data)) for name, data in files], output)
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen(  # noqa: S603
            [*_bwrap_args(WORKDIR), "sh", "-c", script],
            stdin=read_end,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        os.close(write_end)
        raise ToolFailed(command[0]) from exc
    finally:
        os.close(read_end)
    # The files are written one after the other by a thread (never joined into one copy)
    # while this thread collects the result.
    feeder = threading.Thread(target=_feed, args=(write_end, files), daemon=True)
    feeder.start()
    try:
        out, _err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise ToolFailed(command[0]) from exc
    finally:
        feeder.join()
    if proc.returncode != 0 or not out:
        raise ToolFailed(command[0])
    return out


def _feed(fd: int, files: Sequence[tuple[str, bytes]]) -> None:
    """Write each file's bytes into the pipe `fd`, then close it (a tool that stopped reading
    closes its end: the rest is dropped)."""
    try:
        with os.fdopen(fd, "wb", buffering=0) as pipe:
            for _name, data in files:
                view = memoryview(data)
                while view:
                    view = view[pipe.write(view[: 1 << 20]) or 0 :]
    except OSError:
        pass


def _wipe(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                size = path.stat().st_size
                with path.open("r+b") as fh:
                    fh.write(b"\x00" * size)
            except OSError:
                pass
    shutil.rmtree(directory, ignore_errors=True)


def _run_shm(
    command: list[str], files: Sequence[tuple[str, bytes]], *, output: str | None
) -> bytes:
    if not RAM_DIR.is_dir():
        raise ToolFailed("no RAM-backed directory")  # never fall back to the disk
    base = Path(tempfile.mkdtemp(prefix="integra-", dir=RAM_DIR))  # mode 0700
    try:
        work = base / "w"
        work.mkdir(mode=0o700)
        for name, data in files:
            fd = os.open(work / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        try:
            done = subprocess.run(  # noqa: S603
                command,
                cwd=base,
                env=_ENV | {"HOME": str(base)},
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ToolFailed(command[0]) from exc
        if done.returncode != 0:
            raise ToolFailed(command[0])
        if output is None:
            result = done.stdout
        else:
            target = work / output
            result = target.read_bytes() if target.is_file() else b""
        if not result:
            raise ToolFailed(command[0])
        return result
    finally:
        _wipe(base)

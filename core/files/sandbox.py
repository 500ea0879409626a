"""Run an outside file tool (mat2, exiftool) on one evidence file, never touching the disk.

mat2 and exiftool work on files, and both parse hostile input. Each run gets:

- a bubblewrap sandbox (as mat2 recommends): no network, no other process, read-only
  /usr and /etc, none of Integra's data directory, killed with its parent; and inside it
- a private tmpfs at /tmp, RAM-backed, that exists only for the sandbox's lifetime: the
  file enters on standard input, the tool works there, the result leaves on standard
  output, and the kernel frees the tmpfs (and every copy in it) when the sandbox exits.

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
from pathlib import Path

TIMEOUT = 120  # seconds; a video re-muxed by ffmpeg inside mat2 is the slowest case
RAM_DIR = Path("/dev/shm")  # noqa: S108 - the RAM-backed fallback, private 0700 per run
WORKDIR = "/tmp"  # noqa: S108 - inside the sandbox: its own tmpfs
_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}  # noqa: S108


class ToolFailed(RuntimeError):
    """The tool is missing, failed, timed out or produced nothing."""


def _bwrap_args(workdir: str) -> list[str]:
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
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


def _script(command: list[str], name: str, output: str | None) -> str:
    """A sh script: stdin -> w/<name>, run the tool there, send the result to stdout."""
    quoted = " ".join(_quote(part) for part in command)
    head = f"set -e; umask 077; mkdir w; cat > w/{_quote(name)}; {quoted}"
    return f"{head} >&2; cat w/{_quote(output)}" if output else head


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def run(command: list[str], data: bytes, *, name: str, output: str | None = None) -> bytes:
    """Run `command` (its paths relative to the work dir, e.g. "w/e.docx") on `data`.

    The file is written as w/<name>; the result is the bytes of w/<output> (or the tool's
    standard output when `output` is None). Raises ToolFailed on any failure.
    """
    if shutil.which(command[0]) is None:
        raise ToolFailed(command[0])
    if sandboxed():
        return _run_bwrap(command, data, name=name, output=output)
    return _run_shm(command, data, name=name, output=output)


def _run_bwrap(command: list[str], data: bytes, *, name: str, output: str | None) -> bytes:
    script = _script(command, name, output)
    try:
        done = subprocess.run(  # noqa: S603
            [*_bwrap_args(WORKDIR), "sh", "-c", script],
            input=data,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolFailed(command[0]) from exc
    if done.returncode != 0 or not done.stdout:
        raise ToolFailed(command[0])
    return done.stdout


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


def _run_shm(command: list[str], data: bytes, *, name: str, output: str | None) -> bytes:
    if not RAM_DIR.is_dir():
        raise ToolFailed("no RAM-backed directory")  # never fall back to the disk
    base = Path(tempfile.mkdtemp(prefix="integra-", dir=RAM_DIR))  # mode 0700
    try:
        work = base / "w"
        work.mkdir(mode=0o700)
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

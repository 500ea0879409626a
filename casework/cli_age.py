"""`integra age …`: age-compatible keygen, encrypt and decrypt (DESIGN §7).

Flags mean what they mean for the age CLI. Input and output stream in constant memory;
IN and OUT default to stdin and stdout. Files given with -o are written to a temporary
file beside the target and renamed only on success, so a failed run never leaves an
output that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import BinaryIO

# Neither click nor the rest of Integra is imported here: `integra age` dispatches to main()
# before anything else loads (casework/entry.py), so it starts within 2x a bare Python
# (docs/performance.md, "CLI start-up"). crypto loads its submodules on first use.
import crypto

PASSPHRASE_ENV = "INTEGRA_AGE_PASSPHRASE"  # noqa: S105 - the variable name, not a secret
SCRYPT_WORK_FACTOR = 18  # age's default for new files
IO_BLOCK = 256 * 1024
PROG = "integra age"


class AgeCliError(Exception):
    """A one-line failure message; exit status 1."""


@contextlib.contextmanager
def _input(path: str | None) -> Iterator[BinaryIO]:
    if path is None or path == "-":
        yield sys.stdin.buffer
        return
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise AgeCliError(f"cannot open input {path}: {exc.strerror}") from None
    with fh:
        yield fh


@contextlib.contextmanager
def _output(path: str | None, *, binary_to_terminal_ok: bool) -> Iterator[BinaryIO]:
    """Yield a writable stream; for a path, commit atomically only if the body succeeds."""
    if path is None or path == "-":
        stdout = sys.stdout.buffer
        if not binary_to_terminal_ok and sys.stdout.isatty():
            raise AgeCliError("refusing to write binary output to a terminal; use -a or -o")
        yield stdout
        stdout.flush()
        return
    target = Path(path)
    if target.is_dir():
        raise AgeCliError(f"output {path} is a directory")
    import tempfile

    try:
        fd, tmp_name = tempfile.mkstemp(
            dir=target.parent if str(target.parent) else ".",
            prefix=f".{target.name}.",
            suffix=".partial",
        )
    except OSError as exc:
        raise AgeCliError(f"cannot create output {path}: {exc.strerror}") from None
    committed = False
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
        committed = True
    finally:
        if not committed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)


def _read_identity_file(path: str) -> list[crypto.Identity]:
    """Read an identity file; a passphrase-encrypted one (as `age -p` writes) is opened first."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise AgeCliError(f"cannot read identity file {path}: {exc.strerror}") from None
    if raw.startswith(b"age-encryption.org/") or raw.lstrip().startswith(b"-----BEGIN AGE"):
        try:
            raw = crypto.decrypt(raw, [crypto.ScryptIdentity(_passphrase(confirm=False))])
        except crypto.NoIdentityMatch:
            raise AgeCliError(f"{path}: wrong passphrase for the encrypted identity") from None
        except crypto.AgeError as exc:
            raise AgeCliError(f"{path}: cannot open the encrypted identity: {exc}") from None
    try:
        return crypto.parse_identity_file(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise AgeCliError(f"{path}: not an identity file") from None
    except crypto.KeyFormatError as exc:
        raise AgeCliError(f"{path}: {exc}") from None


def _passphrase(confirm: bool) -> bytes:
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None:
        if not sys.stdin.isatty():
            raise AgeCliError(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal")
        import getpass

        value = getpass.getpass("Passphrase: ", stream=sys.stderr)
        if confirm and getpass.getpass("Repeat for confirmation: ", stream=sys.stderr) != value:
            raise AgeCliError("the two passphrases differ")
    if not value:
        raise AgeCliError("empty passphrase")
    return value.encode("utf-8")


def keygen(pq: bool, output: str | None) -> None:
    """Generate an identity; the public recipient is in its comment (and on stderr with -o)."""
    import datetime as dt

    identity: crypto.Identity = (
        crypto.HybridIdentity.generate() if pq else crypto.X25519Identity.generate()
    )
    recipient = identity.recipient().to_string()
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    text = f"# created: {created}\n# public key: {recipient}\n{identity.to_string()}\n"
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AgeCliError(f"output file {output} already exists; not overwriting") from None
    except OSError as exc:
        raise AgeCliError(f"cannot create {output}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
    sys.stderr.write(f"Public key: {recipient}\n")


def encrypt(
    recipients: Sequence[str],
    identity_files: Sequence[str],
    use_passphrase: bool,
    armor: bool,
    output: str | None,
    input_path: str | None,
) -> None:
    """Encrypt IN (or stdin) to OUT (or stdout)."""
    targets: list[crypto.Recipient] = []
    if use_passphrase:
        if recipients or identity_files:
            raise AgeCliError("-p cannot be combined with -r or -i")
        targets.append(crypto.ScryptRecipient(_passphrase(confirm=True), SCRYPT_WORK_FACTOR))
    else:
        for text in recipients:
            try:
                targets.append(crypto.parse_recipient(text))
            except crypto.KeyFormatError as exc:
                raise AgeCliError(f"invalid recipient {text[:24]!r}: {exc}") from None
        for path in identity_files:
            targets.extend(i.recipient() for i in _read_identity_file(path))
        if not targets:
            raise AgeCliError("no recipients: use -r, -i or -p")
    try:
        with _input(input_path) as src, _output(output, binary_to_terminal_ok=armor) as dst:
            crypto.encrypt_stream(src, dst, targets, armor=armor)
    except crypto.AgeError as exc:
        raise AgeCliError(str(exc)) from None
    except OSError as exc:
        raise AgeCliError(f"I/O error: {exc.strerror or exc}") from None


def decrypt(identity_files: Sequence[str], output: str | None, input_path: str | None) -> None:
    """Decrypt IN (or stdin; binary or armored) to OUT (or stdout)."""
    identities: list[crypto.Identity] = []
    for path in identity_files:
        identities.extend(_read_identity_file(path))
    if not identities:
        identities.append(crypto.ScryptIdentity(_passphrase(confirm=False)))
    try:
        with _input(input_path) as src:
            reader = crypto.open_decryptor(src, identities)
            with _output(output, binary_to_terminal_ok=True) as dst:
                for chunk in reader:
                    dst.write(chunk)
    except crypto.NoIdentityMatch:
        raise AgeCliError("no identity matched any of the recipients") from None
    except crypto.PayloadError as exc:
        if output:
            raise AgeCliError(f"{exc} (output discarded)") from None
        # On stdout the authenticated part is already out: say how much, so nobody takes a
        # truncated file for the whole one.
        raise AgeCliError(
            f"{exc}; {exc.released} bytes of authenticated plaintext were written before the "
            "failure: the output is incomplete"
        ) from None
    except crypto.AgeError as exc:
        raise AgeCliError(str(exc)) from None
    except OSError as exc:
        raise AgeCliError(f"I/O error: {exc.strerror or exc}") from None


# The command line is parsed by hand: argparse (with gettext, locale and shutil) would cost a
# sixth of the start-up budget. Flags mean what they mean for the age CLI.
USAGE = f"""usage: {PROG} keygen [--pq] [-o FILE]
       {PROG} encrypt (-r RECIPIENT | -i FILE)... [-a] [-o OUT] [IN]
       {PROG} encrypt -p [-a] [-o OUT] [IN]
       {PROG} decrypt [-i FILE]... [-o OUT] [IN]

age v1 file encryption (compatible with the age CLI). IN and OUT default to stdin and stdout.

  keygen   Generate an identity; its public recipient is in the comment (and on stderr with
           -o). --pq: a post-quantum (ML-KEM-768+X25519) identity. -o FILE: write it to FILE.
  encrypt  -r, --recipient RECIPIENT   encrypt to RECIPIENT (repeatable)
           -i, --identity FILE         encrypt to the recipient of each identity in FILE
           -p, --passphrase            encrypt with a passphrase
                                       (from ${PASSPHRASE_ENV} or a prompt)
           -a, --armor                 ASCII-armored (PEM) output
           -o, --output OUT            write to OUT (replaced only on success)
  decrypt  -i, --identity FILE         identity file (repeatable); without -i, a passphrase
           -o, --output OUT            write to OUT (replaced only on success)
"""

# command -> {flag: (destination, takes a value)}
_OPTIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "keygen": {"--pq": ("pq", False), "-o": ("output", True), "--output": ("output", True)},
    "encrypt": {
        "-r": ("recipients", True),
        "--recipient": ("recipients", True),
        "-i": ("identity_files", True),
        "--identity": ("identity_files", True),
        "-p": ("use_passphrase", False),
        "--passphrase": ("use_passphrase", False),
        "-a": ("armor", False),
        "--armor": ("armor", False),
        "-o": ("output", True),
        "--output": ("output", True),
    },
    "decrypt": {
        "-i": ("identity_files", True),
        "--identity": ("identity_files", True),
        "-o": ("output", True),
        "--output": ("output", True),
    },
}
_REPEATABLE = {"recipients", "identity_files"}


class UsageError(Exception):
    """A command line that cannot be run; exit status 2."""


def parse_args(argv: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
    """(command, options) from ARGV, None when help was asked for; UsageError otherwise."""
    if not argv or argv[0] in ("-h", "--help"):
        if not argv:
            raise UsageError("missing command: keygen, encrypt or decrypt")
        return None
    command, rest = argv[0], list(argv[1:])
    spec = _OPTIONS.get(command)
    if spec is None:
        raise UsageError(f"unknown command {command!r}: use keygen, encrypt or decrypt")
    values: dict[str, Any] = {
        dest: [] if dest in _REPEATABLE else None for dest, _ in spec.values()
    }
    for dest, takes in spec.values():
        if not takes:
            values[dest] = False
    positional: list[str] = []
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            positional.extend(rest)
            break
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif not arg.startswith("--") and len(arg) > 2:
            name, value = arg[:2], arg[2:]
        if name not in spec:
            raise UsageError(f"unknown option {name} for {command}")
        dest, takes = spec[name]
        if not takes:
            if value is not None:
                raise UsageError(f"option {name} takes no value")
            values[dest] = True
            continue
        if value is None:
            if not rest:
                raise UsageError(f"option {name} needs a value")
            value = rest.pop(0)
        if dest in _REPEATABLE:
            values[dest].append(value)
        elif values[dest] is not None:
            raise UsageError(f"option {name} given twice")
        else:
            values[dest] = value
    if command == "keygen":
        if positional:
            raise UsageError("keygen takes no arguments")
    else:
        if len(positional) > 1:
            raise UsageError(f"{command} takes at most one input file")
        values["input_path"] = positional[0] if positional else None
    return command, values


def main(argv: Sequence[str] | None = None) -> int:
    """Run `integra age ARGV`; return the exit status (0, 1 on failure, 2 on bad usage)."""
    try:
        parsed = parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        short = USAGE.split("\n\n", 1)[0]
        sys.stderr.write(f"{short}\n{PROG}: error: {exc}\n")
        return 2
    if parsed is None:
        sys.stdout.write(USAGE)
        sys.stdout.flush()
        return 0
    command, options = parsed
    try:
        if command == "keygen":
            keygen(**options)
        elif command == "encrypt":
            encrypt(**options)
        else:
            decrypt(**options)
    except AgeCliError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m casework.cli_age`
    sys.exit(main())

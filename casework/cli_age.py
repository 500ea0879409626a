"""`integra age …`: age-compatible keygen, encrypt and decrypt (DESIGN §7).

Flags mean what they mean for the age CLI. Input and output stream in constant memory;
IN and OUT default to stdin and stdout. Files given with -o are written to a temporary
file beside the target and renamed only on success, so a failed run never leaves an
output that looks complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

import crypto

PASSPHRASE_ENV = "INTEGRA_AGE_PASSPHRASE"  # noqa: S105 - the variable name, not a secret
SCRYPT_WORK_FACTOR = 18  # age's default for new files
IO_BLOCK = 256 * 1024


class AgeCliError(click.ClickException):
    """A one-line failure message; exit status 1."""

    def show(self, file: object = None) -> None:
        click.echo(f"integra age: error: {self.format_message()}", err=True)


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
        value = click.prompt(
            "Passphrase", hide_input=True, confirmation_prompt=confirm, err=True, type=str
        )
    if not value:
        raise AgeCliError("empty passphrase")
    return value.encode("utf-8")


@click.group("age")
def age_group() -> None:
    """age v1 file encryption (compatible with the age CLI)."""


@age_group.command("keygen")
@click.option("--pq", is_flag=True, help="Generate a post-quantum (ML-KEM-768+X25519) identity.")
@click.option("-o", "--output", "output", metavar="FILE", help="Write the identity to FILE.")
def keygen(pq: bool, output: str | None) -> None:
    """Generate an identity; the public recipient is in its comment (and on stderr with -o)."""
    identity: crypto.Identity = (
        crypto.HybridIdentity.generate() if pq else crypto.X25519Identity.generate()
    )
    recipient = identity.recipient().to_string()
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    text = f"# created: {created}\n# public key: {recipient}\n{identity.to_string()}\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AgeCliError(f"output file {output} already exists; not overwriting") from None
    except OSError as exc:
        raise AgeCliError(f"cannot create {output}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
    click.echo(f"Public key: {recipient}", err=True)


@age_group.command("encrypt")
@click.option("-r", "--recipient", "recipients", multiple=True, metavar="RECIPIENT")
@click.option(
    "-i",
    "--identity",
    "identity_files",
    multiple=True,
    metavar="FILE",
    help="Encrypt to the recipient of each identity in FILE.",
)
@click.option(
    "-p",
    "--passphrase",
    "use_passphrase",
    is_flag=True,
    help=f"Encrypt with a passphrase (from ${PASSPHRASE_ENV} or a prompt).",
)
@click.option("-a", "--armor", is_flag=True, help="ASCII-armored (PEM) output.")
@click.option("-o", "--output", "output", metavar="OUT")
@click.argument("input_path", metavar="[IN]", required=False)
def encrypt_cmd(
    recipients: tuple[str, ...],
    identity_files: tuple[str, ...],
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


@age_group.command("decrypt")
@click.option(
    "-i",
    "--identity",
    "identity_files",
    multiple=True,
    metavar="FILE",
    help="Identity file (repeatable). Without -i, a passphrase is used.",
)
@click.option("-o", "--output", "output", metavar="OUT")
@click.argument("input_path", metavar="[IN]", required=False)
def decrypt_cmd(
    identity_files: tuple[str, ...], output: str | None, input_path: str | None
) -> None:
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


if __name__ == "__main__":  # pragma: no cover - `python -m casework.cli_age`
    age_group()

"""`integra audit`: verify the log, issue and publish checkpoints, prove entries.

The chain check (`verify`) needs nothing else; `verify --since` checks today's log against
checkpoints kept outside the server (docs/transparency.md).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from typing import Any
from typing import NoReturn

import click

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from config import Settings


@contextmanager
def _session() -> Iterator[tuple[Session, Settings]]:
    # The one command session of casework/cli_admin.py, imported when a command runs: this
    # module is imported while casework/cli.py registers it.
    from casework.cli_admin import _session as command_session

    with command_session() as pair:
        yield pair


def _fail(message: str, status: int = 1) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(status)


@click.group("audit")
def audit_group() -> None:
    """The audit log: a hash chain and a Merkle tree with signed checkpoints."""


@audit_group.command("verify")
@click.option(
    "--expect-head", default=None, help="Head hash recorded earlier (detects truncation)."
)
@click.option(
    "--since",
    "since",
    multiple=True,
    type=click.File("r", encoding="utf-8"),
    help="A checkpoint saved earlier (repeatable): the log must still extend it.",
)
@click.option(
    "--key",
    default=None,
    help="The log's verifier key (name+id+key). Default: the key in the database.",
)
def audit_verify(expect_head: str | None, since: tuple[Any, ...], key: str | None) -> None:
    """Verify the chain and, with --since, that the log extends earlier checkpoints.

    Exits 0 when intact, 1 naming the first bad entry when not, 2 on unusable input.
    """
    from core.errors import DomainError
    from core.services import transparency
    from core.storage import audit
    from crypto import tlog

    notes = [fh.read() for fh in since]
    with _session() as (session, _settings_):
        try:
            report = audit.verify_chain(session, expect_head=expect_head)
        except DomainError as exc:
            _fail(f"Audit chain BROKEN: {exc}")
        click.echo(f"Audit chain intact: {report.entries} entries; head {report.head}")
        if not notes:
            return
        try:
            vkey = tlog.VerifierKey.parse(key) if key else transparency.verifier_key(session)
        except (tlog.TlogError, DomainError) as exc:
            _fail(f"integra: error: {exc}", 2)
        try:
            since_report = transparency.verify_since(session, notes, vkey)
        except transparency.LogTampered as exc:
            _fail(f"Audit log TAMPERED: {exc}")
        except tlog.TlogError as exc:
            _fail(f"Checkpoint REFUSED: {exc}")
    sizes = ", ".join(str(s) for s in since_report.checked)
    click.echo(f"The log ({since_report.size} entries) extends the checkpoints of size {sizes}.")


@audit_group.command("checkpoint")
@click.option(
    "--origin",
    default=None,
    help="The log's name, set once when the first checkpoint is issued "
    "(default: this host's name + /integra-audit).",
)
@click.option("--force", is_flag=True, help="Issue one even if the log did not grow.")
def audit_checkpoint(origin: str | None, force: bool) -> None:
    """Sign the log's current size and root; print the checkpoint (a C2SP signed note)."""
    from core.services import transparency
    from core.storage.db import utcnow
    from crypto import tlog

    with _session() as (session, settings):
        try:
            row = transparency.issue_checkpoint(
                session,
                settings.secret_bytes("server_key"),
                now=utcnow(),
                origin=origin,
                only_if_grown=not force,
            )
        except tlog.TlogError as exc:
            _fail(f"integra: error: {exc}", 2)
        if row is None:
            latest = transparency.latest_checkpoint(session)
            assert latest is not None
            click.echo(latest.note, nl=False)
            click.echo("(the log did not grow: no new checkpoint)", err=True)
            return
        click.echo(row.note, nl=False)


@audit_group.command("verifier-key")
def audit_verifier_key() -> None:
    """Print the log's verifier key, to publish and to give to auditors."""
    from core.errors import DomainError
    from core.services import transparency

    with _session() as (session, _settings_):
        try:
            click.echo(transparency.verifier_key(session).encode())
        except DomainError as exc:
            _fail(f"integra: error: {exc}", 2)


@audit_group.command("proof")
@click.argument("seq", type=click.IntRange(min=1, max=2**62))
def audit_proof(seq: int) -> None:
    """Print a tlog proof (c2sp.org/tlog-proof@v1) that entry SEQ is in the latest checkpoint."""
    from sqlalchemy import select

    from core.services import transparency
    from core.storage.models import AuditEntry
    from crypto import tlog

    with _session() as (session, _settings_):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.seq == seq))
        checkpoint = transparency.latest_checkpoint(session)
        if entry is None or checkpoint is None or entry.seq > checkpoint.size:
            _fail(f"integra: error: entry {seq} is not covered by a checkpoint yet", 2)
        try:
            click.echo(transparency.inclusion_proof(session, entry, checkpoint), nl=False)
        except tlog.TlogError as exc:
            _fail(f"integra: error: {exc}", 2)

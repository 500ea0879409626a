"""`integra backup create|restore|verify` (docs/operations.md, "Backups")."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

import click


def _fail(message: str) -> None:
    click.echo(f"integra: error: {message}", err=True)
    sys.exit(2)


@click.group("backup")
def backup_group() -> None:
    """Back up the database with a manifest, restore it, and prove a backup restores."""


@backup_group.command("create")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the backup (default: integra-backup-<UTC time>.tar).",
)
def backup_create(output: Path | None) -> None:
    """Write one file holding the database and its manifest (mode 0600)."""
    from casework.cli import _settings
    from core.storage import backup
    from core.storage.db import make_engine

    settings = _settings()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    output = output or Path(f"integra-backup-{stamp}.tar")
    engine = make_engine(settings.database_url)
    try:
        manifest = backup.create(engine, settings.secret_bytes("receipt_pepper"), output)
    except backup.BackupError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    click.echo(
        f"wrote {output}: schema {manifest['schema_revision']}, "
        f"{manifest['audit']['entries']} audit entries, sha256 {manifest['sha256']}"
    )


@backup_group.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
def backup_restore(backup_file: Path, force: bool) -> None:
    """Restore BACKUP_FILE into the configured database (checked first)."""
    from casework.cli import _settings
    from core.storage import backup

    settings = _settings(create=True)
    try:
        manifest = backup.restore(backup_file, settings.database_url, force=force)
    except backup.BackupError as exc:
        _fail(str(exc))
    click.echo(
        f"restored the backup of {manifest['created_at']} (schema {manifest['schema_revision']})"
    )


@backup_group.command("verify")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-i",
    "--identity",
    "identity_file",
    type=click.File("r"),
    required=True,
    help="The office recovery identity ('-' for standard input).",
)
def backup_verify(backup_file: Path, identity_file: TextIO) -> None:
    """Restore into a scratch database and prove the copy: checksum, counts, audit head,
    receipt pepper and a sample of sealed reports opened with the recovery identity."""
    import crypto
    from casework.cli import _settings
    from core.storage import backup

    settings = _settings()
    try:
        identities = crypto.parse_identity_file(identity_file.read())
    except (crypto.KeyFormatError, ValueError):
        _fail("the identity is not an age identity (AGE-SECRET-KEY-…)")
    try:
        report = backup.verify(
            backup_file,
            pepper=settings.secret_bytes("receipt_pepper"),
            identities=list(identities),
            scratch_like=settings.database_url,
        )
    except backup.BackupError as exc:
        click.echo(f"Backup NOT verified: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"Backup verified: schema {report.revision}, {report.tables} tables, "
        f"{report.audit_entries} audit entries ending at the recorded head, receipt pepper "
        f"matches, {report.reports_opened} of {report.reports_sampled} sampled reports opened."
    )

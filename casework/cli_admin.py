"""Headless administration: `integra officer list|deactivate|reset|set-role`,
`integra entity show`, `integra case export` (docs/operations.md, "Headless operation")."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from casework.cli import cli
from casework.cli import officer
from core.law.enums import Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from config import Settings
    from core.storage.models import Officer


def _fail(message: str) -> None:
    click.echo(f"integra: error: {message}", err=True)
    sys.exit(2)


@contextmanager
def _session() -> Iterator[tuple[Session, Settings]]:
    from casework.cli import _settings
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            yield session, settings
    finally:
        engine.dispose()


def _account(session: Session, username: str) -> Officer:
    from sqlalchemy import select

    from core.storage.models import Officer

    found = session.scalar(select(Officer).where(Officer.username == username.strip().lower()))
    if found is None:
        _fail(f"no officer named {username!r}")
    assert found is not None
    return found


@officer.command("list")
def officer_list() -> None:
    """List accounts: user name, entity, role, active, which keys they hold."""
    from sqlalchemy import select

    from core.access import grants
    from core.storage.models import Entity
    from core.storage.models import Officer

    with _session() as (session, _settings):
        rows = session.execute(
            select(Officer, Entity.slug).join(Entity).order_by(Entity.slug, Officer.username)
        ).all()
        for account, slug in rows:
            keys = ",".join(grants.held_purposes(session, account)) or "-"
            state = "active" if account.active else "inactive"
            click.echo(f"{account.username}\t{slug}\t{account.role.value}\t{state}\tkeys:{keys}")


@officer.command("deactivate")
@click.argument("username")
def officer_deactivate(username: str) -> None:
    """Deactivate an account: its key copies and sessions are deleted at once."""
    from core.access import account_admin

    with _session() as (session, _settings):
        revoked = account_admin.set_active(
            session, officer=_account(session, username), active=False, actor=None
        )
    assert revoked is not None
    click.echo(
        f"{username} deactivated: {revoked.keys_deleted} key copies, {revoked.grants_deleted} "
        f"pending grants and {revoked.sessions_ended} sessions deleted. Backups still hold older "
        "copies: rotate the keys (integra keys rotate) if that matters."
    )


@officer.command("reset")
@click.argument("username")
def officer_reset(username: str) -> None:
    """Give an account a new one-time password (its key copies are deleted)."""
    from core.access import account_admin

    with _session() as (session, settings):
        password, dropped = account_admin.reset_password(
            session, settings, officer=_account(session, username), actor=None
        )
    click.echo(f"one-time password for {username}: {password}")
    click.echo(f"({dropped} key copies deleted: a key holder must grant them again)")


@officer.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def officer_set_role(username: str, role: str) -> None:
    """Change an account's role; keys the new role may not hold are deleted."""
    from core.access import account_admin

    with _session() as (session, _settings):
        dropped = account_admin.set_role(
            session, officer=_account(session, username), role=Role(role), actor=None
        )
    click.echo(f"{username} is now {role} ({dropped} key copies deleted)")


@cli.group("entity")
def entity_group() -> None:
    """Entities (OIIs) on this install."""


@entity_group.command("show")
@click.argument("slug", required=False)
def entity_show(slug: str | None) -> None:
    """Public recipients and key fingerprints of an entity (all when no SLUG)."""
    import hashlib

    from sqlalchemy import select

    from core.storage.models import Entity

    with _session() as (session, _settings):
        query = select(Entity).order_by(Entity.slug)
        if slug:
            query = query.where(Entity.slug == slug)
        found = list(session.scalars(query))
        if not found:
            _fail(f"no entity with slug {slug!r}" if slug else "no entity yet: run integra init")
        for entity in found:

            def fp(value: bytes) -> str:
                return hashlib.sha256(value).hexdigest()[:16]

            click.echo(f"{entity.slug}: {entity.name}")
            if entity.host:
                click.echo(f"  host name: {entity.host}")
            click.echo(f"  office recipient: {entity.office_recipient}")
            click.echo(f"  office fingerprint: {fp(entity.office_recipient.encode())}")
            click.echo(f"  vault recipient: {entity.vault_recipient}")
            click.echo(f"  vault fingerprint: {fp(entity.vault_recipient.encode())}")
            click.echo(f"  acknowledgement key (Ed25519): {entity.signing_public_key.hex()}")


@cli.group("case")
def case_group() -> None:
    """One complaint, from the command line."""


@case_group.command("export")
@click.argument("code")
@click.option("--entity", "entity_slug", default=None, help="Entity slug (when several).")
@click.option(
    "-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="An empty directory for the age files and manifest.json.",
)  # fmt: skip
def case_export(code: str, entity_slug: str | None, out: Path) -> None:
    """Write the case's sealed files as age files plus a manifest (nothing is decrypted)."""
    from sqlalchemy import select

    from core.errors import NotFound
    from core.services import export
    from core.storage.models import Case
    from core.storage.models import Entity

    with _session() as (session, _settings):
        query = select(Case).where(Case.code == code.strip().upper())
        if entity_slug:
            query = query.join(Entity).where(Entity.slug == entity_slug)
        found = list(session.scalars(query))
        if len(found) != 1:
            _fail(f"no case {code!r}" if not found else "several entities have that code: --entity")
        try:
            manifest = export.export_case(session, found[0], out)
        except (NotFound, FileExistsError) as exc:
            _fail(str(exc))
    click.echo(f"wrote {len(manifest['files'])} age files and manifest.json to {out}")

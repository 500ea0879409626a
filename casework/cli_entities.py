"""`integra entity add|list|disable|enable`: running one install for many entities
(issue 13, docs/operations.md "Many entities on one install"); `entity show` is in
casework/cli_admin.py. Logic lives in core.services.entities_admin."""

from __future__ import annotations

from pathlib import Path

import click

from casework.cli_admin import _fail
from casework.cli_admin import _session
from casework.cli_admin import entity_group


@entity_group.command("add")
@click.argument("name")
@click.option("--acronym", default="", help="Acronym the public may search by (e.g. MINEDU).")
@click.option("--sector", default="", help="Sector shown and searched in the directory.")
@click.option("--region", default="", help="Region shown and searched in the directory.")
@click.option("--admin", "admin_username", default=None, help="Create its first admin account.")
@click.option(
    "--sheet-dir", type=click.Path(file_okay=False, exists=True, writable=True), default=None,
    help="Write printable recovery sheets (HTML with QR codes) of the new keys here.",
)  # fmt: skip
def entity_add(
    name: str,
    acronym: str,
    sector: str,
    region: str,
    admin_username: str | None,
    sheet_dir: str | None,
) -> None:
    """Create an entity with its own keys, intake address and (optionally) first admin."""
    from core.errors import DomainError
    from core.services import entities_admin

    with _session() as (session, settings):
        try:
            made = entities_admin.add_entity(
                session,
                settings,
                name=name,
                acronym=acronym,
                sector=sector,
                region=region,
                admin_username=admin_username,
            )
        except DomainError as exc:
            _fail(str(exc))
            return
        entity, keys = made.keys.entity, made.keys
        click.echo(f"Created entity {entity.name!r} (slug {entity.slug}).")
        click.echo(f"Intake address: /e/{entity.slug}/")
        click.echo("")
        click.echo("RECOVERY IDENTITIES of this entity — shown only now. Hand them to its OII")
        click.echo("for offline escrow (sealed envelope, safe); never keep them on this server:")
        click.echo(f"  office: {keys.office.to_string()}")
        click.echo(f"  vault:  {keys.vault.to_string()}")
        if sheet_dir:
            from casework.cli_keys import write_sheets

            write_sheets(Path(sheet_dir), entity, {"office": keys.office, "vault": keys.vault})
        if made.admin is not None:
            click.echo("")
            click.echo(f"First admin {made.admin.officer.username!r} (holds no key):")
            click.echo(f"  one-time password (change at first login): {made.admin.password}")
            click.echo(f"  TOTP provisioning URI: {made.admin.totp_uri}")


@entity_group.command("list")
def entity_list() -> None:
    """One line per entity: slug, state, officers, cases, name (counts only)."""
    from core.services import entities_admin

    with _session() as (session, _settings):
        for row in entities_admin.list_entities(session):
            state = "active" if row.entity.active else "disabled"
            click.echo(
                f"{row.entity.slug}\t{state}\tofficers:{row.officers}\tcases:{row.cases}\t"
                f"{row.entity.name}"
            )


def _set_active(slug: str, *, active: bool) -> None:
    from core.errors import NotFound
    from core.services import entities_admin

    with _session() as (session, _settings):
        try:
            entity = entities_admin.by_slug(session, slug)
        except NotFound as exc:
            _fail(str(exc))
            return
        changed = entities_admin.set_active(session, entity, active=active, actor=None)
    word = "enabled" if active else "disabled"
    if not changed:
        click.echo(f"{slug} was already {word}")
    elif active:
        click.echo(f"{slug} enabled: it receives complaints again")
    else:
        click.echo(
            f"{slug} disabled: it receives no new complaints; its cases, officers and keys stay"
        )


@entity_group.command("disable")
@click.argument("slug")
def entity_disable(slug: str) -> None:
    """Stop new complaints to an entity (its cases, officers and keys stay)."""
    _set_active(slug, active=False)


@entity_group.command("enable")
@click.argument("slug")
def entity_enable(slug: str) -> None:
    """Let a disabled entity receive complaints again."""
    _set_active(slug, active=True)


@entity_group.command("set-host")
@click.argument("slug")
@click.argument("host", required=False)
@click.option("--clear", is_flag=True, help="Take the entity's own host name away.")
def entity_set_host(slug: str, host: str | None, clear: bool) -> None:
    """Give an entity its own host name (e.g. denuncias.ate.gob.pe): the intake answers it
    with that entity's page and form. Point the name at the proxy and add it to nginx's
    server_name and the certificate (`integra deploy nginx --host …`)."""
    from core.errors import DomainError
    from core.services import entities_admin

    if bool(host) == clear:
        _fail("give a HOST, or --clear")
    with _session() as (session, _settings):
        try:
            entity = entities_admin.by_slug(session, slug)
            entities_admin.set_host(session, entity, None if clear else host, actor=None)
        except DomainError as exc:
            _fail(str(exc))
            return
        if entity.host:
            click.echo(f"{slug} answers at https://{entity.host}/ (and /e/{slug}/)")
        else:
            click.echo(f"{slug} has no host name of its own (its address: /e/{slug}/)")

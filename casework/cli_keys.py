"""`integra keys`: rotate the office or vault key, check a recovery identity (issue 9).

The recovery identity is read from a file or from standard input (`-i -`), so it never
has to be written to the server's disk.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import crypto
    from core.storage.models import Entity


def _read_identities(source: str) -> list[crypto.Identity]:
    import crypto

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return crypto.parse_identity_file(text)
    except (OSError, UnicodeDecodeError, crypto.AgeError) as exc:
        where = "standard input" if source == "-" else source
        raise click.ClickException(f"cannot read an identity from {where}: {exc}") from exc


def write_sheets(directory: Path, entity: Entity, identities: dict[str, crypto.Identity]) -> None:
    """Printable recovery sheets `<slug>-<purpose>.html` (never overwriting a file)."""
    from casework import recovery_sheet

    for purpose, identity in identities.items():
        path = directory / f"{entity.slug}-{purpose}-recovery.html"
        recovery_sheet.write(
            path,
            recovery_sheet.render(
                entity_name=entity.name, slug=entity.slug, purpose=purpose, identity=identity
            ),
        )
        click.echo(f"Recovery sheet written to {path} (print it, then delete it).")


_IDENTITY_OPTION = click.option(
    "-i",
    "--identity",
    "identity_source",
    required=True,
    help="File with the recovery identity, or - to read it from standard input.",
)


@click.group("keys")
def keys_group() -> None:
    """Office and vault keys: rotation and recovery identities."""


@keys_group.command("rotate")
@click.option("--purpose", type=click.Choice(["office", "vault"]), required=True)
@click.option("--entity", "entity_slug", default=None, help="Entity slug (when several).")
@_IDENTITY_OPTION
@click.option(
    "--sheet",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write a printable recovery sheet (HTML with a QR code) of the new key here.",
)
@click.option("--batch-size", type=click.IntRange(1, 10000), default=200, show_default=True)
def keys_rotate(
    purpose: str, entity_slug: str | None, identity_source: str, sheet: str | None, batch_size: int
) -> None:
    """Give the entity a new office or vault key and re-address every sealed object to it.

    Authenticated by the current recovery identity. Payloads are not re-encrypted: each
    object gets a new header. Progress is committed every batch; if the run stops, run the
    same command again (with the same, old, identity) to finish.
    """
    from casework import recovery_sheet
    from casework.cli import _pick_entity
    from casework.cli import _settings
    from core.errors import DomainError
    from core.services import keyrotation
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker

    settings = _settings()
    identities = _read_identities(identity_source)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            entity = _pick_entity(session, entity_slug)
            rotation = keyrotation.unfinished(session, entity, purpose)
            wanted = (
                rotation.old_recipient
                if rotation is not None
                else keyrotation.entity_recipient(entity, purpose)
            )
            old = next((i for i in identities if i.recipient().to_string() == wanted), None)
            if old is None:
                what = "the key being rotated out" if rotation else f"the current {purpose} key"
                raise click.ClickException(f"the identity given is not {what} of {entity.name!r}")
            if rotation is None:
                new = keyrotation.new_identity_like(old)
                # Shown (and written) before the switch commits: once objects are sealed
                # to it, losing it would lose them.
                click.echo("NEW RECOVERY IDENTITY — shown only now. Print it, store it offline")
                click.echo("(sealed envelope, safe), and never keep it on this server:")
                click.echo(f"  {purpose}: {new.to_string()}")
                if sheet:
                    recovery_sheet.write(
                        Path(sheet),
                        recovery_sheet.render(
                            entity_name=entity.name,
                            slug=entity.slug,
                            purpose=purpose,
                            identity=new,
                        ),
                    )
                    click.echo(f"Recovery sheet written to {sheet} (print it, then delete it).")
                sys.stdout.flush()
                started = keyrotation.start_rotation(
                    session,
                    settings,
                    entity=entity,
                    purpose=purpose,
                    old_identity=old,
                    new_identity=new,
                )
                session.commit()
                rotation = started.rotation
                click.echo(f"Rotation started: new {purpose} objects are sealed to the new key.")
                for username, code in started.grants.items():
                    click.echo(f"  grant code for {username}: {code}")
                if started.grants:
                    click.echo("Hand each code over in person (Llaves → Recibir after login).")
            else:
                click.echo(
                    f"Resuming the rotation started {rotation.started_at:%Y-%m-%d %H:%M} UTC "
                    f"({rotation.rewrapped} objects re-addressed so far)."
                )
            while keyrotation.rewrap_batch(session, rotation, old_identity=old, limit=batch_size):
                session.commit()
            keyrotation.finish_rotation(session, rotation)
            session.commit()
            click.echo(
                f"Rotation finished: {rotation.rewrapped} objects re-addressed, "
                f"{rotation.skipped} not sealed to the old key. The old key is retired: "
                "destroy its recovery sheet once backups holding it have expired."
            )
    except DomainError as exc:
        raise click.ClickException(f"rotation refused: {exc}") from exc
    finally:
        engine.dispose()


@keys_group.command("check")
@click.option("--entity", "entity_slug", default=None, help="Entity slug (when several).")
@_IDENTITY_OPTION
def keys_check(entity_slug: str | None, identity_source: str) -> None:
    """Tell whether an identity (e.g. from a recovery envelope) opens this entity's objects.

    Exit status 0 when every identity given is a current key and opens the objects
    sealed to it; 1 otherwise.
    """
    from casework.cli import _pick_entity
    from casework.cli import _settings
    from core.services import keyrotation
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker

    settings = _settings()
    identities = _read_identities(identity_source)
    engine = make_engine(settings.database_url)
    ok = True
    try:
        with make_sessionmaker(engine)() as session:
            entity = _pick_entity(session, entity_slug)
            for identity in identities:
                result = keyrotation.check_identity(session, entity, identity)
                opens = f"opens {result.opened} of the {result.examined} sealed objects examined"
                if result.purpose is not None:
                    click.echo(
                        f"This is the current {result.purpose} key of {entity.name!r}: {opens}."
                    )
                    ok = ok and (result.opened > 0 or result.examined == 0)
                elif result.retired is not None:
                    click.echo(
                        f"This is a RETIRED {result.retired} key of {entity.name!r} (rotated "
                        f"out): {opens}. Use the newer recovery identity."
                    )
                    ok = False
                else:
                    click.echo(f"This identity is NOT a key of {entity.name!r}: {opens}.")
                    ok = False
    finally:
        engine.dispose()
    if not ok:
        sys.exit(1)

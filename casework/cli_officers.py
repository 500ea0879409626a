"""`integra officer add|grant|totp`: creating accounts, granting them keys, enrolling TOTP.

Registered on the `officer` group of casework/cli.py (list, deactivate, reset and set-role
are casework/cli_admin.py). Database modules are imported inside the commands, so that
`integra age …` starts without loading SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path

import click

from casework.cli import _pick_entity
from casework.cli import _settings
from casework.cli import officer
from core.law.enums import Role


@officer.command("add")
@click.argument("username")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), required=True, help="Account role."
)
@click.option("--entity", "entity_slug", default=None, help="Entity slug (when several).")
@click.option("--name", "display_name", default="", help="Full name shown in the app.")
def officer_add(username: str, role: str, entity_slug: str | None, display_name: str) -> None:
    """Create an account; prints a one-time password and the TOTP provisioning URI."""
    from core.access import officers
    from core.errors import DomainError
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            entity = _pick_entity(session, entity_slug)
            new = officers.add_officer(
                session,
                entity=entity,
                username=username,
                role=Role(role),
                kdf=settings.kdf,
                server_key=settings.secret_bytes("server_key"),
                display_name=display_name,
            )
            click.echo(f"Created {role} {new.officer.username!r} in {entity.name!r}.")
            click.echo(f"One-time password (change at first login): {new.password}")
            click.echo(f"TOTP provisioning URI: {new.totp_uri}")
            if Role(role) in (Role.OFFICER, Role.HEAD, Role.TITULAR):
                click.echo(
                    "This account cannot read cases until someone holding the office key "
                    "grants it (casework: Llaves → Generar código de concesión, or "
                    "`integra officer grant` with the recovery identity)."
                )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


@officer.command("grant")
@click.argument("username")
@click.option(
    "-i",
    "--identity",
    "identity_file",
    type=click.Path(exists=True, dir_okay=False),
    required=True,
    help="File with the recovery identity printed by `integra init`.",
)
@click.option(
    "--purpose",
    type=click.Choice(["office", "vault"]),
    default="office",
    show_default=True,
    help="office: case content; vault: complainant identity data (heads only).",
)
def officer_grant(username: str, identity_file: str, purpose: str) -> None:
    """Grant a key from the recovery identity: prints a one-time grant code.

    The officer redeems the code at their next login (Llaves → Recibir), which
    re-wraps the key under their own password. Nothing is stored unwrapped.
    """
    from sqlalchemy import select

    import crypto
    from core.access import grants
    from core.errors import DomainError
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope
    from core.storage.models import Officer

    settings = _settings()
    try:
        text = Path(identity_file).read_text(encoding="utf-8")
        identities = crypto.parse_identity_file(text)
    except (OSError, UnicodeDecodeError, crypto.AgeError) as exc:
        raise click.ClickException(f"cannot read an identity from {identity_file}: {exc}") from exc
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            grantee = session.scalar(select(Officer).where(Officer.username == username.lower()))
            if grantee is None:
                raise click.ClickException(f"no officer named {username!r}")
            expected = (
                grantee.entity.office_recipient
                if purpose == "office"
                else grantee.entity.vault_recipient
            )
            matching = [i for i in identities if i.recipient().to_string() == expected]
            if not matching:
                raise click.ClickException(
                    f"{identity_file} does not hold the {purpose} identity of "
                    f"{grantee.entity.name!r}"
                )
            code = grants.create_grant(
                session,
                settings,
                granter=None,
                grantee=grantee,
                purpose=purpose,
                identity=matching[0],
            )
    except DomainError as exc:
        raise click.ClickException(f"grant refused: {exc}") from exc
    finally:
        engine.dispose()
    click.echo(f"One-time grant code for {username} ({purpose} key): {code}")
    click.echo("Hand it over in person; it is redeemed at Llaves → Recibir after login.")


@officer.command("totp")
@click.argument("username")
def officer_totp(username: str) -> None:
    """Print the current TOTP code of an account (development and testing only)."""
    import datetime as dt

    from sqlalchemy import select

    from core.access import officers
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope
    from core.storage.models import Officer

    settings = _settings()
    if settings.is_production:
        raise click.ClickException("refused in production")
    engine = make_engine(settings.database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        account = session.scalar(select(Officer).where(Officer.username == username.lower()))
        if account is None:
            raise click.ClickException(f"no officer named {username!r}")
        secret = officers.officer_totp_secret(settings.secret_bytes("server_key"), account)
        assert secret is not None
        # A time step is accepted once: after a login in this step, print the next one's code
        # (the server accepts one step of clock drift each way).
        step = max(officers.totp_step(dt.datetime.now(dt.UTC)), account.totp_last_step + 1)
        click.echo(officers.totp_code(secret, step))
    engine.dispose()

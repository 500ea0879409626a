"""The `integra` command (README.md, "The integra command"): init, serve, officer, audit, age."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from config import ConfigError
from config import Settings
from config import load_settings
from core.law.enums import Role

# Database and domain modules are imported inside the commands that use them,
# so that `integra age …` starts without loading SQLAlchemy.
if TYPE_CHECKING:
    from core.access import entities
    from core.storage.models import Entity

DEMO_ENTITY = "Municipalidad Distrital de Demostración"
DEMO_USER = "demo"
DEMO_CREDENTIALS_FILE = "demo-credentials.txt"


class SetupError(click.ClickException):
    """The instance is missing or misconfigured: one line, exit status 2."""

    exit_code = 2


def _settings(*, create: bool = False) -> Settings:
    """Settings for a command. Only `integra init` creates an instance: every other command
    run outside it says so rather than leave an empty one behind (issue 12)."""
    try:
        settings = load_settings(create=create)
    except ConfigError as exc:
        raise SetupError(str(exc)) from exc
    url = settings.database_url
    if not create and url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        raise SetupError(
            f"no Integra database at {url[len('sqlite:///') :]}: run `integra init` first, or "
            "set INTEGRA_DATA_DIR / INTEGRA_DATABASE_URL to the instance you mean"
        )
    return settings


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


@click.group()
def cli() -> None:
    """Integra: anonymous whistleblower channel and case management (DL 1327)."""


@cli.command()
@click.option("--entity", "entity_name", default=None, help="Name of the entity (the OII's).")
@click.option("--demo", is_flag=True, help="Also create a demo entity and officer (development).")
@click.option(
    "--sheet-dir",
    type=click.Path(file_okay=False, exists=True, writable=True),
    default=None,
    help="Write printable recovery sheets (HTML with QR codes) of the new keys here.",
)
def init(entity_name: str | None, demo: bool, sheet_dir: str | None) -> None:
    """Create or upgrade the schema, and create the entity and its keys."""
    from sqlalchemy import select

    from core.access import entities
    from core.storage import migrate
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope
    from core.storage.models import Entity

    settings = _settings(create=True)
    if demo and settings.is_production:
        raise click.ClickException("--demo is refused when INTEGRA_ENV=production")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.data_dir, 0o700)
    engine = make_engine(settings.database_url)
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    if before == after:
        click.echo(f"Schema is up to date (revision {after}).")
    else:
        click.echo(f"Schema upgraded from {before or 'empty'} to {after}.")

    name = entity_name or (DEMO_ENTITY if demo else None)
    server_key = settings.secret_bytes("server_key")
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as session:
            entity = None
            if name:
                slug = entities.slugify(name)
                entity = session.scalar(select(Entity).where(Entity.slug == slug))
            elif session.scalar(select(Entity.id).limit(1)) is None:
                raise click.ClickException("No entity yet: run `integra init --entity NAME`.")
            if name and entity is not None:
                click.echo(f"Entity {entity.name!r} already exists; its keys were left untouched.")
            elif name:
                keys = entities.create_entity(
                    session, name=name, server_key=server_key, post_quantum=settings.post_quantum
                )
                entity = keys.entity
                click.echo(f"Created entity {entity.name!r} (slug {entity.slug}).")
                click.echo(f"Office recipient: {entity.office_recipient[:40]}…")
                click.echo("")
                click.echo("RECOVERY IDENTITIES — shown only now. Print them, store them offline")
                click.echo("(sealed envelope, safe), and never keep them on this server:")
                click.echo(f"  office: {keys.office.to_string()}")
                click.echo(f"  vault:  {keys.vault.to_string()}")
                click.echo("")
                if sheet_dir:
                    from casework.cli_keys import write_sheets

                    write_sheets(
                        Path(sheet_dir), entity, {"office": keys.office, "vault": keys.vault}
                    )
                if demo:
                    _create_demo_officer(session, settings, entity, keys)
            if demo:
                creds = settings.data_dir / DEMO_CREDENTIALS_FILE
                if creds.exists():
                    click.echo(creds.read_text(encoding="utf-8"), nl=False)
    finally:
        engine.dispose()


def _create_demo_officer(
    session: object, settings: Settings, entity: Entity, keys: entities.EntityKeys
) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from core.access import entities
    from core.access import officers
    from core.storage.models import Officer

    assert isinstance(session, Session)
    if session.scalar(select(Officer.id).where(Officer.username == DEMO_USER)) is not None:
        return
    password = "demo-" + officers.generate_password()
    new = officers.add_officer(
        session,
        entity=entity,
        username=DEMO_USER,
        role=Role.HEAD,
        kdf=settings.kdf,
        server_key=settings.secret_bytes("server_key"),
        display_name="Responsable OII (demo)",
        password=password,
    )
    # A demo account is enrolled already so it can log in at once.
    new.officer.must_change_password = False
    new.officer.totp_confirmed = True
    for purpose, identity in (("office", keys.office), ("vault", keys.vault)):
        entities.wrap_for_officer(
            session,
            officer=new.officer,
            purpose=purpose,
            identity=identity,
            passphrase=password,
            work_factor=settings.wrap_work_factor,
        )
    _write_private(
        settings.data_dir / DEMO_CREDENTIALS_FILE,
        "Demo login (development only):\n"
        f"  user:        {DEMO_USER}\n"
        f"  password:    {password}\n"
        f"  TOTP secret: {new.totp_secret}\n"
        f"  TOTP URI:    {new.totp_uri}\n"
        "  Current code: .venv/bin/integra officer totp demo\n",
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--intake-port", default=5000, show_default=True, type=int)
@click.option("--casework-port", default=5001, show_default=True, type=int)
def serve(host: str, intake_port: int, casework_port: int) -> None:
    """Development server for both apps, each in its own process."""
    from core.errors import SchemaOutOfDate
    from core.storage import migrate
    from core.storage.db import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        migrate.check_schema(engine)
    except SchemaOutOfDate as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    procs = [
        subprocess.Popen([sys.executable, "-m", app, "--host", host, "--port", str(port)])
        for app, port in (("reporting", intake_port), ("casework", casework_port))
    ]
    click.echo(f"Intake (denuncias):   http://{host}:{intake_port}/")
    click.echo(f"Casework (OII):       http://{host}:{casework_port}/login")
    click.echo("Press Ctrl+C to stop.")

    def _stop(*_: object) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, _stop)
    try:
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop()
        for proc in procs:
            proc.wait(timeout=10)
    codes = [proc.returncode for proc in procs]
    if any(code not in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes):
        raise click.ClickException(f"a server stopped unexpectedly (exit codes {codes})")


@cli.group()
def officer() -> None:
    """Manage officer accounts."""


def _pick_entity(session: object, slug: str | None) -> Entity:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from core.storage.models import Entity

    assert isinstance(session, Session)
    if slug:
        entity = session.scalar(select(Entity).where(Entity.slug == slug))
        if entity is None:
            raise click.ClickException(f"no entity with slug {slug!r}")
        return entity
    found = session.scalars(select(Entity).limit(2)).all()
    if not found:
        raise click.ClickException("no entity yet: run `integra init --entity NAME` first")
    if len(found) > 1:
        raise click.ClickException("several entities exist: choose one with --entity SLUG")
    return found[0]


@click.command(
    "age",
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def age_group(args: tuple[str, ...]) -> None:
    """age v1 file encryption (compatible with the age CLI)."""
    # The console script runs these without click (casework/entry.py); this entry keeps them
    # listed in `integra --help` and reachable from the group.
    from casework.cli_age import main as age_main

    status = age_main(args)
    if status:
        sys.exit(status)


def _register_optional() -> None:
    import casework.cli_admin  # noqa: F401 - registers officer, entity and case commands
    import casework.cli_entities  # noqa: F401 - entity add|list|disable|enable
    import casework.cli_officers  # noqa: F401 - officer add|grant|totp
    from casework.cli_audit import audit_group
    from casework.cli_backup import backup_group
    from casework.cli_deploy import deploy_group

    cli.add_command(audit_group)
    cli.add_command(backup_group)
    cli.add_command(deploy_group)
    cli.add_command(age_group)


_register_optional()

from casework.cli_calendar import calendar_group  # noqa: E402 (registered after the group)
from casework.cli_keys import keys_group  # noqa: E402 (registered after the group exists)
from casework.cli_periodic import notify_command  # noqa: E402
from casework.cli_periodic import periodic  # noqa: E402
from casework.cli_periodic import retention_group  # noqa: E402

cli.add_command(keys_group)
cli.add_command(calendar_group)
cli.add_command(periodic)
cli.add_command(notify_command)
cli.add_command(retention_group)


def _database_problem(exc: BaseException) -> str | None:
    """A one-line explanation for a database problem the operator can fix, else None."""
    from sqlalchemy import exc as sa_exc

    url = os.environ.get("INTEGRA_DATABASE_URL", "the default SQLite file")
    if "://" in url and "@" in url:  # never echo a password
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    if isinstance(exc, sa_exc.ArgumentError | sa_exc.NoSuchModuleError | ModuleNotFoundError):
        return (
            f"INTEGRA_DATABASE_URL ({url}) is not a supported database URL: use "
            "sqlite:///path/to/file.sqlite3 or postgresql://user@host/dbname"
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.ProgrammingError):
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
            return "the database has no Integra schema yet: run `integra init` first"
        return f"cannot use the database at {url}: {detail}"
    if isinstance(exc, sa_exc.InterfaceError):
        return f"cannot use the database at {url}: {exc.orig}"
    return None


def main() -> None:
    """Entry point: database problems become one clear line and exit status 2."""
    try:
        cli(prog_name="integra")
    except Exception as exc:
        message = _database_problem(exc)
        if message is None:
            raise
        click.echo(f"integra: error: {message}", err=True)
        sys.exit(2)

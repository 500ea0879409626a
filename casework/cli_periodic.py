"""`integra periodic` (the one command the systemd timer runs, core.services.periodic) and
`integra retention run` (core.services.retention)."""

from __future__ import annotations

import sys

import click


@click.command("periodic")
def periodic() -> None:
    """Run the periodic steps (purges, retention, notices); exit 1 if any step failed."""
    from casework.cli import _settings
    from core.services import periodic as job
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        results = job.run(make_sessionmaker(engine), settings)
    finally:
        engine.dispose()
    for result in results:
        click.echo(f"{result.name}: {'ok' if result.ok else 'FAILED'}: {result.summary}")
    if not all(r.ok for r in results):
        sys.exit(1)


@click.command("notify")
def notify_command() -> None:
    """Send the officers' deadline notices now (also a step of `integra periodic`)."""
    from casework.cli import _settings
    from core.services import periodic as job
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        (result,) = job.run(
            make_sessionmaker(engine), settings, steps=[job.Step("notify", job.send_notices)]
        )
    finally:
        engine.dispose()
    click.echo(f"notify: {'ok' if result.ok else 'FAILED'}: {result.summary}")
    if not result.ok:
        sys.exit(1)


@click.group("retention")
def retention_group() -> None:
    """Retention of ended cases (docs/workflow.md, "Retention")."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only list the cases that are due.")
def retention_run(dry_run: bool) -> None:
    """Shred ended cases past their retention period (not on hold, no open clock)."""
    from casework.cli import _settings
    from core.services import retention
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope
    from core.storage.db import utcnow

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            due = retention.run(session, now=utcnow(), dry_run=dry_run)
            for item in due:
                click.echo(
                    f"{item.case.code}: {item.case.state.value}, ended {item.ended_on}, "
                    f"kept until {item.keep_until}"
                )
    finally:
        engine.dispose()
    verb = "due (dry run, nothing shredded)" if dry_run else "shredded"
    click.echo(f"{len(due)} cases {verb}.")


@retention_group.command("set")
@click.option(
    "--outcome", type=click.Choice(["concluida", "archivada_desistimiento"]), required=True
)
@click.option("--years", type=click.IntRange(1, 100), required=True)
@click.option("--entity", "entity_slug", default=None, help="Entity slug (when several).")
def retention_set(outcome: str, years: int, entity_slug: str | None) -> None:
    """Keep cases ended with OUTCOME for YEARS after they end (the entity's own schedule)."""
    from casework.cli import _pick_entity
    from casework.cli import _settings
    from core.law.enums import CaseState
    from core.services import retention
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            entity = _pick_entity(session, entity_slug)
            retention.set_rule(
                session, entity_id=entity.id, outcome=CaseState(outcome), years=years
            )
    finally:
        engine.dispose()
    click.echo(f"Cases ended as {outcome} are kept {years} years after they end.")

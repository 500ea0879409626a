"""`integra periodic`: the one command the systemd timer runs (core.services.periodic)."""

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

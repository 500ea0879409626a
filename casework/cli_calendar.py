"""`integra calendar add|remove|list --national`: the non-working days a PCM decree declares
for the whole public sector, entered once for every entity (core.services.calendar_admin).

An entity's own non-working days are entered by its administrator in the casework app.
"""

from __future__ import annotations

import datetime as dt
import sys

import click


def _national_only(national: bool) -> None:
    if not national:
        click.echo(
            "Only national days are managed here (--national); an entity's own days are "
            "entered by its administrator in the casework app.",
            err=True,
        )
        sys.exit(2)


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("a date as YYYY-MM-DD", param_hint="DAY") from None


@click.group("calendar")
def calendar_group() -> None:
    """National non-working days (PCM decrees); adding or removing one moves open clocks."""


def _run(action: str, day: dt.date | None, reason: str = "") -> None:
    from casework.cli import _settings
    from core.errors import DomainError
    from core.services import calendar_admin
    from core.storage.db import make_engine
    from core.storage.db import make_sessionmaker
    from core.storage.db import session_scope
    from core.storage.db import utcnow

    engine = make_engine(_settings().database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            if action == "list":
                for row in calendar_admin.list_national_days(session):
                    click.echo(f"{row.day.isoformat()}  {row.reason}")
                return
            assert day is not None
            try:
                if action == "add":
                    moved = calendar_admin.add_national_day(
                        session, day, reason=reason, now=utcnow(), actor="cli"
                    )
                else:
                    moved = calendar_admin.remove_national_day(
                        session, day, now=utcnow(), actor="cli"
                    )
            except DomainError as exc:
                click.echo(str(exc), err=True)
                sys.exit(1)
    finally:
        engine.dispose()
    cases = len({m.case_id for m in moved})
    verb = "added" if action == "add" else "removed"
    click.echo(
        f"National non-working day {day.isoformat()} {verb}; "
        f"{len(moved)} open clocks moved in {cases} cases."
    )


@calendar_group.command("add")
@click.argument("day")
@click.option("--national", is_flag=True, help="A day declared for the whole public sector.")
@click.option("--reason", default="", help="The decree, e.g. 'D.S. 0xx-2027-PCM'.")
def calendar_add(day: str, national: bool, reason: str) -> None:
    """Declare DAY (YYYY-MM-DD) a national non-working day."""
    _national_only(national)
    _run("add", _day(day), reason)


@calendar_group.command("remove")
@click.argument("day")
@click.option("--national", is_flag=True, help="A day declared for the whole public sector.")
def calendar_remove(day: str, national: bool) -> None:
    """Withdraw DAY (YYYY-MM-DD) from the national non-working days."""
    _national_only(national)
    _run("remove", _day(day))


@calendar_group.command("list")
@click.option("--national", is_flag=True, help="A day declared for the whole public sector.")
def calendar_list(national: bool) -> None:
    """List the national non-working days."""
    _national_only(national)
    _run("list", None)

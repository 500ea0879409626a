"""`integra calendar add|remove|list --national` (issue 11 item 6): a PCM decree entered once
for every entity, and the open clocks it moves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from test_cli import _session
from test_cli import fresh_db  # noqa: F401 - fixture
from test_cli import run  # noqa: F401 - fixture

from core.storage.models import AuditEntry
from core.storage.models import Deadline
from core.storage.models import NationalNonWorkingDay


def test_calendar_national_add_list_remove(run, fresh_db):  # noqa: F811
    assert run("init", "--entity", "Municipalidad de Prueba").exit_code == 0
    added = run("calendar", "add", "2027-11-02", "--national", "--reason", "D.S. 0xx-2027-PCM")
    assert added.exit_code == 0, added.output
    assert "2027-11-02 added; 0 open clocks moved in 0 cases" in added.output
    again = run("calendar", "add", "2027-11-02", "--national")
    assert again.exit_code == 1
    listed = run("calendar", "list", "--national")
    assert "2027-11-02  D.S. 0xx-2027-PCM" in listed.output
    with _session(fresh_db) as session:
        assert session.scalars(select(NationalNonWorkingDay.day)).all() == [dt.date(2027, 11, 2)]
        assert "calendar.national_day_added" in session.scalars(select(AuditEntry.action)).all()
    removed = run("calendar", "remove", "2027-11-02", "--national")
    assert removed.exit_code == 0, removed.output
    assert run("calendar", "remove", "2027-11-02", "--national").exit_code == 1
    with _session(fresh_db) as session:
        assert session.scalars(select(NationalNonWorkingDay)).all() == []
        assert session.scalars(select(Deadline)).all() == []


def test_calendar_without_national_points_to_the_casework_app(run):  # noqa: F811
    result = run("calendar", "add", "2027-11-02")
    assert result.exit_code == 2
    assert "casework app" in result.output
    bad = run("calendar", "add", "2/11/2027", "--national")
    assert bad.exit_code == 2

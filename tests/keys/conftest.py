"""Keys and data over the years: these tests run the `integra` CLI in subprocesses, so each
gets a database of its own (tests/own_database.py)."""

from own_database import database_url  # noqa: F401
from own_database import engine  # noqa: F401

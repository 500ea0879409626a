"""The attack of issue 9, as the departed officer would run it: a copy of the database
and their password, nothing else (no server key, no session cookie).

It unwraps every wrapped-key row it can with the password (their own copies and pending
grants alike) and tries each identity it gets on a case's sealed report.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy import text

import crypto


def identities_from_database(engine: Engine, password: str) -> list[crypto.Identity]:
    found: list[crypto.Identity] = []
    with engine.connect() as conn:
        for (blob,) in conn.execute(text("SELECT blob FROM wrapped_keys")):
            try:
                found.append(crypto.unwrap_identity(bytes(blob), password, max_work_factor=22))
            except crypto.AgeError:
                continue
    return found


def case_ciphertext(engine: Engine, case_id: int) -> bytes:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT blob_chunks.data FROM blob_chunks JOIN cases "
                "ON cases.report_blob_id = blob_chunks.blob_id "
                "WHERE cases.id = :case ORDER BY blob_chunks.seq"
            ),
            {"case": case_id},
        )
        return b"".join(bytes(r[0]) for r in rows)


def open_report(
    engine: Engine,
    case_id: int,
    password: str,
    extra: list[crypto.Identity] = (),  # type: ignore[assignment]
) -> bytes | None:
    """The report's plaintext if the password (plus any identity copied earlier) opens it."""
    identities = identities_from_database(engine, password) + list(extra)
    if not identities:
        return None
    try:
        return crypto.decrypt(case_ciphertext(engine, case_id), identities)
    except crypto.NoIdentityMatch:
        return None

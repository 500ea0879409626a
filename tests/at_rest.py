"""What is at rest, for the plaintext canary tests (invariant 1): every stored database value
as bytes (text, bytea/blob and JSON alike)."""

from __future__ import annotations

import json
from typing import Any

from core.storage.db import Base


def db_values(engine: Any) -> list[bytes]:
    """Every stored value of every table, as bytes."""
    out: list[bytes] = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, bytes | bytearray | memoryview):
                        out.append(bytes(value))
                    elif isinstance(value, dict | list):
                        out.append(json.dumps(value, ensure_ascii=False).encode())
                    else:
                        out.append(str(value).encode())
    return out

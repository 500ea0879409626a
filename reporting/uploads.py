"""Uploads stay in memory: Werkzeug would spool files over 500 KB to a clear temp file.

The request body is already bounded by MAX_CONTENT_LENGTH, so keeping each file part
in a BytesIO costs at most that much memory per request, and nothing a complainant
uploads ever touches the disk before it is sealed (docs/threat-model.md, invariant 1).
The draft code takes the bytes over from the BytesIO without copying them
(reporting.evidence_review), so a file is held once (docs/performance.md, "Upload memory").
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request


class InMemoryRequest(Request):
    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()

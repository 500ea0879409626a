"""A case as plain age files, for the archive or another tool (`integra case export`).

Nothing is decrypted: the files are exactly what the database holds, readable with `age`
(>= 1.3 for the post-quantum identities) or `integra age decrypt` and the right identity:
the report, the attachments and their metadata, the messages both ways and, separately, the
identity document (vault key only). The manifest lists each file with its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.errors import NotFound
from core.storage import audit
from core.storage.blobs import iter_ciphertext
from core.storage.models import Blob
from core.storage.models import Case


def export_case(session: Session, case: Case, out: Path) -> dict[str, Any]:
    """Write the case's sealed files and manifest.json into `out` (created, must be empty)."""
    if case.report_blob_id is None:
        raise NotFound("the case was shredded under its retention rule: nothing to export")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    files: list[dict[str, str]] = []

    def write(name: str, chunks: Any, kind: str, sealed_to: str, framing: str = "") -> None:
        digest = hashlib.sha256()
        fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                digest.update(chunk)
                fh.write(chunk)
        entry = {"file": name, "kind": kind, "sealed_to": sealed_to, "sha256": digest.hexdigest()}
        if framing:
            # core/storage/padding.py: a one-member tar archive padded with zero blocks.
            entry["framing"] = f"{framing}: age -d -i IDENTITY {name} | tar -x"
        files.append(entry)

    write("denuncia.age", iter_ciphertext(session, case.report_blob_id), "report", "office")
    if case.identity_blob_id is not None:
        write("identidad.age", iter_ciphertext(session, case.identity_blob_id), "identity", "vault")
    for n, att in enumerate(sorted(case.attachments, key=lambda a: a.id), start=1):
        blob = session.get(Blob, att.blob_id)
        write(
            f"adjunto-{n:02d}.age",
            iter_ciphertext(session, att.blob_id),
            "attachment",
            "office",
            blob.framing if blob is not None else "",
        )
        write(f"adjunto-{n:02d}-metadatos.age", [att.meta_sealed], "attachment metadata", "office")
    for n, msg in enumerate(sorted(case.messages, key=lambda m: m.id), start=1):
        write(f"mensaje-{n:03d}.age", [msg.body_sealed], f"message {msg.direction.value}", "office")
    manifest = {
        "format": "integra-case-export/v1",
        "case": case.code,
        # Case codes are counted per entity: the code alone does not say whose case it is.
        "entity": {"slug": case.entity.slug, "name": case.entity.name},
        "filed_at": case.filed_at.isoformat(),
        "state": case.state.value,
        "files": files,
        "read_with": "age -d -i OFFICE_OR_VAULT_IDENTITY FILE (age >= 1.3), or integra age decrypt",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    audit.record(
        session,
        action="case.exported",
        actor="cli",
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"files": len(files)},
    )
    return manifest

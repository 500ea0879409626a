"""The complainant's choice per file, after seeing what it carries before and after cleaning.

Shared by filing (reporting.filing_pages) and evidence added later from the follow-up page
(reporting.followup_pages): both seal uploads into drafts (reporting.drafts), show the
review (templates/_file_review.html) and then turn the drafts into evidence here:

- a file that can be cleaned is cleaned (core.files.review), unless the person ticked
  "keep the original" (`keep_original` = its id);
- a file that cannot be cleaned needs an explicit answer (`choice-<id>` = `keep` to send
  it as it is, or `remove` to leave it out); without one, nothing is sent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field
from typing import BinaryIO
from typing import cast

from flask import request
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

import crypto
from core.files import metadata
from core.files import policy
from core.files.owned import Owned
from core.services import intake
from reporting import common
from reporting import drafts

CHOICE_PREFIX = "choice-"
KEEP = "keep"
REMOVE = "remove"


@dataclass
class Prepared:
    uploads: list[intake.UploadedEvidence] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)  # drafts to delete once sent
    problems: list[str] = field(default_factory=list)


def store_uploads(
    db: Session, key: crypto.Identity, files: list[FileStorage], *, count: int, total: int
) -> tuple[list[drafts.DraftFile], list[str]]:
    """Screen and seal new uploads into drafts (examined on arrival: before and after
    lists); return them and the refusals (Spanish, per file)."""
    errors: list[str] = []
    added: list[drafts.DraftFile] = []
    for storage in files:
        if not storage or not storage.filename:
            continue
        name = metadata.safe_filename(storage.filename)
        data = _take(storage)
        error = common.screen_upload(name, data.peek(), count=count, total=total)
        if error is not None:
            errors.append(error)
            continue
        total += data.size
        added.append(
            drafts.store_file(
                db, key, filename=name, content_type=policy.content_type(name), data=data
            )
        )
        count += 1
    return added, errors


def _take(storage: FileStorage) -> Owned:
    """The uploaded bytes, handed over: the request's in-memory file (reporting.uploads) is
    closed, so the draft's cleaner holds the only reference and can free them early."""
    stream = storage.stream
    data = stream.getvalue() if isinstance(stream, io.BytesIO) else stream.read()
    stream.close()
    return Owned(data)


def _cleaning_failed(name: str) -> str:
    return str(
        _(
            "No pudimos quitar los datos ocultos de «%(name)s». Quite el "
            "archivo, o en la revisión marque «Conservar el archivo original».",
            name=name,
        )
    )


def _upload_of_early_draft(
    db: Session,
    header: drafts.DraftFile,
    key: crypto.Identity,
    *,
    cleaned: bool,
    removed: tuple[str, ...],
) -> intake.UploadedEvidence | None:
    """A draft written before drafts kept their cleaned copy: the original in memory,
    cleaned now if chosen (None: it could not be)."""
    _header, data = drafts.read_file(db, header.blob_id, key)
    if cleaned:
        out = policy.clean(data, policy.extension(header.filename))
        if out is None:
            return None
        data = out
    return intake.UploadedEvidence(
        filename=header.filename,
        content_type=header.content_type,
        stream=io.BytesIO(data),
        size=len(data),
        metadata_removed=removed,
        original_sha256=header.sha256,
    )


def posted_choice_names() -> set[str]:
    """Form fields of the review choices (never re-posted as complaint fields)."""
    return {k for k in request.form if k.startswith(CHOICE_PREFIX)}


def prepare(db: Session, blob_ids: list[int], key: crypto.Identity) -> Prepared:
    """Open each draft and apply the person's choice; problems are Spanish sentences."""
    keep = common.ids(request.form.getlist("keep_original"))
    result = Prepared()
    present = {f.blob_id: f for f in drafts.list_files(db, blob_ids, key)}
    for blob_id in blob_ids:
        header = present.get(blob_id)
        if header is None:
            # Never send silently without a file the person chose.
            result.problems.append(
                _(
                    "Uno de los archivos adjuntados ya no está disponible (pasó demasiado "
                    "tiempo). Revise la lista de archivos y vuelva a adjuntarlo."
                )
            )
            continue
        result.opened.append(blob_id)
        removed: tuple[str, ...] = ()
        cleaned = False
        if header.needs_choice:
            choice = request.form.get(f"{CHOICE_PREFIX}{blob_id}")
            if choice == REMOVE:
                continue
            if choice != KEEP:
                result.problems.append(
                    _(
                        "Elija qué hacer con «%(name)s»: enviarlo tal como está o quitarlo.",
                        name=header.filename,
                    )
                )
                continue
        elif header.removable and blob_id not in keep:
            cleaned = True
            removed = tuple(dict.fromkeys(f for f, _v in header.findings))
        if header.cleaned_size is None:
            upload = _upload_of_early_draft(db, header, key, cleaned=cleaned, removed=removed)
            if upload is None:
                result.problems.append(_cleaning_failed(header.filename))
            else:
                result.uploads.append(upload)
            continue
        # The reviewed copy, streamed from the draft while it is sealed to the office.
        result.uploads.append(
            intake.UploadedEvidence(
                filename=header.filename,
                content_type=header.content_type,
                stream=cast(BinaryIO, drafts.open_part(db, header, key, cleaned=cleaned)),
                size=header.cleaned_size if cleaned else header.size,
                metadata_removed=removed,
                original_sha256=header.sha256,
            )
        )
    return result

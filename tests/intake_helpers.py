"""Helpers for driving the intake with the Flask test client."""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient

# The receipt is shown as four <span class="group"> elements joined by hyphens.
_GROUP = r'<span class="group">([0-9A-Z]{4})</span>'
_RECEIPT_HTML = re.compile(r'id="receipt">' + "-".join([_GROUP] * 4) + "</p>")


class _ReceiptMatch:
    def __init__(self, groups: tuple[str, ...]) -> None:
        self._text = "-".join(groups)

    def group(self, index: int = 0) -> str:
        assert index in (0, 1)
        return self._text


class _ReceiptPattern:
    """`RECEIPT_RE.search(html).group(1)` gives the receipt as the person reads it."""

    def search(self, html: str) -> _ReceiptMatch | None:
        found = _RECEIPT_HTML.search(html)
        return _ReceiptMatch(found.groups()) if found else None


RECEIPT_RE = _ReceiptPattern()
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def complaint_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "modality": "anonima",
        "motives": ["contratacion_irregular"],
        "facts": "El jefe de logística direccionó la compra de combustible.",
        "occurred_when": "Enero de 2026",
        "occurred_where": "Oficina de Logística",
        "persons-0-name": "",
        "persons-0-post": "Jefe de Logística",
        "persons-1-name": "",
        "persons-1-post": "",
        "witnesses": "",
        "documents_location": "",
        "commitment": "y",
        "document_type": "DNI",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def with_files(data: dict[str, Any], files: list[tuple[str, bytes]]) -> dict[str, Any]:
    out = dict(data)
    out["files"] = [(io.BytesIO(content), name) for name, content in files]
    return out


def hidden_fields(html: str) -> list[tuple[str, str]]:
    import html as htmlmod

    pairs = [(k, htmlmod.unescape(v)) for k, v in HIDDEN_RE.findall(html)]
    token = TOKEN_RE.search(html)
    if token:
        pairs.append(("csrf_token", token.group(1)))
    return pairs


def file_review(client: FlaskClient, data: dict[str, Any]) -> str:
    """POST the form for review; return the review page HTML."""
    resp = client.post("/denunciar", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    html = resp.get_data(as_text=True)
    assert "Revise su denuncia antes de enviarla" in html, html[:3000]
    return html


def submit_review(client: FlaskClient, html: str, keep: list[str] | None = None) -> str:
    """Re-post the hidden fields of a review page to the submission URL."""
    from werkzeug.datastructures import MultiDict

    fields = MultiDict(hidden_fields(html))
    for value in keep or []:
        fields.add("keep_original", value)
    resp = client.post("/denunciar/enviar", data=fields)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:3000]
    return resp.get_data(as_text=True)


def file_complaint(client: FlaskClient, data: dict[str, Any] | None = None) -> tuple[str, str]:
    """File a complaint end to end; return (receipt, confirmation html)."""
    client.get("/denunciar")
    html = file_review(client, data or complaint_data())
    confirmation = submit_review(client, html)
    match = RECEIPT_RE.search(confirmation)
    assert match, confirmation[:3000]
    return match.group(1), confirmation


def send_followup_evidence(
    client: FlaskClient,
    body: Any,
    content_type: str,
    *,
    keep: list[str] | None = None,
    choices: dict[str, str] | None = None,
) -> tuple[str, Any]:
    """Upload evidence on the follow-up page, then send it from its review page.

    Returns (review page html, response of the send). `keep` lists blob ids whose original
    is kept; `choices` maps blob id -> "keep"/"remove" for files that cannot be cleaned.
    """
    from werkzeug.datastructures import MultiDict

    review = client.post("/seguimiento/pruebas", data=body, content_type=content_type)
    assert review.status_code == 200, review.get_data(as_text=True)[:2000]
    html = review.get_data(as_text=True)
    assert "Revise los archivos antes de enviarlos" in html, html[:2000]
    fields = MultiDict(hidden_fields(html))
    for value in keep or []:
        fields.add("keep_original", value)
    for blob_id, choice in (choices or {}).items():
        fields.add(f"choice-{blob_id}", choice)
    return html, client.post("/seguimiento/pruebas/enviar", data=fields)

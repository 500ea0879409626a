"""A printable recovery sheet: one identity, as text and as a QR code, in one HTML page.

Written only where the operator asks (`--sheet PATH`, e.g. a removable drive), never into
the data directory: the sheet is the key (docs/operations.md, "Recovery identities").
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
from pathlib import Path

import segno

import crypto


def render(*, entity_name: str, slug: str, purpose: str, identity: crypto.Identity) -> str:
    secret = identity.to_string()
    qr = segno.make(secret, error="m")
    svg = io.BytesIO()
    qr.save(svg, kind="svg", scale=4, border=4, xmldecl=False, svgns=True)
    label = {"office": ("oficina", "office"), "vault": ("bóveda", "vault")}[purpose]
    recipient = identity.recipient().to_string()
    groups = " ".join(secret[i : i + 8] for i in range(0, len(secret), 8))
    today = dt.date.today().isoformat()
    e = html.escape
    return f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8">
<title>Identidad de recuperación / Recovery identity</title>
<style>
body {{ font-family: sans-serif; margin: 2cm; }}
.secret {{ font-family: monospace; font-size: 11pt; word-break: break-all; }}
.recipient {{ font-family: monospace; font-size: 8pt; word-break: break-all; }}
</style></head><body>
<h1>Identidad de recuperación — llave de {e(label[0])}</h1>
<p lang="en"><em>Recovery identity — {e(label[1])} key</em></p>
<p>Entidad / <span lang="en">Entity</span>: <strong>{e(entity_name)}</strong> ({e(slug)})<br>
Fecha / <span lang="en">Date</span>: {e(today)}</p>
<p>Quien tenga esta hoja puede leer todo lo sellado con esta llave. Guárdela en un sobre
cerrado y firmado, en una caja fuerte, y nunca en el servidor. Compruebe el sobre con
<code>integra keys check -i -</code>.</p>
<p lang="en">Whoever holds this sheet can read everything sealed to this key. Keep it in a
sealed, signed envelope in a safe, never on the server. Check the envelope with
<code>integra keys check -i -</code>.</p>
<div>{svg.getvalue().decode("utf-8")}</div>
<p class="secret">{e(secret)}</p>
<p class="secret">{e(groups)}</p>
<p>Llave pública / <span lang="en">Public key</span>:</p>
<p class="recipient">{e(recipient)}</p>
</body></html>
"""


def write(path: Path, text: str) -> None:
    """Create the sheet readable by its owner only; refuse to overwrite a file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)

"""The readable acuse: date in Lima time in words, every attachment with its hashes, verified."""

from __future__ import annotations

import hashlib
import json

from intake_helpers import complaint_data
from intake_helpers import file_complaint
from intake_helpers import with_files

from core.services import intake


def test_the_readable_acuse_lists_each_file_hash_and_says_what_it_proves(client, ent):
    file_complaint(client, with_files(complaint_data(), [("nota.txt", b"contenido de prueba")]))
    page = client.get("/acuse").get_data(as_text=True)
    document = json.loads(client.get("/acuse.json").get_data(as_text=True))
    assert document["type"] == "integra-acuse-de-recibo/v2"
    assert intake.verify_acknowledgement(document, ent.entity.signing_public_key)
    digest = hashlib.sha256(b"contenido de prueba").hexdigest()
    assert document["attachments"][0]["sha256_received"] == digest
    assert digest in page
    assert document["entity_name"] in page
    assert document["filed_at_words"].split(",")[0] in page  # e.g. "28 de noviembre de 2026"
    assert "(hora de Lima)" in page
    assert "prueba que la Oficina recibió su denuncia" in page
    assert "La firma es válida." in page
    english = client.get("/acuse?lang=en").get_data(as_text=True)
    assert "(Lima time)" in english

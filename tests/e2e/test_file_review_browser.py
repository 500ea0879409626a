"""What each file carries, before and after cleaning, in a real browser (Debian Chromium,
JavaScript off, 360 px): a Word document with a comment author and an MP3 with tags are
cleaned by mat2 in its sandbox; the review page shows the canary before and nothing after;
the stored files hold no canary. Evidence added later on the follow-up page gets the same
review and choice (issue 10 deliverable 3, issue 12)."""

from __future__ import annotations

import shutil

import pytest
from evidence_samples import audio
from evidence_samples import docx
from evidence_samples import require_ffmpeg
from factories import make_entity
from peers import require_peer
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.storage import blobs
from core.storage.models import Case

pytestmark = pytest.mark.e2e

CANARY_DOC = "Autora Canario-Docx-8830"
CANARY_MP3 = "Grabado por Canario-Mp3-4471"


def test_files_reviewed_before_and_after_at_filing_and_on_follow_up(
    browser, settings, clean_engine, tmp_path
):
    require_peer("mat2", shutil.which("mat2") is not None, "install the Debian package 'mat2'")
    require_ffmpeg()
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        s.commit()
    document = docx(CANARY_DOC)
    song = audio(CANARY_MP3, "mp3")
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context = browser.new_context(
            java_script_enabled=False, locale="es-PE", viewport={"width": 360, "height": 740}
        )
        page = context.new_page()
        page.goto(base + "/denunciar")
        page.wait_for_load_state("load")
        page.check("input[name=motives][value=contratacion_irregular]")
        page.fill(
            "#facts", "El jefe de compras favorece a la empresa de su cuñado en cada concurso."
        )
        page.fill("#persons-0-post", "Jefe de Compras")
        page.set_input_files(
            "#files",
            [
                {
                    "name": "informe.docx",
                    "mimeType": "application/octet-stream",
                    "buffer": document,
                },
                {"name": "audio.mp3", "mimeType": "audio/mpeg", "buffer": song},
            ],
        )
        page.check("#commitment")
        page.click("button[name=action][value=review]:not(.default-action)")
        # Before: what each file carries; after: nothing left.
        before = page.inner_text(
            ".file-review:has(.filename:text('informe.docx')) .findings-before"
        )
        assert "Canario-Docx-8830" in before
        after = page.inner_text(".file-review:has(.filename:text('informe.docx')) .findings-after")
        assert "Canario" not in after
        mp3_before = page.inner_text(
            ".file-review:has(.filename:text('audio.mp3')) .findings-before"
        )
        assert "Canario-Mp3-4471" in mp3_before
        page.click('button:has-text("Enviar la denuncia")')
        receipt = page.inner_text("#receipt").strip()

        # Later, on the follow-up page: the same review for new evidence.
        page.goto(base + "/seguimiento")
        page.fill("input[name=receipt]", receipt)
        page.click("text=Ingresar")
        page.set_input_files(
            "input[type=file]",
            [{"name": "anexo.docx", "mimeType": "application/octet-stream", "buffer": document}],
        )
        page.click("form:has(input[type=file]) button[type=submit]")
        review = page.inner_text("main")
        assert "anexo.docx" in review and "Canario-Docx-8830" in review
        assert "No queda ningún dato oculto." in review
        page.click('button:has-text("Enviar archivos cifrados")')
        assert "anexo.docx" in page.inner_text("main")
        context.close()

    # What was stored holds no canary: the cleaned versions were kept.
    with Session(clean_engine) as s:
        case = s.scalars(select(Case)).one()
        stored = [blobs.read_plaintext(s, a.blob_id, [ent.office]) for a in case.attachments]
    assert len(stored) == 3
    for data in stored:
        assert b"Canario-Docx-8830" not in data and b"Canario-Mp3-4471" not in data

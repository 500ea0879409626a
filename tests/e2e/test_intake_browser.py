"""End to end in a real browser (Debian Chromium, JavaScript disabled) against a real
intake server process: file with two attachments, decrypt what was stored, come back."""

from __future__ import annotations

import io
import json

import pytest
from factories import make_entity
from PIL import Image
from servers import intake_server
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.services.messages import post_message
from core.services.messages import read_attachment_meta
from core.services.messages import read_message
from core.storage.blobs import read_plaintext
from core.storage.models import Case
from core.storage.models import Message

pytestmark = pytest.mark.e2e


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (16, 16), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "MarcaTelefono"
    exif[0x0110] = "Modelo-X1"
    exif[0x8825] = {1: "S", 2: (12.0, 3.0, 0.0), 3: "W", 4: (77.0, 2.0, 0.0)}
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_file_follow_up_and_reply_without_javascript(browser, settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        s.commit()
    photo = jpeg_with_gps()
    files = [
        {"name": "foto-obra.jpg", "mimeType": "image/jpeg", "buffer": photo},
        {"name": "resumen.txt", "mimeType": "text/plain", "buffer": "Gastos inflados ñ".encode()},
    ]
    facts = (
        "El residente de obra firmó valorizaciones por trabajos no ejecutados.\n"
        'Línea 2: "comillas", <etiquetas> & ampersand.'
    )
    with intake_server(settings, tmp_path / "tmp", tmp_path / "server.log") as (base, _proc):
        context = browser.new_context(
            java_script_enabled=False, locale="es-PE", viewport={"width": 360, "height": 740}
        )
        page = context.new_page()
        # Given a person on a phone-sized screen without JavaScript
        page.goto(base + "/")
        assert context.cookies() == []  # no cookie before starting
        page.click("text=Presentar una denuncia")
        # click() returns once navigation commits; the stylesheet hides fields, so wait for it
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # Identity fields are hidden while "anónima" is chosen (CSS only, no JavaScript)
        assert page.is_checked("#modality-0") and not page.is_visible("#full_name")
        page.check("input[name=modality][value=con_reserva]")
        assert page.is_visible("#full_name")
        page.check("input[name=modality][value=anonima]")
        page.check("input[name=motives][value=contratacion_irregular]")
        page.check("input[name=motives][value=apropiacion_recursos]")
        page.fill("#facts", facts)
        page.fill("#occurred_when", "Febrero de 2026")
        page.fill("#occurred_where", "Obra del puente, distrito de Ate")
        page.fill("#persons-0-post", "Residente de obra")
        page.fill("#persons-1-name", "Juan Pérez")
        page.set_input_files("#files", files)
        page.check("#commitment")
        # When they review
        page.click("button[name=action][value=review]:not(.default-action)")
        # click() returns once the navigation commits: wait for the review page itself (the
        # upload is reviewed on the server before it answers, longer on a busy machine)
        page.wait_for_load_state("load")
        assert "Revise su denuncia" in page.content()
        body = page.inner_text("main")
        assert "Ubicación GPS" in body and "Modelo-X1" in body  # hidden metadata shown
        assert "foto-obra.jpg" in body and "resumen.txt" in body
        # And submit (metadata removal is the default)
        page.click("text=Enviar la denuncia")
        receipt = page.inner_text("#receipt").strip()
        case_code = page.inner_text(".case-code").strip()
        assert len(receipt) == 19
        # The page is usable at 360 px: nothing wider than the viewport.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
        page.check("#written_down")
        page.click("text=Terminar")
        assert "Gracias" in page.content()
        context.close()

        # Then the stored case decrypts with the office identity to exactly what was entered
        with Session(clean_engine, expire_on_commit=False) as s:
            case = s.scalars(select(Case)).one()
            assert case.code == case_code
            report = json.loads(read_plaintext(s, case.report_blob_id, [ent.office]))
            assert report["facts"] == facts
            assert report["motives"] == ["apropiacion_recursos", "contratacion_irregular"] or set(
                report["motives"]
            ) == {"apropiacion_recursos", "contratacion_irregular"}
            assert report["persons_reported"] == [
                {"name": "", "post": "Residente de obra"},
                {"name": "Juan Pérez", "post": ""},
            ]
            stored = {}
            for att in case.attachments:
                meta = read_attachment_meta(att, [ent.office])
                stored[meta["filename"]] = (meta, read_plaintext(s, att.blob_id, [ent.office]))
            assert stored["resumen.txt"][1] == "Gastos inflados ñ".encode()
            meta, clean = stored["foto-obra.jpg"]
            assert "gps" in meta["metadata_removed"]
            with Image.open(io.BytesIO(clean)) as im:
                assert dict(im.getexif()) == {}
                assert im.size == (16, 16)
            # An officer posts a message through core
            post_message(
                s,
                case,
                direction=MessageDirection.TO_COMPLAINANT,
                kind=MessageKind.MESSAGE,
                body="Gracias. ¿Tiene copia de las valorizaciones?",
                officer_id=None,
                now=case.filed_at,
            )
            s.commit()

        # A second visit with the receipt (typed loosely) shows the state and the message
        context = browser.new_context(java_script_enabled=False, locale="es-PE")
        page = context.new_page()
        page.goto(base + "/seguimiento")
        page.fill("input[name=receipt]", receipt.lower().replace("-", " "))
        page.click("text=Ingresar")
        text = page.inner_text("main")
        assert case_code in text
        assert "Estado" in text
        assert "¿Tiene copia de las valorizaciones?" in text
        page.fill("#body", "Sí, las adjuntaré esta semana.")
        page.click("text=Enviar mensaje cifrado")
        assert "Su mensaje fue enviado cifrado." in page.inner_text("main")  # after a redirect
        page.click("text=Salir")
        context.close()

    with Session(clean_engine) as s:
        reply = s.scalars(
            select(Message).where(Message.direction == MessageDirection.FROM_COMPLAINANT)
        ).one()
        assert b"adjuntar" not in reply.body_sealed
        assert read_message(reply, [ent.office]) == "Sí, las adjuntaré esta semana."

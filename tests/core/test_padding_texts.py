"""Issue 10, deliverable 4, for every sealed text and the drafts: a message, an internal
note, an act's reasoning, a legal hold's reason and a draft file are padded to Padmé
lengths, so two plaintexts in the same bucket give ciphertexts of the same size; each still
reads back exactly, and a text sealed before padding still opens."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from sqlalchemy.orm import Session

import crypto
from core.files.owned import Owned
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.workflow import Act
from core.services import acknowledgement
from core.services import casefile
from core.services import messages
from core.services import retention
from core.storage import secretbox
from core.storage.models import Blob
from core.storage.models import Case
from core.storage.padding import padme
from core.storage.padding import unpad_text
from reporting import drafts

# 1000 and 1020 characters share the bucket 1024 (E = 9, S = 4: multiples of 32), 1030 is in
# the next one (1056): ASCII text, so bytes = characters.
SAME_BUCKET = (1000, 1020)
NEXT_BUCKET = 1030


def _text(n: int) -> str:
    return ("Hechos " * 200)[: n - 1] + "."


def _message(w: World, case: Case, body: str) -> tuple[bytes, Callable[[bytes], str]]:
    case.complainant_recipient = crypto.X25519Identity.generate().recipient().to_string()
    msg = messages.post_message(
        w.session, case, direction=MessageDirection.FROM_COMPLAINANT,
        kind=MessageKind.MESSAGE, body=body, officer_id=None, now=at_lima(2026, 11, 17),
    )  # fmt: skip
    return msg.body_sealed, lambda sealed: unpad_text(crypto.decrypt(sealed, [w.office]))


def _note(w: World, case: Case, body: str) -> tuple[bytes, Callable[[bytes], str]]:
    note = casefile.add_note(
        w.session, case, officer=w.officer, body=body, office_recipients=w.recipients,
        now=at_lima(2026, 11, 17),
    )  # fmt: skip
    return note.body_sealed, lambda sealed: unpad_text(crypto.decrypt(sealed, [w.office]))


def _reasoning(w: World, case: Case, body: str) -> tuple[bytes, Callable[[bytes], str]]:
    event = act(w, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16), reasoning=body)
    assert event.reasoning_sealed is not None
    return event.reasoning_sealed, lambda sealed: unpad_text(crypto.decrypt(sealed, [w.office]))


def _hold(w: World, case: Case, body: str) -> tuple[bytes, Callable[[bytes], str]]:
    hold = retention.place_hold(
        w.session, case=case, officer=w.head, reason=body, office_recipients=w.recipients,
        now=at_lima(2026, 11, 17),
    )  # fmt: skip
    assert hold.reason_sealed is not None
    return hold.reason_sealed, lambda sealed: unpad_text(crypto.decrypt(sealed, [w.office]))


KINDS = {"message": _message, "note": _note, "reasoning": _reasoning, "legal hold": _hold}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sealed_texts_are_padded_and_read_back_exactly(world: World, kind: str) -> None:
    sealed = {}
    for n in (*SAME_BUCKET, NEXT_BUCKET):
        case = file_case(world, at_lima(2026, 11, 13))
        body = _text(n)
        sealed[n], read = KINDS[kind](world, case, body)
        assert read(sealed[n]) == body
        assert len(crypto.decrypt(sealed[n], [world.office])) == padme(n)
    a, b = SAME_BUCKET
    assert len(sealed[a]) == len(sealed[b])
    assert len(sealed[NEXT_BUCKET]) > len(sealed[b])


def test_a_text_sealed_before_padding_still_reads(world: World) -> None:
    old = crypto.encrypt(b"Mensaje de antes, sin relleno.", world.recipients)
    assert unpad_text(crypto.decrypt(old, [world.office])) == "Mensaje de antes, sin relleno."


def test_draft_files_are_padded_and_read_back_exactly(db_session: Session) -> None:
    key = drafts.new_key(pq=False)
    stored = {}
    for n in (20_000, 20_100, 23_000):  # 20,000 and 20,100 with the header: one bucket
        data = bytes([n % 251]) * n
        found = drafts.store_file(
            db_session, key, filename="acta.txt", content_type="text/plain", data=Owned(data)
        )
        header, back = drafts.read_file(db_session, found.blob_id, key)
        assert back == data and header.size == n
        blob = db_session.get(Blob, found.blob_id)
        assert blob is not None
        stored[n] = blob.size
    assert stored[20_000] == stored[20_100] < stored[23_000]


def test_sealed_acknowledgements_are_padded_and_open_to_the_signed_message() -> None:
    """The acuse's signed message, stored sealed under the server key (cases.
    acknowledgement_sealed): two lengths in one bucket, one size; it opens to the exact bytes
    the signature covers; one sealed before padding opens as it was."""
    server_key = bytes(range(32))

    def message(n: int) -> bytes:
        text = json.dumps({"statement": "x" * n}, separators=(",", ":")).encode()
        return text[: -len(b'"}')][: n - 2] + b'"}'

    sealed = {}
    for n in (*SAME_BUCKET, NEXT_BUCKET):
        signed = message(n)
        assert len(signed) == n
        sealed[n] = acknowledgement.seal_message(server_key, signed)
        assert acknowledgement.open_message(server_key, sealed[n]) == signed
    a, b = SAME_BUCKET
    assert len(sealed[a]) == len(sealed[b]) < len(sealed[NEXT_BUCKET])
    old = secretbox.seal(server_key, acknowledgement.SEAL_PURPOSE, message(a))
    assert acknowledgement.open_message(server_key, old) == message(a)

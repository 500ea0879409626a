"""Sealing of small server-side secrets (TOTP seeds, the signing key).

These are secrets the server must use unattended, so they are sealed under the
server key from Settings, which lives outside the database: a stolen database
or backup alone does not yield them. Case content never uses this; it is
sealed with age to keys the server does not hold.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from core.errors import DomainError

_VERSION = b"\x01"


class SealError(DomainError):
    """A sealed value could not be opened (wrong server key or tampered)."""

    code = "seal_error"


def _key(server_key: bytes, purpose: str) -> bytes:
    return hashlib.blake2b(purpose.encode(), key=server_key[:64], digest_size=32).digest()


def seal(server_key: bytes, purpose: str, plaintext: bytes) -> bytes:
    nonce = os.urandom(12)
    box = ChaCha20Poly1305(_key(server_key, purpose))
    return _VERSION + nonce + box.encrypt(nonce, plaintext, purpose.encode())


def unseal(server_key: bytes, purpose: str, sealed: bytes) -> bytes:
    if len(sealed) < 1 + 12 + 16 or sealed[:1] != _VERSION:
        raise SealError("sealed value is malformed")
    box = ChaCha20Poly1305(_key(server_key, purpose))
    try:
        return box.decrypt(sealed[1:13], sealed[13:], purpose.encode())
    except InvalidTag as exc:
        raise SealError("sealed value does not open with this server key") from exc

"""Ed25519 signatures for the signed acknowledgement (acuse de recibo)."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519


class SigningKey:
    """An Ed25519 private key."""

    def __init__(self, key: ed25519.Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, raw32: bytes) -> SigningKey:
        if len(raw32) != 32:
            raise ValueError("Ed25519 private key must be 32 bytes")
        return cls(ed25519.Ed25519PrivateKey.from_private_bytes(raw32))

    def to_bytes(self) -> bytes:
        return self._key.private_bytes_raw()

    def public_key_bytes(self) -> bytes:
        return self._key.public_key().public_bytes_raw()

    def sign(self, msg: bytes) -> bytes:
        return self._key.sign(msg)

    def __repr__(self) -> str:
        return "SigningKey(<secret>)"


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True only for a valid Ed25519 signature; False for any malformed input."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True

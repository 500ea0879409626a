"""Receipt codes (DESIGN §3): generation, normalisation, lookup id, complainant key derivation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2.low_level import Type
from argon2.low_level import hash_secret_raw

from crypto.keys import HybridIdentity
from crypto.keys import Identity
from crypto.keys import X25519Identity

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 16  # 16 x 5 bits = 80 bits
_MAX_INPUT_LENGTH = 64
_TRANSLATE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = frozenset(CROCKFORD_ALPHABET)
MIN_SALT_LENGTH = 16
MIN_PEPPER_LENGTH = 16


@dataclass(frozen=True)
class KdfProfile:
    """argon2id cost parameters."""

    time_cost: int
    memory_cost_kib: int
    parallelism: int


KDF_PRODUCTION = KdfProfile(3, 65536, 1)  # ~64 MiB per derivation
KDF_FAST_TEST = KdfProfile(1, 256, 1)  # tests only: never use in production


class InvalidReceipt(ValueError):
    """The text is not a well-formed receipt code."""


def generate_receipt() -> str:
    """Return a fresh receipt: 16 canonical Crockford base32 characters (80 random bits)."""
    value = secrets.randbits(5 * RECEIPT_LENGTH)
    return "".join(
        CROCKFORD_ALPHABET[(value >> (5 * (RECEIPT_LENGTH - 1 - i))) & 31]
        for i in range(RECEIPT_LENGTH)
    )


def normalize_receipt(text: str) -> str:
    """Canonicalise user input: case, spaces, hyphens, O→0, I/L→1. Raise InvalidReceipt."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT_LENGTH:
        raise InvalidReceipt("receipt code is not valid")
    compact = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    code = compact.upper().translate(_TRANSLATE)
    if len(code) != RECEIPT_LENGTH or not all(ch in _VALID for ch in code):
        raise InvalidReceipt("receipt code is not valid")
    return code


def format_receipt(code: str) -> str:
    """Format as four groups of four: ``7KQF-9M2X-C4TR-H8WN``."""
    canonical = normalize_receipt(code)
    return "-".join(canonical[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_lookup_id(pepper: bytes, code: str) -> str:
    """Hex HMAC-SHA256(pepper, normalised code): the only receipt-derived value stored."""
    if len(pepper) < MIN_PEPPER_LENGTH:
        raise ValueError(f"lookup pepper must be at least {MIN_PEPPER_LENGTH} bytes")
    return hmac.new(pepper, normalize_receipt(code).encode("ascii"), hashlib.sha256).hexdigest()


def derive_complainant_identity(
    code: str,
    salt: bytes,
    *,
    pq: bool = True,
    profile: KdfProfile = KDF_PRODUCTION,
) -> Identity:
    """argon2id(normalised code, salt) → 32-byte seed → hybrid (default) or X25519 identity."""
    if len(salt) < MIN_SALT_LENGTH:
        raise ValueError(f"salt must be at least {MIN_SALT_LENGTH} bytes")
    seed = hash_secret_raw(
        secret=normalize_receipt(code).encode("ascii"),
        salt=salt,
        time_cost=profile.time_cost,
        memory_cost=profile.memory_cost_kib,
        parallelism=profile.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    if pq:
        return HybridIdentity.from_seed(seed)
    return X25519Identity.from_bytes(seed)

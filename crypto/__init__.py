"""Integra cryptography: age v1 (X25519, ML-KEM-768+X25519, scrypt), receipts, signatures.

No Flask, no database, no imports from other Integra packages.

The names below load their submodule on first use (PEP 562), so a caller that only encrypts
never imports argon2, the signatures or the transparency log (`integra age` start-up,
docs/performance.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crypto._errors import AgeError as AgeError
    from crypto._errors import ArmorError as ArmorError
    from crypto._errors import HeaderError as HeaderError
    from crypto._errors import HMACError as HMACError
    from crypto._errors import IncompatibleRecipients as IncompatibleRecipients
    from crypto._errors import KeyFormatError as KeyFormatError
    from crypto._errors import NoIdentityMatch as NoIdentityMatch
    from crypto._errors import PayloadError as PayloadError
    from crypto._format import Stanza as Stanza
    from crypto.age import Decryptor as Decryptor
    from crypto.age import Encryptor as Encryptor
    from crypto.age import decrypt as decrypt
    from crypto.age import decrypt_stream as decrypt_stream
    from crypto.age import encrypt as encrypt
    from crypto.age import encrypt_stream as encrypt_stream
    from crypto.age import open_decryptor as open_decryptor
    from crypto.age import open_encryptor as open_encryptor
    from crypto.keys import HybridIdentity as HybridIdentity
    from crypto.keys import HybridRecipient as HybridRecipient
    from crypto.keys import Identity as Identity
    from crypto.keys import Recipient as Recipient
    from crypto.keys import X25519Identity as X25519Identity
    from crypto.keys import X25519Recipient as X25519Recipient
    from crypto.keys import parse_identity as parse_identity
    from crypto.keys import parse_identity_file as parse_identity_file
    from crypto.keys import parse_recipient as parse_recipient
    from crypto.receipts import KDF_FAST_TEST as KDF_FAST_TEST
    from crypto.receipts import KDF_PRODUCTION as KDF_PRODUCTION
    from crypto.receipts import InvalidReceipt as InvalidReceipt
    from crypto.receipts import KdfProfile as KdfProfile
    from crypto.receipts import derive_complainant_identity as derive_complainant_identity
    from crypto.receipts import format_receipt as format_receipt
    from crypto.receipts import generate_receipt as generate_receipt
    from crypto.receipts import normalize_receipt as normalize_receipt
    from crypto.receipts import receipt_lookup_id as receipt_lookup_id
    from crypto.rekey import RewrappedHeader as RewrappedHeader
    from crypto.rekey import header_opens as header_opens
    from crypto.rekey import rewrap as rewrap
    from crypto.rekey import rewrap_header as rewrap_header
    from crypto.scrypt import ScryptIdentity as ScryptIdentity
    from crypto.scrypt import ScryptRecipient as ScryptRecipient
    from crypto.signatures import SigningKey as SigningKey
    from crypto.signatures import verify_signature as verify_signature
    from crypto.wrapping import unwrap_identity as unwrap_identity
    from crypto.wrapping import wrap_identity as wrap_identity

_LAZY: dict[str, str] = {
    "AgeError": "crypto._errors",
    "ArmorError": "crypto._errors",
    "HeaderError": "crypto._errors",
    "HMACError": "crypto._errors",
    "IncompatibleRecipients": "crypto._errors",
    "KeyFormatError": "crypto._errors",
    "NoIdentityMatch": "crypto._errors",
    "PayloadError": "crypto._errors",
    "Stanza": "crypto._format",
    "Decryptor": "crypto.age",
    "Encryptor": "crypto.age",
    "RewrappedHeader": "crypto.rekey",
    "decrypt": "crypto.age",
    "decrypt_stream": "crypto.age",
    "encrypt": "crypto.age",
    "encrypt_stream": "crypto.age",
    "header_opens": "crypto.rekey",
    "open_decryptor": "crypto.age",
    "open_encryptor": "crypto.age",
    "rewrap": "crypto.rekey",
    "rewrap_header": "crypto.rekey",
    "HybridIdentity": "crypto.keys",
    "HybridRecipient": "crypto.keys",
    "Identity": "crypto.keys",
    "Recipient": "crypto.keys",
    "ScryptIdentity": "crypto.scrypt",
    "ScryptRecipient": "crypto.scrypt",
    "X25519Identity": "crypto.keys",
    "X25519Recipient": "crypto.keys",
    "parse_identity": "crypto.keys",
    "parse_identity_file": "crypto.keys",
    "parse_recipient": "crypto.keys",
    "KDF_FAST_TEST": "crypto.receipts",
    "KDF_PRODUCTION": "crypto.receipts",
    "InvalidReceipt": "crypto.receipts",
    "KdfProfile": "crypto.receipts",
    "derive_complainant_identity": "crypto.receipts",
    "format_receipt": "crypto.receipts",
    "generate_receipt": "crypto.receipts",
    "normalize_receipt": "crypto.receipts",
    "receipt_lookup_id": "crypto.receipts",
    "SigningKey": "crypto.signatures",
    "verify_signature": "crypto.signatures",
    "unwrap_identity": "crypto.wrapping",
    "wrap_identity": "crypto.wrapping",
}

__all__ = [
    "KDF_FAST_TEST",
    "KDF_PRODUCTION",
    "AgeError",
    "ArmorError",
    "Decryptor",
    "Encryptor",
    "HMACError",
    "HeaderError",
    "HybridIdentity",
    "HybridRecipient",
    "Identity",
    "IncompatibleRecipients",
    "InvalidReceipt",
    "KdfProfile",
    "KeyFormatError",
    "NoIdentityMatch",
    "PayloadError",
    "Recipient",
    "RewrappedHeader",
    "ScryptIdentity",
    "ScryptRecipient",
    "SigningKey",
    "Stanza",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "decrypt_stream",
    "derive_complainant_identity",
    "encrypt",
    "encrypt_stream",
    "format_receipt",
    "generate_receipt",
    "header_opens",
    "normalize_receipt",
    "open_decryptor",
    "open_encryptor",
    "parse_identity",
    "parse_identity_file",
    "parse_recipient",
    "receipt_lookup_id",
    "rewrap",
    "rewrap_header",
    "unwrap_identity",
    "verify_signature",
    "wrap_identity",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crypto' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

"""Integra cryptography: age v1 (X25519, ML-KEM-768+X25519, scrypt), receipts, signatures.

No Flask, no database, no imports from other Integra packages.
"""

from crypto._errors import AgeError
from crypto._errors import ArmorError
from crypto._errors import HeaderError
from crypto._errors import HMACError
from crypto._errors import IncompatibleRecipients
from crypto._errors import KeyFormatError
from crypto._errors import NoIdentityMatch
from crypto._errors import PayloadError
from crypto._format import Stanza
from crypto.age import Decryptor
from crypto.age import Encryptor
from crypto.age import RewrappedHeader
from crypto.age import decrypt
from crypto.age import decrypt_stream
from crypto.age import encrypt
from crypto.age import encrypt_stream
from crypto.age import header_opens
from crypto.age import open_decryptor
from crypto.age import open_encryptor
from crypto.age import rewrap
from crypto.age import rewrap_header
from crypto.keys import HybridIdentity
from crypto.keys import HybridRecipient
from crypto.keys import Identity
from crypto.keys import Recipient
from crypto.keys import ScryptIdentity
from crypto.keys import ScryptRecipient
from crypto.keys import X25519Identity
from crypto.keys import X25519Recipient
from crypto.keys import parse_identity
from crypto.keys import parse_identity_file
from crypto.keys import parse_recipient
from crypto.receipts import KDF_FAST_TEST
from crypto.receipts import KDF_PRODUCTION
from crypto.receipts import InvalidReceipt
from crypto.receipts import KdfProfile
from crypto.receipts import derive_complainant_identity
from crypto.receipts import format_receipt
from crypto.receipts import generate_receipt
from crypto.receipts import normalize_receipt
from crypto.receipts import receipt_lookup_id
from crypto.signatures import SigningKey
from crypto.signatures import verify_signature
from crypto.wrapping import unwrap_identity
from crypto.wrapping import wrap_identity

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

"""Receipt codes and the complainant key derived from them (DESIGN §3)."""

from __future__ import annotations

import re

import pytest

import crypto
from crypto.receipts import CROCKFORD_ALPHABET

SALT = b"per-case-salt-0123456789"
PEPPER = b"server-side-pepper-0123456789abc"


def test_generate_receipt_shape_and_entropy() -> None:
    codes = {crypto.generate_receipt() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:200]:
        assert re.fullmatch(f"[{CROCKFORD_ALPHABET}]{{16}}", code)
        assert crypto.normalize_receipt(code) == code
    # 80 bits: every position uses the whole alphabet over many samples.
    for position in range(16):
        assert len({c[position] for c in codes}) == 32
    assert len(CROCKFORD_ALPHABET) == 32
    assert not set("ILOU") & set(CROCKFORD_ALPHABET)


def test_format_receipt() -> None:
    assert crypto.format_receipt("7KQF9M2XC4TRH8WN") == "7KQF-9M2X-C4TR-H8WN"
    assert crypto.format_receipt("7kqf 9m2x c4tr h8wn") == "7KQF-9M2X-C4TR-H8WN"


@pytest.mark.parametrize(
    "text",
    [
        "7KQF-9M2X-C4TR-H8WN",
        "7kqf-9m2x-c4tr-h8wn",
        " 7KQF 9M2X\tC4TR H8WN ",
        "7KQF9M2XC4TRH8WN",
        "7-K-Q-F-9M2X-C4TR-H8WN",
    ],
)
def test_normalize_forgiving(text: str) -> None:
    assert crypto.normalize_receipt(text) == "7KQF9M2XC4TRH8WN"


def test_normalize_confusables() -> None:
    assert crypto.normalize_receipt("OoIi-Ll00-1111-2222") == "0011110011112222"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7KQF-9M2X-C4TR-H8W",  # 15 characters
        "7KQF-9M2X-C4TR-H8WNX",  # 17 characters
        "7KQF-9M2X-C4TR-H8WU",  # U is not Crockford
        "7KQF-9M2X-C4TR-H8W*",
        "7KQF_9M2X_C4TR_H8WN",
        "7KQF-9M2X-C4TR-H8WÑ",
        "A" * 10_000_000,  # absurd input is rejected before any work
    ],
)
def test_normalize_rejects(text: str) -> None:
    with pytest.raises(crypto.InvalidReceipt):
        crypto.normalize_receipt(text)
    assert issubclass(crypto.InvalidReceipt, ValueError)


def test_lookup_id_stable_and_pepper_dependent() -> None:
    code = crypto.generate_receipt()
    lookup = crypto.receipt_lookup_id(PEPPER, code)
    assert re.fullmatch("[0-9a-f]{64}", lookup)
    assert crypto.receipt_lookup_id(PEPPER, crypto.format_receipt(code).lower()) == lookup
    assert crypto.receipt_lookup_id(PEPPER[::-1], code) != lookup
    assert crypto.receipt_lookup_id(PEPPER, crypto.generate_receipt()) != lookup
    with pytest.raises(ValueError):
        crypto.receipt_lookup_id(b"short", code)
    with pytest.raises(crypto.InvalidReceipt):
        crypto.receipt_lookup_id(PEPPER, "not a receipt")


def test_derived_identity_deterministic_and_salted() -> None:
    code = crypto.generate_receipt()
    fast = crypto.KDF_FAST_TEST
    first = crypto.derive_complainant_identity(code, SALT, profile=fast)
    again = crypto.derive_complainant_identity(crypto.format_receipt(code), SALT, profile=fast)
    assert isinstance(first, crypto.HybridIdentity)  # post-quantum by default
    assert first.to_string() == again.to_string()
    other_salt = crypto.derive_complainant_identity(code, SALT[::-1], profile=fast)
    assert other_salt.to_string() != first.to_string()
    other_code = crypto.derive_complainant_identity(crypto.generate_receipt(), SALT, profile=fast)
    assert other_code.to_string() != first.to_string()
    classic = crypto.derive_complainant_identity(code, SALT, pq=False, profile=fast)
    assert isinstance(classic, crypto.X25519Identity)
    with pytest.raises(ValueError):
        crypto.derive_complainant_identity(code, b"short", profile=fast)


def test_derivation_known_answer() -> None:
    """Pins the derivation (argon2id parameters, normalisation, seed use) against drift."""
    identity = crypto.derive_complainant_identity(
        "7KQF-9M2X-C4TR-H8WN", b"0123456789abcdef", pq=False, profile=crypto.KDF_FAST_TEST
    )
    from argon2.low_level import Type
    from argon2.low_level import hash_secret_raw

    seed = hash_secret_raw(b"7KQF9M2XC4TRH8WN", b"0123456789abcdef", 1, 256, 1, 32, Type.ID)
    assert isinstance(identity, crypto.X25519Identity)
    assert identity.to_bytes() == seed


def test_production_profile() -> None:
    assert crypto.KdfProfile(3, 65536, 1) == crypto.KDF_PRODUCTION
    assert crypto.KdfProfile(1, 256, 1) == crypto.KDF_FAST_TEST


def test_office_and_complainant_can_both_read() -> None:
    office = crypto.HybridIdentity.generate()
    code = crypto.generate_receipt()
    complainant = crypto.derive_complainant_identity(code, SALT, profile=crypto.KDF_FAST_TEST)
    sealed = crypto.encrypt(b"denuncia", [office.recipient(), complainant.recipient()])
    assert crypto.decrypt(sealed, [office]) == b"denuncia"
    later = crypto.derive_complainant_identity(code, SALT, profile=crypto.KDF_FAST_TEST)
    assert crypto.decrypt(sealed, [later]) == b"denuncia"
    wrong = crypto.derive_complainant_identity(code, SALT + b"x", profile=crypto.KDF_FAST_TEST)
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.decrypt(sealed, [wrong])
    classic = crypto.derive_complainant_identity(code, SALT, pq=False, profile=crypto.KDF_FAST_TEST)
    with pytest.raises(crypto.IncompatibleRecipients):
        crypto.encrypt(b"denuncia", [office.recipient(), classic.recipient()])

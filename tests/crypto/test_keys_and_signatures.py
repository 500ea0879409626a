"""Signatures (acuse de recibo), identity wrapping, and key encodings."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest
from crypto_peers import node_peer

import crypto

# Spec examples (c2sp.org/age): an X25519 identity and a hybrid identity.
SPEC_X25519 = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
SPEC_HYBRID = "AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR"


def test_signature_round_trip_and_rejections() -> None:
    key = crypto.SigningKey.generate()
    message = b"D-2026-000123|2026-11-26T10:00:00Z|" + bytes(32)
    signature = key.sign(message)
    public = key.public_key_bytes()
    assert len(public) == 32
    assert len(signature) == 64
    assert crypto.verify_signature(public, message, signature)
    assert not crypto.verify_signature(public, message + b"x", signature)
    assert not crypto.verify_signature(public, message, signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not crypto.verify_signature(
        crypto.SigningKey.generate().public_key_bytes(), message, signature
    )
    assert not crypto.verify_signature(public[:31], message, signature)
    assert not crypto.verify_signature(public, message, signature[:63])
    restored = crypto.SigningKey.from_bytes(key.to_bytes())
    assert restored.public_key_bytes() == public
    assert crypto.verify_signature(public, message, restored.sign(message))
    with pytest.raises(ValueError):
        crypto.SigningKey.from_bytes(b"\x00" * 31)
    assert "secret" in repr(key)
    assert key.to_bytes().hex() not in repr(key)


def test_rfc8032_vector() -> None:
    """RFC 8032 §7.1 test 1 (empty message)."""
    secret = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    public = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    expected = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    key = crypto.SigningKey.from_bytes(secret)
    assert key.public_key_bytes() == public
    assert key.sign(b"") == expected
    assert crypto.verify_signature(public, b"", expected)


@pytest.mark.parametrize("kind", ["x25519", "hybrid"])
def test_wrap_unwrap_identity(kind: str) -> None:
    identity: crypto.Identity = (
        crypto.X25519Identity.generate() if kind == "x25519" else crypto.HybridIdentity.generate()
    )
    blob = crypto.wrap_identity(identity, "contraseña larga", work_factor=10)
    assert identity.to_string().encode() not in blob
    assert blob.startswith(b"age-encryption.org/v1\n-> scrypt ")
    again = crypto.unwrap_identity(blob, "contraseña larga")
    assert again.to_string() == identity.to_string()
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.unwrap_identity(blob, "contraseña corta")
    with pytest.raises(crypto.HeaderError):
        crypto.unwrap_identity(blob, "contraseña larga", max_work_factor=9)


def test_wrapped_identity_opens_with_another_age_implementation() -> None:
    identity = crypto.HybridIdentity.generate()
    blob = crypto.wrap_identity(identity, "escrow passphrase", work_factor=10)
    node, script = node_peer()
    env = dict(os.environ, AGE_PASSPHRASE="escrow passphrase")
    proc = subprocess.run(
        [node, str(script), "decrypt-passphrase"],
        input=blob,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert crypto.parse_identity_file(proc.stdout.decode())[0].to_string() == identity.to_string()


def test_spec_example_keys() -> None:
    x = crypto.parse_identity(SPEC_X25519)
    assert (
        x.recipient().to_string()
        == "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"
    )
    assert x.to_string() == SPEC_X25519
    h = crypto.parse_identity(SPEC_HYBRID)
    assert isinstance(h, crypto.HybridIdentity)
    recipient = h.recipient().to_string()
    assert recipient.startswith("age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9rdelkjuh3y235jzxshfg87pzf5")
    # The full 1959-character spec example, pinned by its SHA-256.
    assert len(recipient) == 1959  # Bech32 without BIP 173's 90-character limit
    assert hashlib.sha256(recipient.encode()).hexdigest() == (
        "a091dd7e0ee9d62b75173dcc98441a0424baa941e66a8776e570a4ae60ff61ea"
    )
    assert crypto.parse_recipient(recipient).to_string() == recipient


def test_hybrid_from_seed_is_deterministic() -> None:
    seed = bytes(range(32))
    assert (
        crypto.HybridIdentity.from_seed(seed).recipient().to_string()
        == crypto.HybridIdentity.from_seed(seed).recipient().to_string()
    )
    with pytest.raises(crypto.KeyFormatError):
        crypto.HybridIdentity.from_seed(seed[:31])
    with pytest.raises(crypto.KeyFormatError):
        crypto.X25519Identity.from_bytes(seed + b"\x00")

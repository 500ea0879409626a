"""Interoperability with independent age implementations, in both directions.

Peers: the Go `age` CLI (Debian package `age`; X25519 and armor) and npm `age-encryption`
(typage; ML-KEM-768+X25519 hybrid, X25519, scrypt, armor) driven by node/interop.mjs.
Missing peers skip visibly, or fail when INTEGRA_REQUIRE_PEERS=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from crypto_peers import age_cli
from crypto_peers import node_peer

import crypto

SIZES = [0, 1, 65536, 65536 * 2 + 7]


def _payload(size: int) -> bytes:
    return os.urandom(size)


def _run(argv: list[str], data: bytes, env: dict[str, str] | None = None) -> bytes:
    proc = subprocess.run(argv, input=data, capture_output=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


# --- Go age CLI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_ours_to_age_cli(tmp_path: Path, size: int, armor: bool) -> None:
    age = age_cli()
    identity = crypto.X25519Identity.generate()
    other = crypto.X25519Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# test key\n{identity.to_string()}\n")
    plaintext = _payload(size)
    sealed = crypto.encrypt(plaintext, [other.recipient(), identity.recipient()], armor=armor)
    assert sealed.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n") is armor
    assert _run([age, "-d", "-i", str(key_file)], sealed) == plaintext


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_age_cli_to_ours(size: int, armor: bool) -> None:
    age = age_cli()
    identity = crypto.X25519Identity.generate()
    other = crypto.X25519Identity.generate()
    plaintext = _payload(size)
    argv = [age, "-e", "-r", other.recipient().to_string(), "-r", identity.recipient().to_string()]
    sealed = _run(argv + (["-a"] if armor else []), plaintext)
    assert crypto.decrypt(sealed, [identity]) == plaintext
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.decrypt(sealed, [crypto.X25519Identity.generate()])


def test_age_keygen_identity_file_is_accepted(tmp_path: Path) -> None:
    age = age_cli()
    keygen = shutil.which("age-keygen")
    assert keygen is not None, "the age package ships age-keygen"
    key_file = tmp_path / "k.txt"
    subprocess.run([keygen, "-o", str(key_file)], check=True, capture_output=True)
    identities = crypto.parse_identity_file(key_file.read_text())
    assert len(identities) == 1
    public = next(
        ln.split(": ", 1)[1] for ln in key_file.read_text().splitlines() if "public key" in ln
    )
    assert identities[0].recipient().to_string() == public
    sealed = _run([age, "-e", "-r", public], b"hello")
    assert crypto.decrypt(sealed, identities) == b"hello"


def test_age_cli_rejects_our_tampered_file(tmp_path: Path) -> None:
    """A control for the round trips above: the peer really verifies what we produce."""
    age = age_cli()
    identity = crypto.X25519Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(identity.to_string() + "\n")
    sealed = bytearray(crypto.encrypt(b"x" * 1000, [identity.recipient()]))
    sealed[-5] ^= 1
    proc = subprocess.run(
        [age, "-d", "-i", str(key_file)], input=bytes(sealed), capture_output=True, timeout=60
    )
    assert proc.returncode != 0


# --- npm age-encryption (typage) -----------------------------------------------------------------


def _node(*args: str, data: bytes = b"", env: dict[str, str] | None = None) -> bytes:
    node, script = node_peer()
    return _run([node, str(script), *args], data, env)


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_hybrid_node_to_ours(size: int, armor: bool) -> None:
    keys = json.loads(_node("keygen-hybrid"))
    identity = crypto.parse_identity(keys["identity"])
    assert isinstance(identity, crypto.HybridIdentity)
    assert identity.recipient().to_string() == keys["recipient"]
    plaintext = _payload(size)
    sealed = _node("encrypt", *(["--armor"] if armor else []), keys["recipient"], data=plaintext)
    assert crypto.decrypt(sealed, [identity]) == plaintext


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_hybrid_ours_to_node(size: int, armor: bool) -> None:
    first = crypto.HybridIdentity.generate()
    second = crypto.HybridIdentity.generate()
    plaintext = _payload(size)
    sealed = crypto.encrypt(plaintext, [first.recipient(), second.recipient()], armor=armor)
    assert _node("decrypt", second.to_string(), data=sealed) == plaintext


def test_hybrid_node_rejects_our_tampered_file() -> None:
    identity = crypto.HybridIdentity.generate()
    sealed = bytearray(crypto.encrypt(b"y" * 100, [identity.recipient()]))
    sealed[-1] ^= 0x80
    node, script = node_peer()
    proc = subprocess.run(
        [node, str(script), "decrypt", identity.to_string()],
        input=bytes(sealed),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode != 0


def test_x25519_ours_to_node_and_back() -> None:
    identity = crypto.X25519Identity.generate()
    plaintext = _payload(70000)
    sealed = crypto.encrypt(plaintext, [identity.recipient()])
    assert _node("decrypt", identity.to_string(), data=sealed) == plaintext
    sealed = _node("encrypt", identity.recipient().to_string(), data=plaintext)
    assert crypto.decrypt(sealed, [identity]) == plaintext


def test_scrypt_both_ways_with_node() -> None:
    env = dict(os.environ, AGE_PASSPHRASE="correct horse battery staple")
    plaintext = _payload(1000)
    sealed = crypto.encrypt(
        plaintext, [crypto.ScryptRecipient(b"correct horse battery staple", 10)]
    )
    assert _node("decrypt-passphrase", data=sealed, env=env) == plaintext
    sealed = _node("encrypt-passphrase", data=plaintext, env=env)
    identity = crypto.ScryptIdentity(b"correct horse battery staple")
    assert crypto.decrypt(sealed, [identity]) == plaintext
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.decrypt(sealed, [crypto.ScryptIdentity(b"wrong")])

"""crypto.rewrap_header: re-address an age file without touching its payload (issue 9)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from crypto_peers import age_cli
from crypto_peers import node_peer

import crypto


def _payload_part(sealed: bytes) -> bytes:
    """Everything after the header: the payload nonce and the STREAM body."""
    end = sealed.index(b"\n---") + 1
    return sealed[sealed.index(b"\n", end) + 1 :]


@pytest.mark.parametrize("kind", [crypto.X25519Identity, crypto.HybridIdentity])
@pytest.mark.parametrize("size", [0, 100, 65536 * 2 + 7])
def test_rewrap_keeps_payload_and_other_stanzas(kind: type, size: int) -> None:
    old, new, complainant = kind.generate(), kind.generate(), kind.generate()
    plaintext = os.urandom(size)
    sealed = crypto.encrypt(plaintext, [old.recipient(), complainant.recipient()])
    result = crypto.rewrap_header(sealed, [old], [new.recipient()])
    assert result.replaced == 1
    rewrapped = result.header + sealed[result.old_size :]
    # Payload byte for byte, header different.
    assert (
        hashlib.sha256(_payload_part(rewrapped)).digest()
        == hashlib.sha256(_payload_part(sealed)).digest()
    )
    assert rewrapped[: result.old_size] != sealed[: result.old_size]
    assert crypto.decrypt(rewrapped, [new]) == plaintext
    assert crypto.decrypt(rewrapped, [complainant]) == plaintext
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.decrypt(rewrapped, [old])


def test_rewrap_needs_an_identity_that_opens_the_file() -> None:
    old, new, stranger = (crypto.X25519Identity.generate() for _ in range(3))
    sealed = crypto.encrypt(b"x", [old.recipient()])
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.rewrap_header(sealed, [stranger], [new.recipient()])
    # Already re-wrapped: the old identity no longer opens it (rotation skips it).
    again = crypto.rewrap(sealed, [old], [new.recipient()])
    with pytest.raises(crypto.NoIdentityMatch):
        crypto.rewrap_header(again, [old], [new.recipient()])


def test_rewrap_refuses_a_modified_header() -> None:
    old, new, extra = (crypto.X25519Identity.generate() for _ in range(3))
    sealed = crypto.encrypt(b"secret", [old.recipient(), extra.recipient()])
    # Drop the second stanza: the stanza for `old` still opens, but the MAC must not verify.
    lines = sealed.split(b"\n")
    forged = b"\n".join(lines[:3] + lines[5:])
    with pytest.raises(crypto.HMACError):
        crypto.rewrap_header(forged, [old], [new.recipient()])


def test_rewrap_refuses_mixing_classical_and_post_quantum() -> None:
    old, complainant = crypto.X25519Identity.generate(), crypto.X25519Identity.generate()
    sealed = crypto.encrypt(b"x", [old.recipient(), complainant.recipient()])
    with pytest.raises(crypto.IncompatibleRecipients):
        crypto.rewrap_header(sealed, [old], [crypto.HybridIdentity.generate().recipient()])


def test_rewrap_refuses_passphrase_files() -> None:
    sealed = crypto.encrypt(b"x", [crypto.ScryptRecipient(b"pass", work_factor=10)])
    with pytest.raises(crypto.IncompatibleRecipients):
        crypto.rewrap_header(sealed, [crypto.ScryptIdentity(b"pass")], [])


def test_age_cli_opens_a_rewrapped_file_with_the_new_identity_only(tmp_path: Path) -> None:
    age = age_cli()
    old, new, complainant = (crypto.X25519Identity.generate() for _ in range(3))
    plaintext = os.urandom(65536 * 3 + 11)
    sealed = crypto.encrypt(plaintext, [old.recipient(), complainant.recipient()])
    rewrapped = crypto.rewrap(sealed, [old], [new.recipient()])
    for name, identity in (("new", new), ("old", old)):
        (tmp_path / name).write_text(identity.to_string() + "\n")
    opened = subprocess.run(
        [age, "-d", "-i", str(tmp_path / "new")], input=rewrapped, capture_output=True, timeout=60
    )
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == plaintext
    refused = subprocess.run(
        [age, "-d", "-i", str(tmp_path / "old")], input=rewrapped, capture_output=True, timeout=60
    )
    assert refused.returncode != 0 and refused.stdout == b""


def test_node_opens_a_rewrapped_hybrid_file_with_the_new_identity_only() -> None:
    node, script = node_peer()
    old, new = crypto.HybridIdentity.generate(), crypto.HybridIdentity.generate()
    plaintext = os.urandom(70000)
    sealed = crypto.encrypt(plaintext, [old.recipient()])
    rewrapped = crypto.rewrap(sealed, [old], [new.recipient()])

    def run(identity: crypto.Identity) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [node, str(script), "decrypt", identity.to_string()],
            input=rewrapped,
            capture_output=True,
            timeout=60,
        )

    assert run(new).stdout == plaintext
    assert run(old).returncode != 0

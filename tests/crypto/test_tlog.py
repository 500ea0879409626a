"""crypto.tlog against the C2SP specs and RFC 6962, checked by code written here from the texts."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from crypto import tlog

# --- a reference Merkle tree, straight from RFC 6962 §2.1 (recursive, no shortcuts) ---------


def mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def reader(leaves: list[bytes]):
    def node(level: int, index: int) -> bytes:
        width = 1 << level
        chunk = leaves[index * width : (index + 1) * width]
        assert len(chunk) == width, "asked for an incomplete subtree"
        return mth(chunk)

    return node


LEAVES = [f"entry {i}".encode() for i in range(70)]


@pytest.mark.parametrize("size", range(1, 71))
def test_root_matches_the_rfc_definition(size: int) -> None:
    assert tlog.root(reader(LEAVES[:size]), size) == mth(LEAVES[:size])
    builder = tlog.RootBuilder()
    builder.extend(tlog.leaf_hash(x) for x in LEAVES[:size])
    assert builder.root() == mth(LEAVES[:size])


@pytest.mark.parametrize("size", range(1, 71))
def test_inclusion_proof_for_every_leaf(size: int) -> None:
    leaves = LEAVES[:size]
    root = mth(leaves)
    for index in range(size):
        proof = tlog.inclusion_proof(reader(leaves), index, size)
        leaf = tlog.leaf_hash(leaves[index])
        assert tlog.verify_inclusion(leaf, index, size, proof, root)
        # The wrong leaf, index or root never verifies.
        assert not tlog.verify_inclusion(tlog.leaf_hash(b"other"), index, size, proof, root)
        if size > 1:
            assert not tlog.verify_inclusion(leaf, (index + 1) % size, size, proof, root)
        assert not tlog.verify_inclusion(leaf, index, size, proof, hashlib.sha256(b"x").digest())


def test_consistency_between_every_pair_of_sizes() -> None:
    for new in range(1, 71):
        new_root = mth(LEAVES[:new])
        for old in range(1, new + 1):
            proof = tlog.consistency_proof(reader(LEAVES[:new]), old, new)
            old_root = mth(LEAVES[:old])
            assert tlog.verify_consistency(old, new, proof, old_root, new_root), (old, new)
            if old < new:
                edited = [*LEAVES[:old]]
                edited[old // 2] = b"edited"
                assert not tlog.verify_consistency(old, new, proof, mth(edited), new_root)


# --- signed notes: the spec's own example ------------------------------------------------------

SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYj"
    "OBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_the_spec_example_verifies() -> None:
    key = tlog.VerifierKey.parse(SPEC_VKEY)
    text, signers = tlog.open_note(SPEC_NOTE, [key])
    assert text == "This is an example message.\n" and signers == [key]
    assert key.encode() == SPEC_VKEY


def test_the_spec_example_fails_when_edited() -> None:
    key = tlog.VerifierKey.parse(SPEC_VKEY)
    with pytest.raises(tlog.TlogError):
        tlog.open_note(SPEC_NOTE.replace("example message", "example massage"), [key])


def test_unknown_signers_are_ignored_but_one_known_is_needed() -> None:
    key = tlog.VerifierKey.parse(SPEC_VKEY)
    other = ed25519.Ed25519PrivateKey.generate()
    cosigned = tlog.add_signatures(
        SPEC_NOTE,
        tlog.sign_note("This is an example message.\n", "w.example", other).splitlines()[2:],
    )
    assert tlog.open_note(cosigned, [key])[1] == [key]
    with pytest.raises(tlog.TlogError, match="trusted"):
        tlog.open_note(SPEC_NOTE, [tlog.VerifierKey.for_key("w.example", b"\x01" * 32)])


# --- an independent checkpoint verifier, written from signed-note.md and tlog-checkpoint.md ---


def spec_verify_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    name, kid_hex, material_b64 = vkey.split("+", 2)
    material = base64.b64decode(material_b64)
    assert material[0] == 0x01
    public = material[1:]
    assert hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4].hex() == kid_hex
    text, _blank, sigs = note.rpartition("\n\n")
    text += "\n"
    ok = False
    for line in sigs.splitlines():
        dash, signer, sig_b64 = line.split(" ")
        assert dash == "\u2014"
        sig = base64.b64decode(sig_b64)
        if signer == name and sig[:4].hex() == kid_hex:
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(sig[4:], text.encode())
            ok = True
    assert ok
    origin, size, root_b64, *_ext = text.split("\n")
    assert origin == name
    return origin, int(size), base64.b64decode(root_b64)


def test_checkpoint_verified_by_the_independent_verifier() -> None:
    sk = ed25519.Ed25519PrivateKey.generate()
    name = "oii.example.gob.pe/integra-audit"
    cp = tlog.Checkpoint(name, 70, mth(LEAVES))
    note = tlog.sign_note(cp.text(), name, sk)
    vkey = tlog.VerifierKey.for_key(name, sk.public_key().public_bytes_raw()).encode()
    assert spec_verify_checkpoint(note, vkey) == (name, 70, mth(LEAVES))
    assert tlog.open_checkpoint(note, tlog.VerifierKey.parse(vkey)) == cp


def test_tlog_proof_round_trip_and_tampering() -> None:
    sk = ed25519.Ed25519PrivateKey.generate()
    name = "oii.example.gob.pe/integra-audit"
    key = tlog.VerifierKey.for_key(name, sk.public_key().public_bytes_raw())
    note = tlog.sign_note(tlog.Checkpoint(name, 70, mth(LEAVES)).text(), name, sk)
    path = tlog.inclusion_proof(reader(LEAVES), 42, 70)
    text = tlog.format_proof(42, path, note, extra=LEAVES[42])
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra ")
    parsed = tlog.parse_proof(text)
    assert parsed.extra == LEAVES[42] and parsed.index == 42
    assert tlog.verify_proof(text, tlog.leaf_hash(LEAVES[42]), key).size == 70
    with pytest.raises(tlog.TlogError):
        tlog.verify_proof(text, tlog.leaf_hash(LEAVES[41]), key)
    with pytest.raises(tlog.TlogError):
        tlog.verify_proof(text.replace("index 42", "index 43"), tlog.leaf_hash(LEAVES[42]), key)
    for bad in ("", "c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v1\nindex 01\n\n" + note):
        with pytest.raises(tlog.TlogError):
            tlog.parse_proof(bad)


def test_verifier_keys_whose_base64_holds_a_plus_parse() -> None:
    seed = 0
    while True:  # deterministic search for a key whose encoding contains "+"
        sk = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(bytes([seed])).digest())
        key = tlog.VerifierKey.for_key("a.example/log", sk.public_key().public_bytes_raw())
        if "+" in key.encode().split("+", 2)[2]:
            break
        seed += 1
    assert tlog.VerifierKey.parse(key.encode()) == key

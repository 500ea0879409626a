"""Transparency-log primitives: RFC 6962 Merkle trees, C2SP signed notes, checkpoints, proofs.

Pure functions over hashes; where the tree lives is the caller's business. A tree is read
through `node(level, index)`, the hash of the complete subtree of 2**level leaves starting at
leaf index * 2**level; only such aligned, complete subtrees are ever asked for, so a store that
keeps them (core.storage.tlog) answers any root or proof with O(log n) lookups.

Formats (docs/architecture.md, "Tamper evidence"): c2sp.org/signed-note (Ed25519, type 0x01),
c2sp.org/tlog-checkpoint, c2sp.org/tlog-proof@v1; hashing per RFC 6962 §2.1 (leaf 0x00,
node 0x01).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

NodeReader = Callable[[int, int], bytes]

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
ED25519 = 0x01
MAX_SIGNATURES = 16


class TlogError(ValueError):
    """A malformed note, checkpoint or proof, or one that does not verify."""


# --- RFC 6962 hashing ----------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_hash(node: NodeReader, start: int, n: int) -> bytes:
    """MTH(D[start:start+n]) for a range the RFC's recursion produces (aligned pieces)."""
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return node(level, start >> level)
    k = _split(n)
    return node_hash(subtree_hash(node, start, k), subtree_hash(node, start + k, n - k))


def root(node: NodeReader, size: int) -> bytes:
    return subtree_hash(node, 0, size)


def inclusion_proof(node: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 6962 §2.1.1, from the leaf's sibling up."""
    if not 0 <= index < size:
        raise TlogError("index outside the tree")
    path: list[bytes] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:
            path.append(subtree_hash(node, start + k, n - k))
            n = k
        else:
            path.append(subtree_hash(node, start, k))
            start, n, m = start + k, n - k, m - k
    path.reverse()
    return path


def consistency_proof(node: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 6962 §2.1.2."""
    if not 0 < old_size <= new_size:
        raise TlogError("consistency needs 0 < old size <= new size")
    out: list[bytes] = []
    start, n, m, whole = 0, new_size, old_size, True
    while m != n:
        k = _split(n)
        if m <= k:
            out.append(subtree_hash(node, start + k, n - k))
            n = k
        else:
            out.append(subtree_hash(node, start, k))
            start, n, m, whole = start + k, n - k, m - k, False
    if not whole:
        out.append(subtree_hash(node, start, n))
    out.reverse()
    return out


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size == new_size:
        return not proof and old_root == new_root
    if not 0 < old_size < new_size or not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


class RootBuilder:
    """The root of a stream of leaf hashes in O(log n) memory (for verifying from rows)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (level, hash) of complete subtrees
        self.size = 0

    def add(self, leaf: bytes) -> None:
        level, h = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            _lvl, left = self._stack.pop()
            h = node_hash(left, h)
            level += 1
        self._stack.append((level, h))
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.add(leaf)

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        acc = self._stack[-1][1]
        for _lvl, h in reversed(self._stack[:-1]):
            acc = node_hash(h, acc)
        return acc


# --- C2SP signed notes -------------------------------------------------------------------------


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    public_key: bytes

    def encode(self) -> str:
        material = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def for_key(cls, name: str, public_key: bytes) -> VerifierKey:
        if not _valid_name(name):
            raise TlogError("key names are non-empty, without spaces or '+'")
        return cls(name, key_id(name, public_key), public_key)

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        parts = vkey.strip().split("+", 2)  # base64 may hold "+"; names and ids never do
        if len(parts) != 3 or not _valid_name(parts[0]) or len(parts[1]) != 8:
            raise TlogError("not a verifier key (name+hex id+base64 key)")
        try:
            kid = bytes.fromhex(parts[1])
            material = base64.b64decode(parts[2], validate=True)
        except (ValueError, binascii.Error) as exc:
            raise TlogError("not a verifier key (name+hex id+base64 key)") from exc
        if len(material) != 33 or material[0] != ED25519:
            raise TlogError("only Ed25519 verifier keys are supported")
        key = cls(parts[0], kid, material[1:])
        if key_id(key.name, key.public_key) != kid:
            raise TlogError("the verifier key's id does not match its name and key")
        return key


def sign_note(text: str, name: str, private_key: ed25519.Ed25519PrivateKey) -> str:
    """A signed note: the text (ending in a newline), a blank line, one signature line."""
    if not text.endswith("\n") or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise TlogError("note text must end in a newline and hold no control characters")
    public = private_key.public_key().public_bytes_raw()
    sig = key_id(name, public) + private_key.sign(text.encode())
    return f"{text}\n\u2014 {name} {base64.b64encode(sig).decode()}\n"


def add_signatures(note: str, lines: Iterable[str]) -> str:
    """The note with more signature lines (cosignatures) appended."""
    return note + "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(key name, 4-byte id + signature)]) of a well-formed signed note."""
    if not note.endswith("\n") or any(ord(c) < 0x20 and c != "\n" for c in note):
        raise TlogError("malformed note")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise TlogError("malformed note: no signatures")
    text, sig_block = note[: cut + 1], note[cut + 2 :]
    sigs: list[tuple[str, bytes]] = []
    for line in sig_block.splitlines():
        if not line.startswith("\u2014 "):
            raise TlogError("malformed signature line")
        fields = line[2:].split(" ")
        if len(fields) != 2 or not _valid_name(fields[0]):
            raise TlogError("malformed signature line")
        try:
            raw = base64.b64decode(fields[1], validate=True)
        except binascii.Error as exc:
            raise TlogError("malformed signature") from exc
        if len(raw) < 5:
            raise TlogError("malformed signature")
        sigs.append((fields[0], raw))
    if not sigs or len(sigs) > MAX_SIGNATURES:
        raise TlogError("a note carries between 1 and 16 signatures")
    return text, sigs


def open_note(note: str, keys: Sequence[VerifierKey]) -> tuple[str, list[VerifierKey]]:
    """The note's text and the known keys that signed it.

    Raises unless at least one known key verified and none failed (signed-note.md).
    """
    text, sigs = split_note(note)
    verified: list[VerifierKey] = []
    for name, raw in sigs:
        for key in keys:
            if key.name == name and key.key_id == raw[:4]:
                try:
                    ed25519.Ed25519PublicKey.from_public_bytes(key.public_key).verify(
                        raw[4:], text.encode()
                    )
                except InvalidSignature as exc:
                    raise TlogError(f"a signature by {name} does not verify") from exc
                verified.append(key)
    if not verified:
        raise TlogError("no signature from a trusted key")
    return text, verified


# --- checkpoints and proofs --------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not all(lines[:-1]):
            raise TlogError("malformed checkpoint")
        origin, size, root_b64 = lines[0], lines[1], lines[2]
        if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise TlogError("malformed checkpoint size")
        try:
            root_hash = base64.b64decode(root_b64, validate=True)
        except binascii.Error as exc:
            raise TlogError("malformed checkpoint root") from exc
        if len(root_hash) != 32:
            raise TlogError("malformed checkpoint root")
        return cls(origin, int(size), root_hash)


def open_checkpoint(note: str, key: VerifierKey) -> Checkpoint:
    """A checkpoint signed by the log's key, whose origin is the key's name."""
    text, _signers = open_note(note, [key])
    cp = Checkpoint.parse(text)
    if cp.origin != key.name:
        raise TlogError("the checkpoint's origin is not the log's name")
    return cp


def format_proof(
    index: int, proof: Sequence[bytes], checkpoint_note: str, extra: bytes = b""
) -> str:
    lines = [PROOF_HEADER]
    if extra:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines.extend(base64.b64encode(h).decode() for h in proof)
    return "\n".join(lines) + "\n\n" + checkpoint_note


@dataclass(frozen=True)
class TlogProof:
    extra: bytes
    index: int
    path: list[bytes]
    checkpoint_note: str


def parse_proof(text: str) -> TlogProof:
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines or lines[0] != PROOF_HEADER:
        raise TlogError("not a c2sp.org/tlog-proof@v1 proof")
    rest = lines[1:]
    extra = b""
    try:
        if rest and rest[0].startswith("extra "):
            extra = base64.b64decode(rest.pop(0)[6:], validate=True)
        if not rest or not rest[0].startswith("index "):
            raise TlogError("the proof has no index line")
        idx = rest.pop(0)[6:]
        if not idx.isascii() or not idx.isdigit() or (idx != "0" and idx.startswith("0")):
            raise TlogError("malformed index")
        path = [base64.b64decode(line, validate=True) for line in rest]
    except binascii.Error as exc:
        raise TlogError("malformed base64 in the proof") from exc
    if any(len(h) != 32 for h in path):
        raise TlogError("malformed hash in the proof")
    return TlogProof(extra, int(idx), path, note)


def verify_proof(text: str, leaf: bytes, key: VerifierKey) -> Checkpoint:
    """Check a tlog proof for `leaf` (its RFC 6962 leaf hash); return the checkpoint."""
    proof = parse_proof(text)
    cp = open_checkpoint(proof.checkpoint_note, key)
    if not verify_inclusion(leaf, proof.index, cp.size, proof.path, cp.root):
        raise TlogError("the entry is not in the checkpointed tree")
    return cp

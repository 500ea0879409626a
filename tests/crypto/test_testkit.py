"""Conformance against the CCTV age test vectors (read in place from ../shared/age-testkit)."""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from crypto_peers import find_testkit

import crypto

TESTKIT = find_testkit()
VECTORS = sorted(p for p in TESTKIT.iterdir() if p.name != "README.md") if TESTKIT else []

EXPECTED_ERRORS: dict[str, type[crypto.AgeError]] = {
    "header failure": crypto.HeaderError,
    "HMAC failure": crypto.HMACError,
    "no match": crypto.NoIdentityMatch,
    "payload failure": crypto.PayloadError,
    "armor failure": crypto.ArmorError,
}


@dataclass
class Vector:
    name: str
    expect: str
    payload_sha256: str | None
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    armored: bool = False
    body: bytes = b""


def load_vector(path: Path) -> Vector:
    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n\n")
    assert sep, f"{path.name}: no blank line after the vector header"
    fields: dict[str, list[str]] = {}
    for line in head.decode("utf-8").split("\n"):
        key, colon, value = line.partition(": ")
        assert colon, f"{path.name}: malformed header line {line!r}"
        fields.setdefault(key, []).append(value)
    known = {"expect", "payload", "identity", "passphrase", "armored", "compressed", "file key"}
    unknown = set(fields) - known - {"comment"}
    assert not unknown, f"{path.name}: unknown vector keys {unknown}"
    compressed = fields.get("compressed", [""])[0]
    if compressed:
        assert compressed == "zlib", f"{path.name}: unknown compression {compressed}"
        body = zlib.decompress(body)
    return Vector(
        name=path.name,
        expect=fields["expect"][0],
        payload_sha256=fields.get("payload", [None])[0],
        identities=fields.get("identity", []),
        passphrases=fields.get("passphrase", []),
        armored=fields.get("armored", ["no"])[0] == "yes",
        body=body,
    )


def run_vector(vector: Vector) -> tuple[type[Exception] | None, str]:
    """Decrypt; return (exception class or None, sha256 of all plaintext released)."""
    identities: list[crypto.Identity] = [crypto.parse_identity(i) for i in vector.identities]
    identities += [crypto.ScryptIdentity(p.encode()) for p in vector.passphrases]
    released = hashlib.sha256()
    try:
        reader = crypto.open_decryptor(io.BytesIO(vector.body), identities)
        for chunk in reader:
            released.update(chunk)
    except crypto.AgeError as exc:
        return type(exc), released.hexdigest()
    return None, released.hexdigest()


def check_vector(vector: Vector) -> None:
    error, digest = run_vector(vector)
    if vector.expect == "success":
        assert error is None, f"{vector.name}: expected success, got {error}"
    else:
        expected = EXPECTED_ERRORS[vector.expect]
        assert error is expected, f"{vector.name}: expected {expected.__name__}, got {error}"
    if vector.expect in ("success", "payload failure"):
        assert vector.payload_sha256 is not None
        assert digest == vector.payload_sha256, f"{vector.name}: released plaintext differs"


@pytest.mark.skipif(TESTKIT is None, reason="age testkit not found (../shared/age-testkit)")
@pytest.mark.parametrize("path", VECTORS, ids=[p.name for p in VECTORS])
def test_vector(path: Path) -> None:
    check_vector(load_vector(path))


@pytest.mark.skipif(TESTKIT is None, reason="age testkit not found (../shared/age-testkit)")
def test_testkit_summary(capsys: pytest.CaptureFixture[str]) -> None:
    passed = 0
    failures: list[str] = []
    for path in VECTORS:
        try:
            check_vector(load_vector(path))
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
        else:
            passed += 1
    with capsys.disabled():
        print(f"\nage testkit: {passed}/{len(VECTORS)} vectors pass")
    assert len(VECTORS) >= 140, "the testkit looks incomplete"
    assert not failures, "\n".join(failures)


def test_vector_checker_detects_wrong_outcome() -> None:
    """The harness itself must fail on a wrong expectation (guards against vacuous passes)."""
    if TESTKIT is None:
        pytest.skip("age testkit not found")
    vector = load_vector(TESTKIT / "x25519")
    vector.expect = "no match"
    with pytest.raises(AssertionError):
        check_vector(vector)
    vector = load_vector(TESTKIT / "x25519")
    vector.payload_sha256 = "00" * 32
    with pytest.raises(AssertionError):
        check_vector(vector)

"""age recipients and identities: X25519 and the ML-KEM-768+X25519 hybrid (scrypt passphrases
are crypto.scrypt), the protocols every recipient and identity meets, and parsing."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any
from typing import Protocol
from typing import runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto._encoding import b64decode_raw
from crypto._encoding import b64encode_raw
from crypto._encoding import bech32_decode
from crypto._encoding import bech32_encode
from crypto._errors import HeaderError
from crypto._errors import KeyFormatError
from crypto._format import Stanza

FILE_KEY_SIZE = 16
_ZERO_NONCE = bytes(12)

X25519_STANZA = "X25519"
X25519_INFO = b"age-encryption.org/v1/X25519"
HYBRID_STANZA = "mlkem768x25519"
HYBRID_INFO = b"age-encryption.org/mlkem768x25519"

_X25519_IDENTITY_HRP = "AGE-SECRET-KEY-"
_X25519_RECIPIENT_HRP = "age"
_HYBRID_IDENTITY_HRP = "AGE-SECRET-KEY-PQ-"
_HYBRID_RECIPIENT_HRP = "age1pq"

_MLKEM768_PK_SIZE = 1184
_MLKEM768_CT_SIZE = 1088
_HYBRID_PK_SIZE = _MLKEM768_PK_SIZE + 32
_HYBRID_ENC_SIZE = _MLKEM768_CT_SIZE + 32


_HPKE_SUITE = hpke.Suite(
    hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305
)

# Labels, as in the reference implementation: every recipient of one file must carry the
# same set. "postquantum" keeps hybrid files free of classical stanzas; "noverify" and
# scrypt's own rule are enforced in encrypt().
LABEL_POSTQUANTUM = "postquantum"


class Recipient(Protocol):
    def wrap(self, file_key: bytes) -> list[Stanza]: ...

    def to_string(self) -> str: ...


@runtime_checkable
class Identity(Protocol):
    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None: ...

    def to_string(self) -> str: ...

    def recipient(self) -> Recipient: ...


# X25519 through the Rust binding that cryptography's public classes wrap: the classes first
# import cryptography's Python OpenSSL backend only to ask whether X25519 is supported, which
# costs about 20 ms of every `integra age` start (docs/performance.md, "CLI start-up"). The
# objects are the same; without that binding the public API is used.
_X25519_RUST: Any
try:
    from cryptography.hazmat.bindings._rust import openssl as _rust_openssl

    _X25519_RUST = _rust_openssl.x25519
except (ImportError, AttributeError):  # pragma: no cover - another cryptography layout
    _X25519_RUST = None


def _x25519_generate() -> x25519.X25519PrivateKey:
    if _X25519_RUST is None:  # pragma: no cover
        return x25519.X25519PrivateKey.generate()
    key: x25519.X25519PrivateKey = _X25519_RUST.generate_key()
    return key


def _x25519_private(data: bytes) -> x25519.X25519PrivateKey:
    if _X25519_RUST is None:  # pragma: no cover
        return x25519.X25519PrivateKey.from_private_bytes(data)
    key: x25519.X25519PrivateKey = _X25519_RUST.from_private_bytes(data)
    return key


def _x25519_public(data: bytes) -> x25519.X25519PublicKey:
    if _X25519_RUST is None:  # pragma: no cover
        return x25519.X25519PublicKey.from_public_bytes(data)
    key: x25519.X25519PublicKey = _X25519_RUST.from_public_bytes(data)
    return key


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _aead_wrap(key: bytes, file_key: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)


def _aead_unwrap(key: bytes, body: bytes) -> bytes | None:
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None


def _stanza_b64(arg: str, size: int, what: str) -> bytes:
    try:
        value = b64decode_raw(arg)
    except ValueError:
        raise HeaderError(f"invalid {what} encoding") from None
    if len(value) != size:
        raise HeaderError(f"invalid {what} length")
    return value


def _decode_key(text: str, hrp: str, size: int, what: str) -> bytes:
    try:
        got_hrp, data = bech32_decode(text)
    except ValueError as exc:
        raise KeyFormatError(f"malformed {what}: {exc}") from None
    if got_hrp != hrp:
        raise KeyFormatError(f"malformed {what}: unexpected prefix")
    if len(data) != size:
        raise KeyFormatError(f"malformed {what}: wrong key length")
    return data


# --- X25519 --------------------------------------------------------------------------------------


class X25519Recipient:
    """The classical ``age1…`` recipient."""

    labels: frozenset[str] = frozenset()

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise KeyFormatError("X25519 public key must be 32 bytes")
        self._raw = bytes(public_key)
        self._key = _x25519_public(self._raw)

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        return cls(_decode_key(text, _X25519_RECIPIENT_HRP, 32, "X25519 recipient"))

    def public_bytes(self) -> bytes:
        return self._raw

    def wrap(self, file_key: bytes) -> list[Stanza]:
        ephemeral = _x25519_generate()
        share = ephemeral.public_key().public_bytes_raw()
        shared = ephemeral.exchange(self._key)
        key = _hkdf(shared, share + self._raw, X25519_INFO)
        return [Stanza(X25519_STANZA, (b64encode_raw(share),), _aead_wrap(key, file_key))]

    def to_string(self) -> str:
        return bech32_encode(_X25519_RECIPIENT_HRP, self._raw)

    def __str__(self) -> str:
        return self.to_string()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, X25519Recipient) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(("X25519Recipient", self._raw))


class X25519Identity:
    """The classical ``AGE-SECRET-KEY-1…`` identity."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise KeyFormatError("X25519 secret key must be 32 bytes")
        self._raw = bytes(secret)
        self._key = _x25519_private(self._raw)
        self._public = self._key.public_key().public_bytes_raw()

    @classmethod
    def generate(cls) -> X25519Identity:
        return cls(os.urandom(32))

    @classmethod
    def from_bytes(cls, raw32: bytes) -> X25519Identity:
        return cls(raw32)

    @classmethod
    def parse(cls, text: str) -> X25519Identity:
        return cls(_decode_key(text, _X25519_IDENTITY_HRP, 32, "X25519 identity"))

    def to_bytes(self) -> bytes:
        return self._raw

    def to_string(self) -> str:
        return bech32_encode(_X25519_IDENTITY_HRP, self._raw)

    def recipient(self) -> X25519Recipient:
        return X25519Recipient(self._public)

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for s in stanzas:
            if s.type != X25519_STANZA:
                continue
            if len(s.args) != 1:
                raise HeaderError("invalid X25519 stanza: wrong number of arguments")
            share = _stanza_b64(s.args[0], 32, "X25519 share")
            if len(s.body) != FILE_KEY_SIZE + 16:
                raise HeaderError("invalid X25519 stanza: wrong body length")
            try:
                shared = self._key.exchange(_x25519_public(share))
            except ValueError:
                raise HeaderError("invalid X25519 stanza: low-order share") from None
            if shared == bytes(32):  # pragma: no cover - the library already rejects it
                raise HeaderError("invalid X25519 stanza: low-order share")
            file_key = _aead_unwrap(_hkdf(shared, share + self._public, X25519_INFO), s.body)
            if file_key is not None:
                return file_key
        return None

    def __repr__(self) -> str:
        return f"X25519Identity(recipient={self.recipient().to_string()!r})"


# --- ML-KEM-768 + X25519 hybrid ------------------------------------------------------------------


def _expand_hybrid_seed(seed: bytes) -> tuple[mlkem.MLKEM768PrivateKey, x25519.X25519PrivateKey]:
    import hashlib  # only the hybrid keys need it (start-up of `integra age`)

    expanded = hashlib.shake_256(seed).digest(96)
    return (
        mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64]),
        _x25519_private(expanded[64:]),
    )


class HybridRecipient:
    """The post-quantum ``age1pq1…`` recipient (HPKE with ML-KEM-768+X25519)."""

    labels: frozenset[str] = frozenset({LABEL_POSTQUANTUM})

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != _HYBRID_PK_SIZE:
            raise KeyFormatError("mlkem768x25519 public key must be 1216 bytes")
        self._raw = bytes(public_key)
        self._text: str | None = None  # printed once (bech32 of 1,216 bytes)
        try:
            self._key = hpke.MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(self._raw[:_MLKEM768_PK_SIZE]),
                _x25519_public(self._raw[_MLKEM768_PK_SIZE:]),
            )
        except ValueError as exc:
            raise KeyFormatError(f"invalid mlkem768x25519 public key: {exc}") from None

    @classmethod
    def parse(cls, text: str) -> HybridRecipient:
        return cls(_decode_key(text, _HYBRID_RECIPIENT_HRP, _HYBRID_PK_SIZE, "hybrid recipient"))

    def public_bytes(self) -> bytes:
        return self._raw

    def wrap(self, file_key: bytes) -> list[Stanza]:
        sealed = _HPKE_SUITE.encrypt(file_key, self._key, info=HYBRID_INFO)
        enc, ct = sealed[:_HYBRID_ENC_SIZE], sealed[_HYBRID_ENC_SIZE:]
        return [Stanza(HYBRID_STANZA, (b64encode_raw(enc),), ct)]

    def to_string(self) -> str:
        if self._text is None:
            self._text = bech32_encode(_HYBRID_RECIPIENT_HRP, self._raw)
        return self._text

    def __str__(self) -> str:
        return self.to_string()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HybridRecipient) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(("HybridRecipient", self._raw))


class HybridIdentity:
    """The post-quantum ``AGE-SECRET-KEY-PQ-1…`` identity: a 32-byte seed."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise KeyFormatError("mlkem768x25519 identity seed must be 32 bytes")
        self._seed = bytes(seed)
        self._mlkem, self._x25519 = _expand_hybrid_seed(self._seed)
        self._key = hpke.MLKEM768X25519PrivateKey(self._mlkem, self._x25519)
        self._public = (
            self._mlkem.public_key().public_bytes_raw()
            + self._x25519.public_key().public_bytes_raw()
        )

    @classmethod
    def generate(cls) -> HybridIdentity:
        return cls(os.urandom(32))

    @classmethod
    def from_seed(cls, seed32: bytes) -> HybridIdentity:
        return cls(seed32)

    @classmethod
    def parse(cls, text: str) -> HybridIdentity:
        return cls(_decode_key(text, _HYBRID_IDENTITY_HRP, 32, "hybrid identity"))

    def to_bytes(self) -> bytes:
        return self._seed

    def to_string(self) -> str:
        return bech32_encode(_HYBRID_IDENTITY_HRP, self._seed)

    def recipient(self) -> HybridRecipient:
        return HybridRecipient(self._public)

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for s in stanzas:
            if s.type != HYBRID_STANZA:
                continue
            if len(s.args) != 1:
                raise HeaderError("invalid mlkem768x25519 stanza: wrong number of arguments")
            enc = _stanza_b64(s.args[0], _HYBRID_ENC_SIZE, "mlkem768x25519 enc")
            if len(s.body) != FILE_KEY_SIZE + 16:
                raise HeaderError("invalid mlkem768x25519 stanza: wrong body length")
            # The X25519 share must not be a low-order point (all-zero shared secret): that
            # is a malformed stanza, not merely one addressed to someone else.
            try:
                self._x25519.exchange(_x25519_public(enc[_MLKEM768_CT_SIZE:]))
            except ValueError:
                raise HeaderError("invalid mlkem768x25519 stanza: low-order share") from None
            try:
                file_key = _HPKE_SUITE.decrypt(enc + s.body, self._key, info=HYBRID_INFO)
            except (InvalidTag, ValueError):
                continue
            if len(file_key) == FILE_KEY_SIZE:
                return file_key
        return None

    def __repr__(self) -> str:
        return "HybridIdentity(<secret>)"


# --- scrypt --------------------------------------------------------------------------------------


# --- parsing -------------------------------------------------------------------------------------


def parse_recipient(s: str) -> Recipient:
    """Parse an ``age1…`` or ``age1pq1…`` recipient string."""
    if not isinstance(s, str):
        raise KeyFormatError("recipient must be a string")
    return _parse_recipient(s.strip())


# Recipients are immutable, so each string is parsed once per process: the intake seals every
# complaint to the same office recipient, 1,959 characters when post-quantum
# (docs/performance.md, "Intake"). Failures raise and are not cached.
@functools.lru_cache(maxsize=64)
def _parse_recipient(text: str) -> Recipient:
    if text.startswith(_HYBRID_RECIPIENT_HRP + "1"):
        return HybridRecipient.parse(text)
    if text.startswith(_X25519_RECIPIENT_HRP + "1"):
        return X25519Recipient.parse(text)
    raise KeyFormatError("unknown recipient type (expected age1… or age1pq1…)")


def parse_identity(s: str) -> Identity:
    """Parse an ``AGE-SECRET-KEY-1…`` or ``AGE-SECRET-KEY-PQ-1…`` identity string."""
    if not isinstance(s, str):
        raise KeyFormatError("identity must be a string")
    text = s.strip()
    if text.startswith(_HYBRID_IDENTITY_HRP + "1"):
        return HybridIdentity.parse(text)
    if text.startswith(_X25519_IDENTITY_HRP + "1"):
        return X25519Identity.parse(text)
    raise KeyFormatError("unknown identity type (expected AGE-SECRET-KEY-1… or -PQ-1…)")


def parse_identity_file(text: str) -> list[Identity]:
    """Parse an identity file: '#' comment lines, blank lines, one identity per line."""
    identities: list[Identity] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(parse_identity(line))
        except KeyFormatError as exc:
            raise KeyFormatError(f"identity file line {number}: {exc}") from None
    if not identities:
        raise KeyFormatError("no identities found in identity file")
    return identities

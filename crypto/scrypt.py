"""age scrypt passphrase recipients and identities (the `scrypt` stanza of age v1).

Used to wrap officers' key copies under their passwords and grant codes (crypto.wrapping).
An age file sealed to a passphrase has that one stanza and no other (crypto.age checks it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from crypto._encoding import b64encode_raw
from crypto._errors import HeaderError
from crypto._format import Stanza
from crypto.keys import FILE_KEY_SIZE
from crypto.keys import _aead_unwrap
from crypto.keys import _aead_wrap
from crypto.keys import _stanza_b64

SCRYPT_STANZA = "scrypt"


SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"


MIN_SCRYPT_WORK_FACTOR = 1


MAX_SCRYPT_WORK_FACTOR = 30


_DECIMAL = re.compile(r"\A[1-9][0-9]*\Z")


def _scrypt_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


def _check_work_factor(work_factor: int) -> None:
    if (
        isinstance(work_factor, bool)
        or not isinstance(work_factor, int)
        or not MIN_SCRYPT_WORK_FACTOR <= work_factor <= MAX_SCRYPT_WORK_FACTOR
    ):
        raise ValueError(
            f"scrypt work factor must be an integer in "
            f"[{MIN_SCRYPT_WORK_FACTOR}, {MAX_SCRYPT_WORK_FACTOR}]"
        )


class ScryptRecipient:
    """Passphrase encryption. Must be the only recipient of a file."""

    labels: frozenset[str] = frozenset()

    def __init__(self, passphrase: bytes, work_factor: int) -> None:
        if not passphrase:
            raise ValueError("empty passphrase")
        _check_work_factor(work_factor)
        self._passphrase = bytes(passphrase)
        self.work_factor = work_factor

    def wrap(self, file_key: bytes) -> list[Stanza]:
        salt = os.urandom(16)
        key = _scrypt_key(self._passphrase, salt, self.work_factor)
        return [
            Stanza(
                SCRYPT_STANZA,
                (b64encode_raw(salt), str(self.work_factor)),
                _aead_wrap(key, file_key),
            )
        ]

    def to_string(self) -> str:
        raise TypeError("scrypt recipients have no string encoding")

    def __repr__(self) -> str:
        return f"ScryptRecipient(work_factor={self.work_factor})"


class ScryptIdentity:
    """Passphrase decryption, refusing work factors above ``max_work_factor``."""

    def __init__(self, passphrase: bytes, max_work_factor: int = 22) -> None:
        _check_work_factor(max_work_factor)
        self._passphrase = bytes(passphrase)
        self.max_work_factor = max_work_factor

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for s in stanzas:
            if s.type != SCRYPT_STANZA:
                continue
            if len(stanzas) != 1:
                raise HeaderError("an scrypt stanza must be the only stanza in the header")
            if len(s.args) != 2:
                raise HeaderError("invalid scrypt stanza: wrong number of arguments")
            salt = _stanza_b64(s.args[0], 16, "scrypt salt")
            if not _DECIMAL.match(s.args[1]) or len(s.args[1]) > 3:
                raise HeaderError("invalid scrypt stanza: malformed work factor")
            work_factor = int(s.args[1])
            if work_factor > self.max_work_factor:
                raise HeaderError(
                    f"scrypt work factor {work_factor} exceeds the limit {self.max_work_factor}"
                )
            if work_factor < MIN_SCRYPT_WORK_FACTOR:  # pragma: no cover - regex forbids 0
                raise HeaderError("invalid scrypt stanza: work factor too small")
            if len(s.body) != FILE_KEY_SIZE + 16:
                raise HeaderError("invalid scrypt stanza: wrong body length")
            return _aead_unwrap(_scrypt_key(self._passphrase, salt, work_factor), s.body)
        return None

    def to_string(self) -> str:
        raise TypeError("scrypt identities have no string encoding")

    def recipient(self) -> ScryptRecipient:
        return ScryptRecipient(self._passphrase, min(18, self.max_work_factor))

    def __repr__(self) -> str:
        return f"ScryptIdentity(max_work_factor={self.max_work_factor})"

"""Passphrase wrapping of identities as standard age scrypt files."""

from __future__ import annotations

from crypto._errors import AgeError
from crypto._errors import KeyFormatError
from crypto.age import decrypt
from crypto.age import encrypt
from crypto.keys import Identity
from crypto.keys import parse_identity_file
from crypto.scrypt import ScryptIdentity
from crypto.scrypt import ScryptRecipient


def wrap_identity(identity: Identity, passphrase: str, *, work_factor: int) -> bytes:
    """Return an age scrypt file whose plaintext is the identity file (``age -d`` can open it)."""
    text = f"# integra wrapped identity\n{identity.to_string()}\n"
    return encrypt(text.encode("ascii"), [ScryptRecipient(passphrase.encode("utf-8"), work_factor)])


def unwrap_identity(blob: bytes, passphrase: str, *, max_work_factor: int = 22) -> Identity:
    """Open a wrapped identity; a wrong passphrase raises NoIdentityMatch."""
    plaintext = decrypt(blob, [ScryptIdentity(passphrase.encode("utf-8"), max_work_factor)])
    try:
        identities = parse_identity_file(plaintext.decode("ascii"))
    except (UnicodeDecodeError, KeyFormatError) as exc:
        raise AgeError(f"wrapped blob does not hold an identity: {exc}") from None
    if len(identities) != 1:
        raise AgeError("wrapped blob must hold exactly one identity")
    return identities[0]

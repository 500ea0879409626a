"""Exception hierarchy of the age implementation."""

from __future__ import annotations


class AgeError(Exception):
    """Base class of every failure raised by the age implementation."""


class HeaderError(AgeError):
    """The header is malformed, uses an unsupported version, or a stanza is invalid."""


class NoIdentityMatch(AgeError):
    """None of the identities could unwrap any stanza of the header."""


class HMACError(AgeError):
    """The header MAC does not verify: the header was altered."""


class PayloadError(AgeError):
    """The STREAM payload failed to authenticate or is truncated/extended.

    ``released`` is the number of plaintext bytes already released to the caller
    before the failure. Every released byte was authenticated, but the file as a
    whole is not: callers must discard what they received.
    """

    def __init__(self, message: str, released: int = 0) -> None:
        super().__init__(message)
        self.released = released


class ArmorError(AgeError):
    """The ASCII armor is malformed or not canonical."""


class KeyFormatError(AgeError, ValueError):
    """A recipient or identity string is not valid."""


class IncompatibleRecipients(AgeError, ValueError):
    """The recipients cannot share one file (scrypt mixed, or post-quantum mixed with classical)."""

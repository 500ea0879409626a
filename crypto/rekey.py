"""Re-addressing an age file (key rotation): new stanzas for the same file key, the payload
kept byte for byte (docs/threat-model.md, "Key rotation")."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import NamedTuple

from crypto._encoding import b64encode_raw
from crypto._errors import AgeError
from crypto._errors import HeaderError
from crypto._errors import HMACError
from crypto._errors import IncompatibleRecipients
from crypto._errors import NoIdentityMatch
from crypto._format import Source
from crypto._format import Stanza
from crypto._format import encode_header_without_mac
from crypto._format import parse_header
from crypto.age import _check_recipients
from crypto.age import _header_mac
from crypto.age import _header_mac_matches
from crypto.age import _unwrap_file_key
from crypto.age import _wrap_all
from crypto.keys import FILE_KEY_SIZE
from crypto.keys import HYBRID_STANZA
from crypto.keys import Identity
from crypto.keys import Recipient
from crypto.scrypt import SCRYPT_STANZA


class RewrappedHeader(NamedTuple):
    """A new header for an existing age file, and where the old one ended.

    The new file is ``header + data[old_size:]``: the payload nonce and the STREAM body
    are kept byte for byte, since the file key (and so the payload key) does not change.
    """

    header: bytes
    old_size: int
    replaced: int


def rewrap_header(
    data: bytes, identities: Sequence[Identity], recipients: Sequence[Recipient]
) -> RewrappedHeader:
    """Re-address an age file: the stanzas that ``identities`` open are replaced by stanzas
    for ``recipients``; every other stanza (for instance a complainant's) is kept.

    ``data`` is the start of a binary age file holding at least the whole header. The file
    key is unwrapped, the header MAC is checked with it and recomputed for the new header
    (the MAC key derives from the file key, docs/threat-model.md "Key rotation").
    Raises NoIdentityMatch when no identity opens any stanza, HMACError when the header
    was modified, IncompatibleRecipients for passphrase files or mixing classical and
    post-quantum stanzas.
    """
    _check_recipients(recipients)
    src = Source(io.BytesIO(data).read)
    header = parse_header(src)
    old_size = len(header.bytes_without_mac) + 1 + 43 + 1
    if data[old_size - 1 : old_size] != b"\n":  # pragma: no cover - parse_header checked it
        raise HeaderError("malformed header MAC line")
    if any(s.type == SCRYPT_STANZA for s in header.stanzas):
        raise IncompatibleRecipients("a passphrase-encrypted file is not re-wrapped")
    if not identities:
        raise NoIdentityMatch("no identities given")
    file_key: bytes | None = None
    kept: list[Stanza] = []
    replaced = 0
    for stanza in header.stanzas:
        opened = None
        for identity in identities:
            opened = identity.unwrap([stanza])
            if opened is not None:
                break
        if opened is None:
            kept.append(stanza)
            continue
        if len(opened) != FILE_KEY_SIZE or (file_key is not None and opened != file_key):
            raise HeaderError("stanzas of one file wrap different file keys")
        file_key = opened
        replaced += 1
    if file_key is None:
        raise NoIdentityMatch("no identity matched any of the recipients")
    if not _header_mac_matches(file_key, header.bytes_without_mac, header.mac):
        raise HMACError("header MAC mismatch: the header was modified")
    stanzas = kept + _wrap_all(file_key, recipients)
    if len({s.type == HYBRID_STANZA for s in stanzas}) > 1:
        raise IncompatibleRecipients(
            "cannot mix post-quantum (age1pq1…) and classical stanzas in one file"
        )
    without_mac = encode_header_without_mac(stanzas)
    mac = b64encode_raw(_header_mac(file_key, without_mac)).encode("ascii")
    return RewrappedHeader(without_mac + b" " + mac + b"\n", old_size, replaced)


def header_opens(data: bytes, identities: Sequence[Identity]) -> bool:
    """Whether ``identities`` open the header at the start of ``data`` (key and MAC check);
    the payload is not read. False for anything that is not a binary age header."""
    try:
        header = parse_header(Source(io.BytesIO(data).read))
        file_key = _unwrap_file_key(header.stanzas, identities)
    except AgeError:
        return False
    return _header_mac_matches(file_key, header.bytes_without_mac, header.mac)


def rewrap(data: bytes, identities: Sequence[Identity], recipients: Sequence[Recipient]) -> bytes:
    """A whole binary age file re-addressed (see rewrap_header); the payload is unchanged."""
    new = rewrap_header(data, identities, recipients)
    return new.header + data[new.old_size :]

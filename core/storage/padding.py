"""Padded sizes: what a database reader learns about a sealed object's length.

An age file is as long as its plaintext plus a header and 16 bytes per 64 KiB, so without
padding the ciphertext sizes in the database give every report's, identity's and file's exact
length. Sealed objects are padded to a Padmé length first (Nikitin et al., "Reducing Metadata
Leakage from Encrypted Files and Communication with PURBs", PETS 2019): at most 12 % larger,
and a size reveals only O(log log n) bits (docs/threat-model.md, "Sizes").

The padding survives decryption by the standard age tools, in forms those tools' users read
without Integra:
- JSON documents (report, identity, attachment metadata) end in spaces: still valid JSON,
  `age -d report.age | jq .` reads it as is;
- texts (messages, notes, reasons) end in spaces: `age -d mensaje.age` shows the text;
- files are framed as a one-member tar archive (POSIX ustar) followed by zero blocks:
  `age -d adjunto.age | tar -x` writes the original file byte for byte, and tar stops at the
  first two zero blocks (`unframe` does the same for Integra's readers).
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterable
from collections.abc import Iterator
from typing import BinaryIO

BLOCK = 512
_END = 2 * BLOCK  # a tar archive ends with two zero blocks
FRAMING_TAR = "tar"


def padme(length: int) -> int:
    """The Padmé length for `length` bytes: keep the top log2(log2(L)) + 1 bits of L and round
    the rest up, so at most ~12 % is added and small objects are left nearly alone."""
    if length < 2:
        return length
    e = length.bit_length() - 1  # floor(log2 L)
    s = e.bit_length()  # floor(log2 e) + 1
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def pad_json(document: bytes) -> bytes:
    """A JSON document padded with trailing spaces to its Padmé length (still valid JSON)."""
    return document + b" " * (padme(len(document)) - len(document))


def pad_text(text: str) -> bytes:
    """Text a person wrote (a message, an internal note, an act's reasoning, a hold's reason)
    as sealed: trailing white space dropped, then spaces up to the Padmé length. `age -d`
    shows the text followed by blanks; `unpad_text` gives it back exactly."""
    body = text.rstrip().encode("utf-8")
    return body + b" " * (padme(len(body)) - len(body))


def unpad_text(plaintext: bytes) -> str:
    """The text of `pad_text` (an unpadded older one loses only trailing spaces)."""
    return plaintext.decode("utf-8").rstrip(" ")


def tar_name(filename: str) -> str:
    """A safe member name for `tar -x`: the base name in printable ASCII, at most 100 bytes."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if 32 < ord(ch) < 127 and ch not in "\"'<>:|?*;$`&")
    cleaned = cleaned.strip(".")[:100]
    return cleaned or "adjunto"


def frame_header(filename: str, size: int) -> bytes:
    """The ustar header of the one member holding a file of `size` bytes."""
    info = tarfile.TarInfo(tar_name(filename))
    info.size = size
    info.mode = 0o600
    info.mtime = 0  # no time: the case's events carry it
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def framed_length(size: int) -> int:
    """Header, content to a whole block, the end marker, then Padmé up to whole blocks."""
    bare = BLOCK + -(-size // BLOCK) * BLOCK + _END
    return -(-padme(bare) // BLOCK) * BLOCK


def frame(filename: str, size: int, content: Iterable[bytes]) -> Iterator[bytes]:
    """The framed, padded file as pieces: header, the content (exactly `size` bytes), zeros."""
    yield frame_header(filename, size)
    seen = 0
    for piece in content:
        seen += len(piece)
        if seen > size:
            raise ValueError("the content is longer than its declared size")
        yield piece
    if seen != size:
        raise ValueError("the content is shorter than its declared size")
    zeros = framed_length(size) - BLOCK - size
    while zeros:
        step = min(zeros, 64 * 1024)
        yield bytes(step)
        zeros -= step


def read_pieces(src: BinaryIO, size: int) -> Iterator[bytes]:
    """Pieces of at most 64 KiB from a binary file object, `size` bytes in all."""
    left = size
    while left > 0:
        piece = src.read(min(left, 64 * 1024))
        if not piece:
            return
        left -= len(piece)
        yield piece


class FramingError(ValueError):
    """A framed blob that is not a one-member ustar archive (corrupt or not framed)."""


def unframe(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The file inside a framed plaintext stream: the member's bytes, padding dropped."""
    stream = iter(pieces)
    head = b""
    for piece in stream:
        head += piece
        if len(head) >= BLOCK:
            break
    if len(head) < BLOCK:
        raise FramingError("the framed object is shorter than a tar header")
    try:
        info = tarfile.TarInfo.frombuf(head[:BLOCK], "utf-8", "surrogateescape")
    except tarfile.HeaderError as exc:
        raise FramingError("the framed object does not start with a tar header") from exc
    left = info.size
    rest = head[BLOCK:]
    if rest:
        out = rest[:left]
        left -= len(out)
        if out:
            yield out
    for piece in stream:
        if left > 0:
            out = piece[:left]
            left -= len(out)
            yield out
        # The padding is read too: the age stream authenticates its final chunk only at the
        # end, so a copy cut short after the file is still refused.
    if left > 0:
        raise FramingError("the framed object ends inside its file")

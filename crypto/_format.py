"""age v1 header syntax, ASCII armor and the buffered byte source used by the decoder."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import NamedTuple
from typing import Protocol

from crypto._encoding import b64decode_padded_strict
from crypto._encoding import b64decode_raw
from crypto._encoding import b64encode_raw
from crypto._errors import ArmorError
from crypto._errors import HeaderError

VERSION_LINE = b"age-encryption.org/v1\n"
VERSION_PREFIX = b"age-encryption.org/"
COLUMNS = 64
MAX_HEADER_SIZE = 4 * 1024 * 1024
MAX_HEADER_LINE = 64 * 1024

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
_ARMOR_BYTES_PER_LINE = COLUMNS // 4 * 3
_ARMOR_LINE = COLUMNS + 1  # a full line and its LF
_WHITESPACE = b" \t\r\n"


class Writer(Protocol):
    """Anything with a ``write(bytes)`` method (files, BytesIO, sockets wrapped as files)."""

    def write(self, data: bytes, /) -> object: ...


class Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Stanza(NamedTuple):
    """One recipient stanza: its type (first argument), further arguments and body."""

    type: str
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        line = " ".join(("->", self.type, *self.args)) + "\n"
        encoded = b64encode_raw(self.body)
        out = [line]
        for i in range(0, len(encoded), COLUMNS):
            out.append(encoded[i : i + COLUMNS] + "\n")
        if len(encoded) % COLUMNS == 0:
            out.append("\n")
        return "".join(out).encode("ascii")


def _is_vchar_arg(arg: str) -> bool:
    # 0x21..0x7E: printable ASCII without the space (str methods, not a per-character loop:
    # a post-quantum stanza argument is 1.5 KB).
    return bool(arg) and arg.isascii() and arg.isprintable() and " " not in arg


def encode_header_without_mac(stanzas: list[Stanza]) -> bytes:
    for s in stanzas:
        if not all(_is_vchar_arg(a) for a in (s.type, *s.args)):
            raise ValueError("stanza arguments must be non-empty printable ASCII")
    return VERSION_LINE + b"".join(s.encode() for s in stanzas) + b"---"


# --- buffered source -----------------------------------------------------------------------------


class Source:
    """A small buffered reader over a ``read(n)`` callable with bounded line reads."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read
        self._buf = bytearray()
        self._eof = False

    def _fill(self, want: int) -> None:
        while len(self._buf) < want and not self._eof:
            data = self._read(max(want - len(self._buf), 16384))
            if not data:
                self._eof = True
            else:
                self._buf += data

    def peek(self, n: int) -> bytes:
        self._fill(n)
        return bytes(self._buf[:n])

    def read_exact(self, n: int) -> bytes:
        """Read ``n`` bytes, or fewer only at end of input."""
        self._fill(n)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def read_line(self, limit: int) -> bytes:
        """Read up to and including LF; at most ``limit`` bytes; returns partial line at EOF."""
        start = 0
        while True:
            idx = self._buf.find(b"\n", start)
            if idx >= 0:
                if idx + 1 > limit:
                    raise ValueError("line too long")
                out = bytes(self._buf[: idx + 1])
                del self._buf[: idx + 1]
                return out
            if len(self._buf) > limit:
                raise ValueError("line too long")
            if self._eof:
                out = bytes(self._buf)
                self._buf.clear()
                return out
            start = len(self._buf)
            self._fill(len(self._buf) + 1)


# --- header --------------------------------------------------------------------------------------


class Header(NamedTuple):
    stanzas: list[Stanza]
    mac: bytes
    bytes_without_mac: bytes  # everything up to and including "---"


def _b64_line(line: bytes) -> bytes:
    try:
        return b64decode_raw(line)
    except ValueError as exc:
        raise HeaderError(f"invalid base64 in header: {exc}") from None


def parse_header(src: Source) -> Header:
    """Parse a v1 header strictly from ``src`` (leaves the source at the payload nonce)."""
    consumed = bytearray()

    def line() -> bytes:
        try:
            ln = src.read_line(MAX_HEADER_LINE)
        except ValueError:
            raise HeaderError("header line too long") from None
        consumed.extend(ln)
        if len(consumed) > MAX_HEADER_SIZE:
            raise HeaderError("header too large")
        if not ln.endswith(b"\n"):
            raise HeaderError("unexpected end of header")
        return ln[:-1]

    first = line()
    if first + b"\n" != VERSION_LINE:
        if first.startswith(VERSION_PREFIX):
            raise HeaderError("unsupported age format version")
        raise HeaderError("not an age file: missing version line")

    stanzas: list[Stanza] = []
    ln = line()
    while True:
        if ln.startswith(b"---"):
            mac_prefix_len = len(consumed) - len(ln) - 1 + 3
            if not ln.startswith(b"--- "):
                raise HeaderError("malformed header MAC line")
            mac_text = ln[4:]
            if len(mac_text) != 43:
                raise HeaderError("malformed header MAC")
            mac = _b64_line(mac_text)
            if not stanzas:
                raise HeaderError("header has no recipient stanzas")
            return Header(stanzas, mac, bytes(consumed[:mac_prefix_len]))
        if not ln.startswith(b"-> "):
            raise HeaderError("malformed stanza line")
        try:
            text = ln[3:].decode("ascii")
        except UnicodeDecodeError:
            raise HeaderError("non-ASCII stanza argument") from None
        args = text.split(" ")
        if not args or not all(_is_vchar_arg(a) for a in args):
            raise HeaderError("malformed stanza arguments")
        body = bytearray()
        while True:
            bl = line()
            if len(bl) > COLUMNS:
                raise HeaderError("stanza body line longer than 64 columns")
            body += _b64_line(bl)
            if len(bl) < COLUMNS:
                break
        stanzas.append(Stanza(args[0], tuple(args[1:]), bytes(body)))
        ln = line()


# --- armor ---------------------------------------------------------------------------------------


class ArmorDecoder:
    """Streaming decoder for the strict PEM armor; ``read(n)`` returns decoded bytes."""

    def __init__(self, src: Source) -> None:
        self._src = src
        self._started = False
        self._done = False
        self._pending = b""

    def _line(self) -> tuple[bytes, bool]:
        """Return (line without EOL, had_eol)."""
        try:
            ln = self._src.read_line(COLUMNS + 2)
        except ValueError:
            raise ArmorError("armor line too long") from None
        if ln.endswith(b"\r\n"):
            return ln[:-2], True
        if ln.endswith(b"\n"):
            return ln[:-1], True
        return ln, False

    def _start(self) -> None:
        while True:
            b = self._src.peek(1)
            if b and b in _WHITESPACE:
                self._src.read_exact(1)
                continue
            break
        try:
            first, _ = self._line()
        except ArmorError:
            first = b""  # a first "line" longer than armor allows: not armor
        if first != ARMOR_BEGIN:
            if not first.startswith(b"-----BEGIN"):
                # Neither the binary header nor armor: most likely not an age file at all.
                raise ArmorError("not an age file: no age header and no armor BEGIN line")
            raise ArmorError("invalid armor: missing or wrong BEGIN line")
        self._started = True

    def _finish(self) -> None:
        while True:
            chunk = self._src.read_exact(16384)
            if not chunk:
                break
            if chunk.strip(_WHITESPACE):
                raise ArmorError("trailing data after armored file")
        self._done = True

    def _next_block(self) -> bytes:
        ln, had_eol = self._line()
        if ln == ARMOR_END:
            self._finish()
            return b""
        if not had_eol:
            raise ArmorError("invalid armor: missing END line")
        if len(ln) > COLUMNS:
            raise ArmorError("armor line longer than 64 columns")
        if not ln:
            raise ArmorError("empty line in armor")
        try:
            data = b64decode_padded_strict(ln)
        except ValueError as exc:
            raise ArmorError(f"invalid armor base64: {exc}") from None
        if len(ln) < COLUMNS or ln.endswith(b"="):
            end, _ = self._line()
            if end != ARMOR_END:
                raise ArmorError("invalid armor: short line not followed by END line")
            self._finish()
        return data

    def _full_lines(self, want: int) -> bytes:
        """Decode, in one go, the run of full 64-column LF lines without padding at the front
        of the input (at most enough for ``want`` bytes); b"" when the next line is any other
        (the last line, END, CRLF or a defect), which ``_next_block`` then judges alone.

        Such lines are canonical base64 by construction (whole quanta, no "="), so the bulk
        decode accepts exactly what the line-by-line path accepts (docs/performance.md,
        "Armor")."""
        src = self._src
        src._fill(_ARMOR_LINE)
        if src._buf.find(b"\n", 0, _ARMOR_LINE) != COLUMNS:
            return b""
        lines = min(max(want // _ARMOR_BYTES_PER_LINE, 1), 4096)
        src._fill(lines * _ARMOR_LINE)
        buf = src._buf
        lines = min(lines, len(buf) // _ARMOR_LINE)
        if lines == 0:
            return b""
        block = bytes(buf[: lines * _ARMOR_LINE])
        if block.count(b"\n") != lines or block[COLUMNS::_ARMOR_LINE] != b"\n" * lines:
            # The end of the armor (or a defect) is in this block: decode the full lines before
            # it; this runs once per file.
            first_bad = block.find(b"\n")
            lines = 0
            while first_bad == (lines + 1) * _ARMOR_LINE - 1:
                lines += 1
                first_bad = block.find(b"\n", first_bad + 1)
            if lines == 0:
                return b""
            block = block[: lines * _ARMOR_LINE]
        if b"=" in block:
            return b""
        try:
            data = binascii.a2b_base64(block.replace(b"\n", b""), strict_mode=True)
        except binascii.Error:
            raise ArmorError("invalid armor base64: invalid base64") from None
        del buf[: len(block)]
        return data

    def read(self, size: int = -1) -> bytes:
        if not self._started:
            self._start()
        out = bytearray(self._pending)
        self._pending = b""
        while (size < 0 or len(out) < size) and not self._done:
            bulk = self._full_lines(size - len(out) if size >= 0 else 1 << 20)
            out += bulk if bulk else self._next_block()
        if size >= 0 and len(out) > size:
            self._pending = bytes(out[size:])
            del out[size:]
        return bytes(out)


class ArmorEncoder:
    """Streaming writer of the armor; call ``close()`` to emit the final line and footer."""

    def __init__(self, dst: Writer) -> None:
        self._dst = dst
        self._buf = bytearray()
        self._closed = False
        dst.write(ARMOR_BEGIN + b"\n")

    def write(self, data: bytes) -> int:
        self._buf += data
        full = len(self._buf) - len(self._buf) % _ARMOR_BYTES_PER_LINE
        if full:
            block = bytes(self._buf[:full])
            del self._buf[:full]
            encoded = base64.b64encode(block)
            lines = len(encoded) // COLUMNS
            out = bytearray(b"\n" * (lines * _ARMOR_LINE))
            for column in range(COLUMNS):  # strided copies: 64 per block, not one per line
                out[column::_ARMOR_LINE] = encoded[column::COLUMNS]
            self._dst.write(bytes(out))
        return len(data)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._buf:
            self._dst.write(base64.b64encode(bytes(self._buf)) + b"\n")
        self._dst.write(ARMOR_END + b"\n")

"""age v1 encryption and decryption: one-shot and constant-memory streaming.

Why one module just over 450 lines: `Encryptor` and `Decryptor` are the two halves of one
format. They share the header MAC, the payload key and the chunk nonces defined at the top,
and a reader checks one against the other (chunk sizes, the last-chunk flag, the counter
limit); the framing itself is already crypto._format and the two-core sealer
crypto._pipeline. Split, the inverse would sit in another file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from collections.abc import Sequence
from types import TracebackType
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto._encoding import b64encode_raw
from crypto._errors import AgeError
from crypto._errors import HeaderError
from crypto._errors import HMACError
from crypto._errors import IncompatibleRecipients
from crypto._errors import NoIdentityMatch
from crypto._errors import PayloadError
from crypto._format import VERSION_PREFIX
from crypto._format import ArmorDecoder
from crypto._format import ArmorEncoder
from crypto._format import Reader
from crypto._format import Source
from crypto._format import Stanza
from crypto._format import Writer
from crypto._format import encode_header_without_mac
from crypto._format import parse_header
from crypto.keys import FILE_KEY_SIZE
from crypto.keys import Identity
from crypto.keys import Recipient
from crypto.scrypt import SCRYPT_STANZA
from crypto.scrypt import ScryptRecipient

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENC_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
NONCE_SIZE = 16
_MAX_COUNTER = (1 << 88) - 1


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


# cryptography's HMAC rather than the stdlib's (hmac, hashlib): loading those would add to
# every `integra age` start (docs/performance.md, "CLI start-up").
def _header_hmac(file_key: bytes, header_without_mac: bytes) -> hmac.HMAC:
    mac = hmac.HMAC(_hkdf(file_key, b"", b"header"), hashes.SHA256())
    mac.update(header_without_mac)
    return mac


def _header_mac(file_key: bytes, header_without_mac: bytes) -> bytes:
    return _header_hmac(file_key, header_without_mac).finalize()


def _header_mac_matches(file_key: bytes, header_without_mac: bytes, mac: bytes) -> bool:
    """Constant-time check of a header MAC."""
    try:
        _header_hmac(file_key, header_without_mac).verify(mac)
    except InvalidSignature:
        return False
    return True


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _check_recipients(recipients: Sequence[Recipient]) -> None:
    if not recipients:
        raise IncompatibleRecipients("no recipients given")
    if any(isinstance(r, ScryptRecipient) for r in recipients) and len(recipients) != 1:
        raise IncompatibleRecipients("a passphrase (scrypt) recipient must be the only recipient")
    labels: set[frozenset[str]] = {getattr(r, "labels", frozenset()) for r in recipients}
    if len(labels) > 1:
        raise IncompatibleRecipients(
            "cannot mix post-quantum (age1pq1…) and classical recipients in one file: "
            "it would undo the post-quantum protection"
        )


def _wrap_all(file_key: bytes, recipients: Sequence[Recipient]) -> list[Stanza]:
    stanzas: list[Stanza] = []
    for r in recipients:
        stanzas.extend(r.wrap(file_key))
    if any(s.type == SCRYPT_STANZA for s in stanzas) and len(stanzas) != 1:
        raise IncompatibleRecipients("an scrypt stanza must be the only stanza")
    return stanzas


# --- encryption ----------------------------------------------------------------------------------


class Encryptor:
    """Writable age stream. ``close()`` writes the final chunk; it does not close ``dst``."""

    def __init__(self, dst: Writer, recipients: Sequence[Recipient], *, armor: bool) -> None:
        _check_recipients(recipients)
        file_key = os.urandom(FILE_KEY_SIZE)
        stanzas = _wrap_all(file_key, recipients)
        header = encode_header_without_mac(stanzas)
        mac = b64encode_raw(_header_mac(file_key, header)).encode("ascii")
        nonce = os.urandom(NONCE_SIZE)
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._armor = ArmorEncoder(dst) if armor else None
        self._out: Writer = self._armor if self._armor is not None else dst
        self._out.write(header + b" " + mac + b"\n" + nonce)
        self._buf = bytearray()
        self._counter = 0
        self._closed = False
        self.written = 0

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed age encryptor")
        view = memoryview(data)
        n = len(view)
        self.written += n
        # Keep at least one byte buffered: a chunk is final only when we know nothing follows.
        if not self._buf and n > CHUNK_SIZE:
            offset = 0
            while n - offset > CHUNK_SIZE:
                self._emit(view[offset : offset + CHUNK_SIZE], last=False)
                offset += CHUNK_SIZE
            self._buf += view[offset:]
            return n
        self._buf += view
        while len(self._buf) > CHUNK_SIZE:
            self._emit(memoryview(self._buf)[:CHUNK_SIZE], last=False)
            del self._buf[:CHUNK_SIZE]
        return n

    def emit_full_chunk(self, chunk: bytes) -> None:
        """Seal one full non-final chunk (internal fast path of encrypt_stream)."""
        if self._closed or self._buf or len(chunk) != CHUNK_SIZE:
            raise ValueError("emit_full_chunk needs an open encryptor with an empty buffer")
        self._emit(chunk, last=False)

    def finish_with(self, chunk: bytes) -> None:
        """Seal ``chunk`` as the final chunk and close (internal fast path of encrypt_stream)."""
        if self._closed or self._buf or len(chunk) > CHUNK_SIZE:
            raise ValueError("finish_with needs an open encryptor with an empty buffer")
        self._buf += chunk
        self.close()

    def seal_batch(self, data: bytes, *, final: bool) -> list[bytes]:
        """Seal whole chunks of `data` (when `final`, the last may be short and is sealed as
        the final chunk, closing the stream) and return them instead of writing them: the
        binary fast path of encrypt_stream hands them to its writer thread."""
        if self._closed or self._buf or self._armor is not None:
            raise ValueError("seal_batch needs an open binary encryptor with an empty buffer")
        view = memoryview(data)
        n = len(view)
        if not final and n % CHUNK_SIZE:
            raise ValueError("a batch that is not final holds whole chunks")
        parts: list[bytes] = []
        seal = self._aead.encrypt
        offset = 0
        # The final chunk: the last (possibly short) piece, or an empty one for empty input.
        stop = max(n - 1, 0) // CHUNK_SIZE * CHUNK_SIZE if final else n
        while offset < stop:
            parts.append(
                seal(_chunk_nonce(self._counter, False), view[offset : offset + CHUNK_SIZE], None)
            )
            self._counter += 1
            offset += CHUNK_SIZE
        if final:
            parts.append(seal(_chunk_nonce(self._counter, True), view[offset:], None))
            self._counter += 1
            self._closed = True
        if self._counter > _MAX_COUNTER:  # pragma: no cover - 2^88 chunks
            raise AgeError("STREAM chunk counter overflow")
        return parts

    def _emit(self, chunk: memoryview | bytes, *, last: bool) -> None:
        if self._counter > _MAX_COUNTER:  # pragma: no cover - 2^88 chunks
            raise AgeError("STREAM chunk counter overflow")
        self._out.write(self._aead.encrypt(_chunk_nonce(self._counter, last), chunk, None))
        self._counter += 1

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._emit(bytes(self._buf), last=True)
        self._buf.clear()
        if self._armor is not None:
            self._armor.close()

    def __enter__(self) -> Encryptor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            # Do not finalise a stream whose producer failed: a truncated age file
            # (no final chunk) cannot be mistaken for a complete one.
            self._closed = True


def open_encryptor(
    dst: Writer, recipients: Sequence[Recipient], *, armor: bool = False
) -> Encryptor:
    """Return a writer that encrypts to ``recipients`` in constant memory."""
    return Encryptor(dst, recipients, armor=armor)


def _read_full(src: BinaryIO | Reader, n: int) -> bytes:
    """Read exactly ``n`` bytes, or fewer only at end of input (pipes return short reads)."""
    data = src.read(n)
    if len(data) == n or not data:
        return data
    parts = [data]
    have = len(data)
    while have < n:
        more = src.read(n - have)
        if not more:
            break
        parts.append(more)
        have += len(more)
    return b"".join(parts)


def _has_file_descriptor(dst: Writer) -> bool:
    fileno = getattr(dst, "fileno", None)
    if fileno is None:
        return False
    try:
        return isinstance(fileno(), int)
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return False


def encrypt_stream(
    src: BinaryIO | Reader, dst: Writer, recipients: Sequence[Recipient], *, armor: bool = False
) -> int:
    """Encrypt everything from ``src`` into ``dst``; return the plaintext byte count.

    Reads one chunk ahead, so each chunk is sealed straight from the read buffer. A binary
    stream into a real file or pipe larger than one batch is sealed on one core and written
    on the other (crypto._pipeline).
    """
    if not armor and _has_file_descriptor(dst):
        from crypto._pipeline import encrypt_to_fd  # noqa: PLC0415 - threads only when used

        return encrypt_to_fd(open_encryptor(dst, recipients), src, dst)
    enc = open_encryptor(dst, recipients, armor=armor)
    total = 0
    current = _read_full(src, CHUNK_SIZE)
    while True:
        following = _read_full(src, CHUNK_SIZE) if len(current) == CHUNK_SIZE else b""
        total += len(current)
        if not following:
            enc.written = total
            enc.finish_with(current)
            return total
        enc.emit_full_chunk(current)
        current = following


def encrypt(plaintext: bytes, recipients: Sequence[Recipient], *, armor: bool = False) -> bytes:
    out = io.BytesIO()
    with open_encryptor(out, recipients, armor=armor) as enc:
        enc.write(plaintext)
    return out.getvalue()


# --- decryption ----------------------------------------------------------------------------------


def _open_source(src: BinaryIO | Reader) -> Source:
    """Detect armor: a binary age file starts with the version prefix, anything else is armor."""
    raw = Source(src.read)
    start = raw.peek(len(VERSION_PREFIX))
    if VERSION_PREFIX.startswith(start):
        return raw
    return Source(ArmorDecoder(raw).read)


def _unwrap_file_key(stanzas: list[Stanza], identities: Sequence[Identity]) -> bytes:
    if any(s.type == SCRYPT_STANZA for s in stanzas) and len(stanzas) != 1:
        raise HeaderError("an scrypt stanza must be the only stanza in the header")
    if not identities:
        raise NoIdentityMatch("no identities given")
    for identity in identities:
        file_key = identity.unwrap(stanzas)
        if file_key is not None:
            if len(file_key) != FILE_KEY_SIZE:
                raise HeaderError("unwrapped file key has the wrong length")
            return file_key
    raise NoIdentityMatch("no identity matched any of the recipients")


class Decryptor:
    """Readable age stream that releases only authenticated plaintext, one chunk at a time."""

    def __init__(self, src: BinaryIO | Reader, identities: Sequence[Identity]) -> None:
        self._src = _open_source(src)
        header = parse_header(self._src)
        file_key = _unwrap_file_key(header.stanzas, identities)
        if not _header_mac_matches(file_key, header.bytes_without_mac, header.mac):
            raise HMACError("header MAC mismatch: the header was modified")
        nonce = self._src.read_exact(NONCE_SIZE)
        if len(nonce) != NONCE_SIZE:
            raise HeaderError("file too short: missing payload nonce")
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._counter = 0
        self._done = False
        self._failed: PayloadError | None = None
        self._pending = b""
        self.released = 0

    def _fail(self, message: str) -> PayloadError:
        self._failed = PayloadError(message, self.released)
        return self._failed

    def _next_chunk(self) -> bytes:
        """Authenticate and return the next chunk; b'' once the final chunk was consumed.

        Each chunk is released as soon as it authenticates (as in the reference
        implementation and the CCTV vectors); a later failure raises PayloadError, and the
        caller must then discard the whole output.
        """
        if self._failed is not None:
            raise self._failed
        if self._done:
            return b""
        if self._counter > _MAX_COUNTER:  # pragma: no cover - 2^88 chunks
            raise self._fail("STREAM chunk counter overflow")
        data = self._src.read_exact(ENC_CHUNK_SIZE)
        if not data:
            raise self._fail("truncated file: no final chunk")
        if len(data) < ENC_CHUNK_SIZE:
            # A short chunk can only be the final one (read_exact stops short only at EOF).
            if len(data) < TAG_SIZE:
                raise self._fail("truncated chunk")
            if len(data) == TAG_SIZE and self._counter > 0:
                raise self._fail("empty final chunk after non-empty chunks")
            plain = self._open(data, last=True)
            if plain is None:
                raise self._fail("payload authentication failed")
            self._done = True
        else:
            plain = self._open(data, last=False)
            if plain is None:
                plain = self._open(data, last=True)
                if plain is None:
                    raise self._fail("payload authentication failed")
                self._done = True
                if self._src.peek(1):
                    # The final chunk is authentic; what follows it is not part of the file.
                    self._done = False
                    self._counter += 1
                    self.released += len(plain)
                    self._failed = PayloadError(
                        "trailing data after the final chunk", self.released
                    )
                    return plain
        self._counter += 1
        self.released += len(plain)
        return plain

    def _open(self, data: bytes, *, last: bool) -> bytes | None:
        try:
            return self._aead.decrypt(_chunk_nonce(self._counter, last), data, None)
        except InvalidTag:
            return None

    def __iter__(self) -> Iterator[bytes]:
        if self._pending:
            pending, self._pending = self._pending, b""
            yield pending
        while True:
            chunk = self._next_chunk()
            if not chunk:
                if self._done:
                    return
                continue
            yield chunk

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = [self._pending]
            self._pending = b""
            while not self._done:
                parts.append(self._next_chunk())
            return b"".join(parts)
        out = bytearray(self._pending)
        self._pending = b""
        while len(out) < size and not self._done:
            out += self._next_chunk()
        if len(out) > size:
            self._pending = bytes(out[size:])
            del out[size:]
        return bytes(out)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._done = True
        self._pending = b""

    def __enter__(self) -> Decryptor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_decryptor(src: BinaryIO | Reader, identities: Sequence[Identity]) -> Decryptor:
    """Parse and authenticate the header now; return a reader of authenticated plaintext."""
    return Decryptor(src, identities)


def decrypt_stream(src: BinaryIO | Reader, dst: Writer, identities: Sequence[Identity]) -> int:
    """Decrypt ``src`` into ``dst`` (armor auto-detected); return the plaintext byte count.

    On a payload failure, ``dst`` has received the authenticated chunks before the
    failure (``PayloadError.released`` bytes): the caller must discard them.
    """
    reader = open_decryptor(src, identities)
    for chunk in reader:
        dst.write(chunk)
    return reader.released


def decrypt(data: bytes, identities: Sequence[Identity]) -> bytes:
    """Decrypt a whole age file (binary or armored); never returns partial plaintext."""
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(data), out, identities)
    return out.getvalue()

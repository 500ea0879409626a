"""Bytes handed over: the giver keeps no reference, so the receiver can free them early.

A 50 MiB upload must not be held twice while it is cleaned (docs/performance.md, "Upload
memory"): the PDF cleaner parses the file, then lets the original go before it writes the
cleaned copy. Python frees an object only when its last reference goes, so the bytes travel
in an `Owned` and whoever takes them is the only one left holding them.
"""

from __future__ import annotations


class Owned:
    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data
        self.size = len(data)

    def peek(self) -> bytes:
        """The bytes, still owned here: use them in an expression, never keep them."""
        if self._data is None:
            raise ValueError("the bytes were already taken")
        return self._data

    def take(self) -> bytes:
        """The bytes, handed over: this holder forgets them."""
        data = self.peek()
        self._data = None
        return data

    def drop(self) -> None:
        self._data = None

"""mat2, the metadata anonymisation toolkit Tails ships, for the formats that Integra's
lossless built-in cleaners do not handle (TIFF/HEIC, audio, video, ZIP, and a second
pass over Office/ODF documents).

It runs as the `mat2` command inside core.files.sandbox: bubblewrap with a RAM-only tmpfs
(mat2's own sandbox is switched off inside ours, where it cannot nest). Archive members of
a format mat2 does not know make it refuse (its default "abort" policy), so a ZIP is
either cleaned whole or reported as not cleanable, never passed on half-cleaned.
"""

from __future__ import annotations

import shutil

from core.files import sandbox
from core.files.metadata import CleaningFailed

# Content kind (core.files.inspection.sniff) -> the extension mat2 chooses its parser by.
EXTENSIONS = {
    "tiff": "tiff",
    "heic": "heic",
    "mp3": "mp3",
    "ogg": "ogg",
    "flac": "flac",
    "wav": "wav",
    "mp4": "mp4",
    "zip": "zip",
}


def available() -> bool:
    return shutil.which("mat2") is not None


def clean(data: bytes, ext: str, *, unknown_members: str = "abort") -> bytes:
    """The file as mat2 cleans it; raises CleaningFailed when mat2 is missing or refuses."""
    if not available():
        raise CleaningFailed("mat2 not installed")
    name = f"evidence.{ext}"
    command = ["mat2", "--no-sandbox", "--unknown-members", unknown_members, f"w/{name}"]
    try:
        return sandbox.run(command, data, name=name, output=f"evidence.cleaned.{ext}")
    except sandbox.ToolFailed as exc:
        raise CleaningFailed(ext) from exc

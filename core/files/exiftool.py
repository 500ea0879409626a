"""exiftool, the reference reader: what a file carries, in the complainant's categories.

Run in core.files.sandbox (bubblewrap, RAM-only). Only tags that can identify someone are
reported (people, devices, places, dates, software, free text); the file's structure
(sizes, codecs) is not. None when exiftool is not installed or cannot read the file.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence

from core.files import sandbox
from core.files.inspection import Finding
from core.files.inspection import _short

# Groups that describe the copy on disk or exiftool itself, not the file's content.
_SKIP_GROUPS = {"ExifTool", "System", "File", "Composite", "SourceFile"}
# Tag name -> category (first match wins); tags matching none are structure, not metadata.
_CATEGORIES = (
    (re.compile(r"GPS|Location|Latitude|Longitude|City|Country|Address", re.I), "gps"),
    (
        re.compile(
            r"Author|Creator(?!Tool)|Artist|Owner|Copyright|LastModifiedBy|Manager|Writer"
            r"|Composer|Performer|Initials|Contributor|Publisher|Person|UserName",
            re.I,
        ),
        "author",
    ),
    (re.compile(r"Company|Organi[sz]ation", re.I), "organization"),
    (
        re.compile(r"^Make$|Model|Serial|Lens|HostComputer|Device|Printer|Hardware", re.I),
        "device",
    ),
    (
        re.compile(r"Software|Producer|Application|Encoder|Generator|CreatorTool|Template", re.I),
        "software",
    ),
    (re.compile(r"Date|Time(?!Scale|Offset)", re.I), "date"),
    (re.compile(r"Comment|Description|Keywords|Lyrics|Annotation|Note", re.I), "comment"),
    (re.compile(r"^Title$|Subject|Album", re.I), "title"),
)
# Values that say nothing (zeroed dates, a cleaned ZIP's fixed date).
_EMPTY = re.compile(r"^[\s0:.+\-TZ]*$|^1980:01:01 00:00:0[0-2]|^\(Binary data|^[\d.]+ s$")
# Container structure that the patterns above would otherwise catch.
_STRUCTURE = re.compile(
    r"Zip(?!FileName)|TimeScale|Duration|Handler|PreviewTime|PosterTime|SelectionTime"
    r"|CurrentTime|Sample|ChunkOffset|CopyrightFlag|OriginalMedia|Unknown_",
    re.I,
)
MAX_FINDINGS = 40


def available() -> bool:
    return shutil.which("exiftool") is not None


def _category(tag: str) -> str | None:
    if _STRUCTURE.search(tag):
        return None
    for pattern, category in _CATEGORIES:
        if pattern.search(tag):
            return category
    return None


def parse(report: object) -> tuple[Finding, ...]:
    """The identifying tags of one exiftool -j -G1 report (of its first file)."""
    items = report[0] if isinstance(report, list) and report else {}
    return _parse_file(items)


def _parse_file(items: object) -> tuple[Finding, ...]:
    found: list[Finding] = []
    if not isinstance(items, dict):
        return ()
    for key, value in items.items():
        group, _sep, tag = str(key).rpartition(":")
        if group in _SKIP_GROUPS or not tag:
            continue
        category = _category(tag)
        if isinstance(value, bool):
            continue
        text = _short(value if not isinstance(value, list | dict) else json.dumps(value))
        if category is None or not text or _EMPTY.match(text):
            continue
        found.append(Finding(category, text))
    return tuple(dict.fromkeys(found))[:MAX_FINDINGS]


def read(data: bytes, ext: str) -> tuple[Finding, ...] | None:
    """What exiftool finds in `data` (named `evidence.<ext>` inside the sandbox)."""
    return read_many([data], ext)[0]


def read_many(files: Sequence[bytes], ext: str) -> list[tuple[Finding, ...] | None]:
    """What exiftool finds in each of `files` (an original and its cleaned copy), read in one
    sandboxed run: one sandbox and one Perl start instead of one per file (the start is most
    of exiftool's cost on a small file, docs/performance.md). None for a file it cannot read,
    or for every file when exiftool is not installed."""
    if not available() or not files:
        return [None] * len(files)
    names = [f"evidence{n or ''}.{ext}" for n in range(len(files))]
    command = ["exiftool", "-j", "-G1", "-a", "-u", "-q", "-q", *(f"w/{name}" for name in names)]
    try:
        out = sandbox.run_files(command, list(zip(names, files, strict=True)))
        reports = json.loads(out)
    except (sandbox.ToolFailed, ValueError):
        return [None] * len(files)
    by_file = (
        {str(item.get("SourceFile", "")): item for item in reports if isinstance(item, dict)}
        if isinstance(reports, list)
        else {}
    )
    return [_parse_file(by_file[f"w/{name}"]) if f"w/{name}" in by_file else None for name in names]

"""Outside peers (PostgreSQL, the age CLI, node, chromium) for the tests.

A test that needs a peer calls `require_peer`: when it is missing the test is
skipped with a visible reason, unless INTEGRA_REQUIRE_PEERS=1 (CI), where a
missing peer is a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest


def peers_required() -> bool:
    return os.environ.get("INTEGRA_REQUIRE_PEERS") == "1"


def require_peer(name: str, available: bool, reason: str) -> None:
    if available:
        return
    message = f"peer {name!r} unavailable: {reason}"
    if peers_required():
        pytest.fail(message + " (INTEGRA_REQUIRE_PEERS=1)", pytrace=False)
    pytest.skip(message)


def chromium_path() -> str:
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )
    require_peer("chromium", path is not None, "install the Debian package 'chromium'")
    assert path is not None
    return path

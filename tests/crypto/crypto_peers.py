"""Outside interoperability peers of tests/crypto (the ``age`` CLI, npm ``age-encryption``).

Built on ``require_peer`` from tests/peers.py: a missing peer skips with a visible reason,
or fails when ``INTEGRA_REQUIRE_PEERS=1`` (CI).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from peers import require_peer  # tests/peers.py, shared by every test folder

__all__ = ["REPO_ROOT", "age_cli", "find_testkit", "node_peer", "require_peer"]

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"


def age_cli() -> str:
    path = shutil.which("age")
    require_peer("age", path is not None, "install the Debian package 'age'")
    assert path is not None
    return path


def node_peer() -> tuple[str, Path]:
    """Return (node binary, interop script); the package is installed by `.ci/run`."""
    node = shutil.which("node")
    require_peer("node", node is not None, "install Node.js (Debian package 'nodejs')")
    installed = (NODE_DIR / "node_modules" / "age-encryption" / "package.json").is_file()
    require_peer(
        "age-encryption (npm)",
        installed,
        f"run `npm ci --prefix {NODE_DIR.relative_to(REPO_ROOT)}`",
    )
    assert node is not None
    return node, NODE_DIR / "interop.mjs"


def find_testkit() -> Path | None:
    override = os.environ.get("INTEGRA_AGE_TESTKIT")
    path = Path(override) if override else REPO_ROOT.parent / "shared" / "age-testkit"
    return path if path.is_dir() else None

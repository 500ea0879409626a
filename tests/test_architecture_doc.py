"""docs/architecture.md is the newcomer's map: every path and module it names must exist."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("config", "crypto", "core", "reporting", "casework")


def test_every_path_in_the_map_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    roots = "|".join((*PACKAGES, "docs", "tests", "migrations"))
    paths = set(re.findall(rf"`((?:{roots})/[\w./]+)`", text))
    assert len(paths) > 10
    missing = sorted(p for p in paths if not (ROOT / p.rstrip("/")).exists())
    assert not missing, missing


def test_every_dotted_module_in_the_map_imports() -> None:
    text = DOC.read_text(encoding="utf-8")
    roots = "|".join(PACKAGES)
    names = set(re.findall(rf"`((?:{roots})(?:\.\w+)+)", text))
    assert len(names) > 10
    missing = []
    for name in sorted(names):
        # `core.services.cases.apply_act`: the longest prefix that is a module must have the rest.
        parts = name.split(".")
        for cut in range(1, len(parts) + 1)[::-1]:
            module = ".".join(parts[:cut])
            try:
                found = importlib.util.find_spec(module) is not None
            except ModuleNotFoundError:  # a parent is a module, not a package
                found = False
            if found:
                obj = importlib.import_module(module)
                for attr in parts[cut:]:
                    obj = getattr(obj, attr, None)
                if obj is None:
                    missing.append(name)
                break
        else:
            missing.append(name)
    assert not missing, missing


def test_every_core_subpackage_is_on_the_map() -> None:
    text = DOC.read_text(encoding="utf-8")
    subs = sorted(p.name for p in (ROOT / "core").iterdir() if (p / "__init__.py").exists())
    assert [s for s in subs if f"  {s}/" not in text] == []


def test_nothing_cites_files_outside_the_repository() -> None:
    """Code and docs cite docs/ in the repository, never the planning notes outside it."""
    import subprocess

    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.md", "*.html", "*.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    pattern = re.compile(r"DESIGN\.md|research/(dl1327|anchors|style)\.md")
    offenders = [
        name
        for name in files
        if name != "tests/test_architecture_doc.py"
        and pattern.search((ROOT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []

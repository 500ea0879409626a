"""Imports flow one way: reporting/casework -> core -> crypto; config is used by all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "crypto", "core", "reporting", "casework")

# What each package may import from the others.
ALLOWED = {
    "config": set(),
    "crypto": set(),
    "core": {"config", "crypto"},
    "reporting": {"config", "core", "crypto"},
    "casework": {"config", "core", "crypto"},
}
# Third-party modules the Flask-free layers must never touch.
FORBIDDEN_THIRD_PARTY = {
    "crypto": {"flask", "flask_wtf", "flask_babel", "sqlalchemy", "alembic", "werkzeug"},
    "config": {"flask", "sqlalchemy"},
}
# core.web (a package: the shared app plumbing and the development server) is the only
# Flask-aware part of core.
CORE_FLASK_PACKAGE = "web"

# Inside core, sub-packages import each other one way too: the law is pure data and rules,
# storage knows no use case, services never reach the web layer.
CORE_ALLOWED = {
    "law": set(),
    "files": set(),
    "storage": {"law"},
    "access": {"law", "storage"},
    "read": {"law", "storage", "access"},
    "services": {"law", "storage", "access", "files", "read"},
    "web": {"law", "storage", "access", "services", "read", "files"},
}


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every module `path` imports, by its full dotted name.

    `from core import law` counts as `core.law` and a relative import (`from ..law import x`)
    is resolved against the file's own package (`package`, dotted, for a file outside the
    tree), so neither form slips past the rules below.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is not None:
        parts = package.split(".")
    elif path.is_relative_to(ROOT):
        parts = list(path.relative_to(ROOT).parts[:-1])
    else:
        parts = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name}


def imported_roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def package_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_flow_one_way(package: str) -> None:
    offenders = []
    for path in package_files(package):
        for root in imported_roots(path) & set(PACKAGES):
            if root != package and root not in ALLOWED[package]:
                offenders.append(f"{path.relative_to(ROOT)} imports {root}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_THIRD_PARTY))
def test_lower_layers_stay_framework_free(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {root}"
        for path in package_files(package)
        for root in imported_roots(path) & FORBIDDEN_THIRD_PARTY[package]
    ]
    assert not offenders, "\n".join(offenders)


def test_core_is_flask_free_outside_its_web_module() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in package_files("core")
        if path.relative_to(ROOT / "core").parts[0] != CORE_FLASK_PACKAGE
        and imported_roots(path) & {"flask", "flask_wtf", "flask_babel", "werkzeug"}
    ]
    assert not offenders, offenders


def test_checker_catches_a_wrong_way_import(tmp_path: Path) -> None:
    # The checker itself must see an upward import, or the tests above prove nothing.
    bad = tmp_path / "bad.py"
    bad.write_text("from reporting import create_app\nimport casework.cli\n", encoding="utf-8")
    assert {"reporting", "casework"} <= imported_roots(bad)


def core_subpackage_imports(path: Path) -> set[str]:
    """The core sub-packages that `path` imports (`from core.law import x`, `import core.law.x`,
    `from core import law`, `from ..law import x`)."""
    found: set[str] = set()
    for name in imported_modules(path):
        parts = name.split(".")
        if parts[0] == "core" and len(parts) > 1 and parts[1] in CORE_ALLOWED:
            found.add(parts[1])
    return found


@pytest.mark.parametrize("sub", sorted(CORE_ALLOWED))
def test_core_subpackages_import_one_way(sub: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports core.{other}"
        for path in sorted((ROOT / "core" / sub).rglob("*.py"))
        for other in core_subpackage_imports(path) - {sub} - CORE_ALLOWED[sub]
    ]
    assert not offenders, "\n".join(offenders)


def test_every_core_module_lives_in_a_subpackage() -> None:
    # A flat module in core/ would escape the direction rules above.
    loose = sorted(
        p.name for p in (ROOT / "core").glob("*.py") if p.name not in {"__init__.py", "errors.py"}
    )
    assert not loose, loose


def test_subpackage_checker_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from core.services import cases\nimport core.web.devserver\n", encoding="utf-8")
    assert core_subpackage_imports(bad) == {"services", "web"}


def test_subpackage_checker_sees_other_import_forms(tmp_path: Path) -> None:
    # `from core import services` and a relative import name a sub-package too.
    bad = tmp_path / "bad.py"
    bad.write_text("from core import services\nfrom ..read import inbox\n", encoding="utf-8")
    assert {"core.services", "core.read", "core.read.inbox"} <= imported_modules(
        bad, package="core.law"
    )
    assert core_subpackage_imports(bad) == {"services"}  # outside the tree: no package


def test_the_law_uses_no_service_read_model_or_storage() -> None:
    """core/law is the law as data: it imports nothing from services, read or storage."""
    offenders = [
        f"{path.relative_to(ROOT)} imports core.{other}"
        for path in sorted((ROOT / "core" / "law").rglob("*.py"))
        for other in core_subpackage_imports(path) & {"services", "read", "storage"}
    ]
    assert not offenders, "\n".join(offenders)


def test_services_use_neither_app() -> None:
    """core/services never reaches up into the apps (reporting/, casework/)."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {root}"
        for path in sorted((ROOT / "core" / "services").rglob("*.py"))
        for root in imported_roots(path) & {"reporting", "casework"}
    ]
    assert not offenders, "\n".join(offenders)

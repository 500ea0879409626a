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
# core.web and core.devserver are the only Flask-aware modules in core.
CORE_FLASK_MODULES = {"web.py", "devserver.py"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


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
        if path.name not in CORE_FLASK_MODULES
        and imported_roots(path) & {"flask", "flask_wtf", "flask_babel", "werkzeug"}
    ]
    assert not offenders, offenders


def test_checker_catches_a_wrong_way_import(tmp_path: Path) -> None:
    # The checker itself must see an upward import, or the tests above prove nothing.
    bad = tmp_path / "bad.py"
    bad.write_text("from reporting import create_app\nimport casework.cli\n", encoding="utf-8")
    assert {"reporting", "casework"} <= imported_roots(bad)

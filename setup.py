"""Build hook: compile the message catalogs (.po -> .mo) into every build.

Everything else about the package is in pyproject.toml. The compiled catalogs are not kept in
git; a wheel carries them compiled at build time, and an editable install compiles them next
to their sources, so `?lang=en` works however Integra was installed.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
CATALOG_GLOBS = ("*/translations*/*/LC_MESSAGES/messages.po",)


def compile_catalogs(target_root: Path) -> list[Path]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for pattern in CATALOG_GLOBS:
        for po in sorted(ROOT.glob(pattern)):
            relative = po.relative_to(ROOT).with_suffix(".mo")
            target = target_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with target.open("wb") as fh:
                write_mo(fh, catalog)
            written.append(target)
    return written


class BuildWithCatalogs(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        editable = getattr(self, "editable_mode", False)
        compile_catalogs(ROOT if editable else Path(self.build_lib))


setup(cmdclass={"build_py": BuildWithCatalogs})

"""The law's names come from one place (core.law.vocabulary) and read the same in both apps."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from enum import Enum
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import Engine

from casework import create_app as create_casework
from config import Settings
from core import web
from core.law import enums
from core.law import vocabulary
from core.law.workflow import RequirementItem
from core.services import vault
from reporting import create_app as create_reporting

ROOT = Path(__file__).resolve().parents[1]

# Each glossary and the enum whose every member it must name.
GLOSSARIES: list[tuple[Mapping[object, str], type[Enum]]] = [
    (vocabulary.MODALITIES, enums.Modality),
    (vocabulary.MOTIVES, enums.Motive),
    (vocabulary.MEASURE_TYPES, enums.MeasureType),
    (vocabulary.CASE_STATES, enums.CaseState),
    (vocabulary.DESTINATIONS, enums.Destination),
    (vocabulary.DEADLINE_KINDS, enums.DeadlineKind),
    (vocabulary.REQUIREMENTS, RequirementItem),
    (vocabulary.MEASURE_STATES, enums.MeasureState),
    (vocabulary.BENEFICIARIES, enums.Beneficiary),
    (vocabulary.BAD_FAITH_TYPES, enums.BadFaithType),
    (vocabulary.CHANNELS, enums.Channel),
    (vocabulary.LEGAL_BASES, vault.LegalBasis),
    (vocabulary.REQUESTERS, vault.Requester),
]
ALL_NAMES = [name for names, _enum in GLOSSARIES for name in names.values()]

# Names the two apps translate differently (each app's catalog keeps its own English, so the
# shared catalog does not override either): unifying them would change what people read.
APP_TRANSLATED = frozenset(
    {"En verificación de requisitos", "Archivada por desistimiento", "Procuraduría Pública"}
)

# Where casework wording is defined; none of them may spell a glossary name again.
CASEWORK_SOURCES = sorted((ROOT / "casework").glob("*.py"))


@pytest.mark.parametrize(("names", "enum"), GLOSSARIES, ids=lambda g: getattr(g, "__name__", ""))
def test_every_enum_member_has_exactly_one_name(names: Mapping[object, str], enum: type) -> None:
    assert {enum(key) for key in names} == set(enum)
    assert len(names) == len(enum)
    assert all(isinstance(name, str) and name.strip() for name in names.values())


def test_a_name_means_one_thing_within_a_glossary() -> None:
    for names, enum in GLOSSARIES:
        values = list(names.values())
        assert len(values) == len(set(values)), enum.__name__


def _lazy_literals(path: Path) -> set[str]:
    """The string literals a module passes to _l/_/gettext/lazy_gettext."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_l", "_", "gettext", "lazy_gettext"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def test_no_glossary_name_is_defined_again_in_casework_or_core() -> None:
    """A law name is spelled once: in core.law.vocabulary, never again as a msgid in casework
    or elsewhere in core (the apps wrap the glossary's string instead)."""
    glossary = set(ALL_NAMES)
    sources = [*CASEWORK_SOURCES, *(p for p in (ROOT / "core").rglob("*.py"))]
    twice = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources
        if path != Path(vocabulary.__file__)
        for name in _lazy_literals(path) & glossary
    }
    assert twice == set()


def test_the_check_finds_a_name_spelled_again(tmp_path: Path) -> None:
    module = tmp_path / "again.py"
    module.write_text('X = _l("Denuncia reiterada")\nY = _l("Algo propio")\n', encoding="utf-8")
    assert _lazy_literals(module) & set(ALL_NAMES) == {"Denuncia reiterada"}


def test_every_name_has_an_english_translation_in_the_shared_catalog() -> None:
    path = web.CORE_TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    missing = [
        name
        for name in ALL_NAMES
        if name not in APP_TRANSLATED and not (catalog.get(name) and catalog[name].string)
    ]
    assert missing == []
    assert [name for name in APP_TRANSLATED if catalog.get(name)] == []


@pytest.mark.parametrize(("lang", "sample"), [("es", "Anónima"), ("en", "Anonymous")])
def test_both_apps_show_the_same_names(
    settings: Settings, engine: Engine, lang: str, sample: str
) -> None:
    from casework import labels as casework_labels
    from reporting import labels as intake_labels

    pairs = [
        (intake_labels.MODALITY_SHORT, casework_labels.MODALITY_LABELS),
        (intake_labels.MOTIVE, casework_labels.MOTIVE_LABELS),
        (intake_labels.MEASURE, casework_labels.MEASURE_TYPE_LABELS),
    ]
    shown: dict[str, list[list[str]]] = {}
    for name, factory in (("intake", create_reporting), ("casework", create_casework)):
        app = factory(settings, engine=engine)
        with app.test_request_context(f"/?lang={lang}"):
            index = 0 if name == "intake" else 1
            shown[name] = [[str(label) for label in pair[index].values()] for pair in pairs]
    assert shown["intake"] == shown["casework"]
    assert sample in shown["intake"][0]

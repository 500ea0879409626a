"""The law's names come from one place (core.law.vocabulary) and read the same in both apps."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import Engine

from casework import create_app as create_casework
from config import Settings
from core import web
from core.law import vocabulary
from reporting import create_app as create_reporting

ALL_NAMES = [
    *vocabulary.MODALITIES.values(),
    *vocabulary.MOTIVES.values(),
    *vocabulary.MEASURE_TYPES.values(),
]


def test_every_name_has_an_english_translation_in_the_shared_catalog() -> None:
    path = web.CORE_TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    missing = [name for name in ALL_NAMES if not (catalog.get(name) and catalog[name].string)]
    assert missing == []


@pytest.mark.parametrize(("lang", "sample"), [("es", "Anónima"), ("en", "Anonymous")])
def test_both_apps_show_the_same_names(
    settings: Settings, engine: Engine, lang: str, sample: str
) -> None:
    from casework import inbox_pages as casework_labels
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

"""casework/forms.py reads every casework POST (shape only; core checks meaning)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from flask import Flask

from casework import forms
from core.law.enums import BadFaithType
from core.law.enums import Destination
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.services import vault

ROOT = Path(__file__).resolve().parents[2]


def _post(app: Flask, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return app.test_request_context("/", method="POST", data=data)


def test_no_casework_view_reads_the_request_body_by_hand() -> None:
    """Every POST is read through a form; `request.form` is only handed back to a page so
    that what was typed is shown again."""
    by_hand = re.compile(r"request\.(form\.get|form\.getlist|form\[|files)")
    found = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "casework").glob("*.py"))
        if path.name != "forms.py"  # the one place that reads it
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if by_hand.search(line) and "if step_up" not in line
    ]
    assert found == []


def test_a_case_act_reads_choices_ticks_and_missing_items(casework_app: Flask) -> None:
    data = {
        "reasoning": "Motivo",
        "destination": "oci",
        "destination_name": "x" * 300,
        "missing_items": ["1", "4", "9", "x"],
        "forward_to_stpad": "1",
        "queja_reclamo": "0",
    }
    with _post(casework_app, data):
        form = forms.CaseActForm()
        assert form.reasoning.data == "Motivo"
        assert form.destination.data is Destination.OCI
        assert form.destination_name.data == "x" * 200
        assert form.missing() == [1, 4]
        assert form.forward_to_stpad.data is True
        assert form.queja_reclamo.data is False  # only "1" ticks a box


def test_an_unknown_or_missing_choice_is_none_and_never_an_error(casework_app: Flask) -> None:
    with _post(casework_app, {"destination": "<script>", "legal_basis": ""}):
        assert forms.CaseActForm().destination.data is None
        assert forms.IdentityAccessForm().legal_basis.data is None
        assert forms.CaseActForm().reasoning.data == ""
    with _post(casework_app, {"requester": "nadie", "report_to": "contraloria"}):
        refusal = forms.IdentityRefusalForm()
        assert refusal.requester.data is vault.Requester.OTHER  # the stated fallback
        assert refusal.report_to_body() is vault.ReportTo.CONTRALORIA
    with _post(casework_app, {}):
        assert forms.IdentityRefusalForm().report_to_body() is vault.ReportTo.OCI


def test_a_decision_is_never_inferred_from_a_missing_or_forged_field(casework_app: Flask) -> None:
    for sent, read in (("1", True), ("0", False), ("si", None), (None, None)):
        data = {} if sent is None else {"upheld": sent}
        with _post(casework_app, data):
            assert forms.MeasureActForm().upheld.data is read
            assert forms.BadFaithDecisionForm().upheld.data is read


def test_a_measure_act_reads_criteria_and_grounds(casework_app: Flask) -> None:
    data = {
        f"criterion_{Criterion.GRAVEDAD.value}": "1",
        f"criterion_{Criterion.VEROSIMILITUD.value}": "0",
        f"criterion_{Criterion.TRASCENDENCIA.value}": "2",
        "hr_feasible": "0",
        "bad_faith_type": BadFaithType.FALSE.value,
        "cease_ground": CeaseGround.PAD_ENDED.value,
    }
    with _post(casework_app, data):
        form = forms.MeasureActForm()
        assert form.criteria() == {Criterion.GRAVEDAD: True, Criterion.VEROSIMILITUD: False}
        assert form.hr_feasible.data is False
        assert form.grounds() == (BadFaithType.FALSE, CeaseGround.PAD_ENDED)
    with _post(casework_app, {**data, "cease_ground": "otro-no"}):
        assert forms.MeasureActForm().grounds() == (None, None)


def test_days_are_read_or_none(casework_app: Flask) -> None:
    with _post(casework_app, {"ended_on": "2025-02-30", "day": "2025-03-03"}):
        assert forms.PadEndForm().ended_on.data is None
        assert forms.NonWorkingDayForm().day.data == dt.date(2025, 3, 3)
    with _post(casework_app, {"received_on": " 2025-03-03 "}):
        assert forms.ReceivedComplaintForm().received_on.data == dt.date(2025, 3, 3)


def test_texts_keep_the_views_cuts_and_strips(casework_app: Flask) -> None:
    data = {"username": "  " + "a" * 80, "code": "1" * 40, "reason": "  feriado  "}
    with _post(casework_app, data):
        login = forms.LoginForm()
        assert login.username.data == "a" * 64  # stripped, then cut
        assert login.code.data == "1" * 16
        assert forms.NonWorkingDayForm().reason.data == "feriado"
        assert forms.KeyGrantForm().purpose.data == "office"  # the default purpose


def test_only_named_uploads_are_files(casework_app: Flask) -> None:
    data = {
        "files": [(io.BytesIO(b"hola"), "acta.txt"), (io.BytesIO(b""), "")],
        "facts": "  Hechos  ",
    }
    with casework_app.test_request_context(
        "/", method="POST", data=data, content_type="multipart/form-data"
    ):
        form = forms.ReceivedComplaintForm()
        assert [f.filename for f in form.files.data] == ["acta.txt"]
        assert form.facts.data == "Hechos"
    with _post(casework_app, {"files": "not-a-file"}):
        assert not forms.ReceivedComplaintForm().files.data


def test_a_json_body_is_not_form_data(casework_app: Flask) -> None:
    """The views never read JSON: a JSON body is an empty form, never an error."""
    for body in ({"body": "nota", "upheld": "1"}, ["x", 1], "texto"):
        with casework_app.test_request_context("/", method="POST", json=body):
            assert forms.NoteForm().body.data == ""
            assert forms.BadFaithDecisionForm().upheld.data is None
            assert not forms.ReceivedComplaintForm().files.data

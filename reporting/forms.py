"""Intake forms: shape only (required, length, choices).

Meaning is checked by core.services.intake.
"""

from __future__ import annotations

import re
from typing import Any

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import Field
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import MultipleFileField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms import widgets
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation

from core.law.enums import MeasureType
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.enums import Motive
from core.services.intake import MAX_FACTS
from core.services.intake import MAX_MEDIUM
from core.services.intake import MAX_PERSONS
from core.services.intake import MAX_SHORT
from reporting import labels

MIN_PERSON_ROWS = 2


# WTForms' own messages ("Not a valid choice", …) per language, read once per process:
# Flask-WTF reads the catalog from disk for every request that builds a form.
_WTFORMS_CATALOGS: dict[str, support.NullTranslations] = {}


def _wtforms_catalog() -> support.NullTranslations:
    locale = get_locale()
    found = _WTFORMS_CATALOGS.get(str(locale))
    if found is None:
        found = support.Translations.load(messages_path(), [locale], domain="wtforms")
        _WTFORMS_CATALOGS[str(locale)] = found
    return found


class IntakeForm(FlaskForm):  # type: ignore[misc]
    """The intake's forms: Flask-WTF's, with WTForms' catalog cached per language."""

    class Meta:
        def get_translations(self, form: Any) -> support.NullTranslations:
            return _wtforms_catalog()


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AtLeastOne:
    """A group of checkboxes needs one ticked, checked on the server.

    HTML has no "one of this group" constraint: `required` on each checkbox would make the
    browser demand every box, so this validator sets no `required` flag (DataRequired did).
    """

    field_flags: dict[str, bool] = {}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if not field.data:
            raise StopValidation(self.message)


# C0 control characters other than tab, line feed and carriage return (one regex scan, not a
# Python loop per character: the facts field alone may hold 20,000).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(form: Any, field: Field) -> None:
    """Refuse text that did not arrive as valid UTF-8 or carries control characters."""
    value = field.data
    if not isinstance(value, str):
        return
    if "\ufffd" in value:
        raise ValidationError(
            _l("El texto contiene caracteres no válidos. Revíselo y vuelva a escribirlos.")
        )
    if _CONTROL.search(value):
        raise ValidationError(_l("El texto contiene caracteres de control no permitidos."))


def _strip(value: Any) -> Any:
    # Browsers submit line breaks as CRLF; store what the person typed, with plain LF.
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


class PersonForm(Form):  # type: ignore[misc]
    """One person reported: the name or the post, whichever is known."""

    name = StringField(
        _l("Nombre"), validators=[Optional(), Length(max=200), clean_text], filters=[_strip]
    )
    post = StringField(
        _l("Cargo o puesto"),
        validators=[Optional(), Length(max=200), clean_text],
        filters=[_strip],
    )


def _max_two(form: Any, field: Field) -> None:
    if field.data and len(field.data) > 2:
        raise ValidationError(_l("Elija como máximo dos motivos."))


class ComplaintForm(IntakeForm):
    """The whole complaint on one page, in fieldsets ("steps") that work without JavaScript."""

    entity = SelectField(_l("Entidad"), validators=[Optional()], choices=[])
    modality = RadioField(
        _l("¿Cómo desea presentar la denuncia?"),
        choices=[SelectChoice(m.value, labels.MODALITY[m]) for m in Modality],
        default=Modality.ANONYMOUS.value,
        validators=[DataRequired(message=_l("Elija cómo desea presentar la denuncia."))],
    )
    motives = MultiCheckboxField(
        _l("Motivo de la denuncia (uno o dos)"),
        choices=[SelectChoice(m.value, labels.MOTIVE[m]) for m in Motive],
        validators=[AtLeastOne(message=_l("Elija al menos un motivo.")), _max_two],
    )
    facts = TextAreaField(
        _l("Hechos denunciados"),
        validators=[
            DataRequired(message=_l("Describa los hechos.")),
            Length(
                max=MAX_FACTS,
                message=_l("El texto es demasiado largo (máximo %(max)d caracteres)."),
            ),
            clean_text,
        ],
        filters=[_strip],
    )
    occurred_when = StringField(
        _l("¿Cuándo ocurrieron?"),
        validators=[Optional(), Length(max=200), clean_text],
        filters=[_strip],
    )
    occurred_where = StringField(
        _l("¿Dónde ocurrieron? (lugar, oficina o unidad)"),
        validators=[Optional(), Length(max=MAX_SHORT), clean_text],
        filters=[_strip],
    )
    persons = FieldList(FormField(PersonForm), min_entries=MIN_PERSON_ROWS, max_entries=MAX_PERSONS)
    witnesses = TextAreaField(
        _l("Testigos (si los hay)"),
        validators=[Optional(), Length(max=MAX_MEDIUM), clean_text],
        filters=[_strip],
    )
    documents_location = TextAreaField(
        _l("¿Dónde están los documentos que no adjunta?"),
        validators=[Optional(), Length(max=MAX_MEDIUM), clean_text],
        filters=[_strip],
    )
    files = MultipleFileField(_l("Adjuntar archivos"))
    remove_files = MultiCheckboxField(_l("Quitar"), choices=[], validate_choice=False)
    against_oii = BooleanField(
        _l(
            "La denuncia es contra personal de la Oficina de Integridad o su responsable: "
            "la atenderá el titular de la entidad, no la Oficina (RG 4.9)."
        )
    )
    commitment = BooleanField(
        _l("Me comprometo a permanecer a disposición de la Oficina para brindar aclaraciones.")
    )
    full_name = StringField(
        _l("Nombres y apellidos"),
        validators=[Optional(), Length(max=200), clean_text],
        filters=[_strip],
    )
    document_type = SelectField(
        _l("Tipo de documento"),
        choices=[
            SelectChoice("DNI", "DNI"),
            SelectChoice("CE", _l("Carné de extranjería")),
            SelectChoice("PAS", _l("Pasaporte")),
            SelectChoice("RUC", "RUC"),
            SelectChoice("OTRO", _l("Otro")),
        ],
        default="DNI",
    )
    document_number = StringField(
        _l("Número de documento"),
        validators=[Optional(), Length(max=20), clean_text],
        filters=[_strip],
    )
    phone = StringField(
        _l("Teléfono"), validators=[Optional(), Length(max=40), clean_text], filters=[_strip]
    )
    email = StringField(
        _l("Correo electrónico"),
        validators=[Optional(), Length(max=200), clean_text],
        filters=[_strip],
    )
    address = StringField(
        _l("Domicilio"),
        validators=[Optional(), Length(max=MAX_SHORT), clean_text],
        filters=[_strip],
    )
    protection_measures = MultiCheckboxField(
        _l("Medidas de protección que solicita"),
        choices=[SelectChoice(m.value, labels.MEASURE[m]) for m in labels.COMPLAINANT_MEASURES],
        validators=[Optional()],
    )
    protection_other = StringField(
        _l("Si eligió «Otra medida», descríbala"),
        validators=[Optional(), Length(max=MAX_SHORT), clean_text],
        filters=[_strip],
    )
    protection_risk = TextAreaField(
        _l("¿Qué riesgo corre? (represalias que teme o ya sufrió)"),
        validators=[Optional(), Length(max=MAX_MEDIUM), clean_text],
        filters=[_strip],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        identified = self.modality.data != Modality.ANONYMOUS.value
        if identified:
            if not self.full_name.data:
                self.full_name.errors = [
                    *self.full_name.errors,
                    _l("Escriba su nombre completo (o elija denuncia anónima)."),
                ]
                ok = False
            if not self.document_number.data:
                self.document_number.errors = [
                    *self.document_number.errors,
                    _l("Escriba el número de su documento de identidad."),
                ]
                ok = False
        # The measures are asked whatever the modality (an anonymous request is recorded
        # too, docs/workflow.md), so they are checked whatever the modality.
        if not other_described(self.protection_measures, self.protection_other):
            ok = False
        if not identified and MeasureType.IDENTITY_RESERVE.value in (
            self.protection_measures.data or []
        ):
            self.protection_measures.errors = [
                *self.protection_measures.errors,
                _l(
                    "Una denuncia anónima no tiene identidad que reservar: desmarque la reserva"
                    " de identidad o elija «con reserva de identidad»."
                ),
            ]
            ok = False
        if self.protection_risk.data and not self.protection_measures.data:
            self.protection_measures.errors = [
                *self.protection_measures.errors,
                _l("Elija al menos una medida de protección, o deje vacío el riesgo."),
            ]
            ok = False
        return ok


class ReceiptForm(IntakeForm):
    receipt = StringField(
        _l("Código de seguimiento"),
        validators=[
            DataRequired(message=_l("Escriba su código de seguimiento.")),
            Length(max=64, message=_l("El código tiene 16 caracteres (letras y números).")),
        ],
    )


class ConfirmForm(IntakeForm):
    written_down = BooleanField(
        _l("Anoté mi código de seguimiento en un lugar seguro."),
        validators=[DataRequired(message=_l("Confirme que anotó su código."))],
    )


class MessageForm(IntakeForm):
    kind = SelectField(
        _l("Tipo de mensaje"),
        choices=[
            SelectChoice(MessageKind.MESSAGE.value, _l("Mensaje o respuesta")),
            SelectChoice(
                MessageKind.SUBSANACION_RESPONSE.value,
                _l("Subsanación (responde a un requerimiento)"),
            ),
            SelectChoice(MessageKind.RETALIATION.value, _l("Informar represalias sufridas")),
        ],
        default=MessageKind.MESSAGE.value,
    )
    body = TextAreaField(
        _l("Mensaje"),
        validators=[
            DataRequired(message=_l("Escriba el mensaje.")),
            Length(max=MAX_FACTS, message=_l("El texto es demasiado largo.")),
            clean_text,
        ],
        filters=[_strip],
    )


class EvidenceForm(IntakeForm):
    files = MultipleFileField(_l("Archivos"))


def other_described(measures: Field, other: Field) -> bool:
    """ "Otra medida" ticked needs its description (the office cannot guess it); False, with
    the error on the description field, when it is missing."""
    if MeasureType.OTHER.value in (measures.data or []) and not (other.data or "").strip():
        other.errors = [*other.errors, _l("Describa la otra medida que solicita.")]
        return False
    return True


class ProtectionForm(IntakeForm):
    measures = MultiCheckboxField(
        _l("Medidas de protección que solicita"),
        choices=[SelectChoice(m.value, labels.MEASURE[m]) for m in labels.COMPLAINANT_MEASURES],
        validators=[AtLeastOne(message=_l("Elija al menos una medida."))],
    )
    other = StringField(
        _l("Si eligió «Otra medida», descríbala"),
        validators=[Optional(), Length(max=MAX_SHORT), clean_text],
        filters=[_strip],
    )
    risk = TextAreaField(
        _l("¿Qué riesgo corre?"),
        validators=[
            DataRequired(message=_l("Describa el riesgo.")),
            Length(max=MAX_MEDIUM),
            clean_text,
        ],
        filters=[_strip],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        return other_described(self.measures, self.other) and ok


class EmptyForm(IntakeForm):
    """CSRF only (logout, confirmations)."""


def measure_types(values: list[str]) -> tuple[MeasureType, ...]:
    return tuple(MeasureType(v) for v in values)

"""The law's names for modalities, motives and protection measures (docs/workflow.md).

One source for both apps: the Spanish names are msgids, marked with `N_` for extraction into
core/translations (the catalog both apps load); each app wraps them in its lazy gettext.
Flask-free on purpose, like the rest of core.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext "no-op" marker
    """Mark a string for translation without translating it here."""
    return message


MODALITIES: Mapping[Modality, str] = {
    Modality.ANONYMOUS: N_("Anónima"),
    Modality.RESERVED: N_("Con reserva de identidad"),
    Modality.UNRESERVED: N_("Sin reserva de identidad"),
}

# The PDUDC platform's list of motives (a complaint has one or two).
MOTIVES: Mapping[Motive, str] = {
    Motive.MISUSE_OF_RESOURCES: N_("Apropiación o uso indebido de recursos o bienes del Estado"),
    Motive.UNDUE_ADVANTAGE: N_("Favorecimiento o ventajas indebidas (incluye soborno)"),
    Motive.INFLUENCE_PEDDLING: N_("Invocación de influencias"),
    Motive.IRREGULAR_PROCUREMENT: N_("Contratación pública irregular"),
    Motive.COVID_VACCINATION: N_("Irregularidades en la vacunación COVID-19"),
    Motive.OTHER_ETHICS: N_("Otros actos contrarios a la ética"),
}

# Protection measures (RG 6; DL 9).
MEASURE_TYPES: Mapping[MeasureType, str] = {
    MeasureType.IDENTITY_RESERVE: N_("Reserva de identidad"),
    MeasureType.TRANSFER_COMPLAINANT: N_("Traslado temporal del denunciante"),
    MeasureType.TRANSFER_REPORTED: N_("Traslado temporal del denunciado"),
    MeasureType.CONTRACT_RENEWAL: N_("Renovación de la relación contractual"),
    MeasureType.PAID_LEAVE_REPORTED: N_("Licencia con goce de remuneraciones del denunciado"),
    MeasureType.ATTENDANCE_EXEMPTION_REPORTED: N_(
        "Exoneración de la obligación de asistir al centro de labores del denunciado"
    ),
    MeasureType.PROCUREMENT_REMOVAL: N_("Apartamiento del proceso de contratación"),
    MeasureType.BIDDER_GUARANTEE: N_("Garantía al postor o contratista"),
    MeasureType.OTHER: N_("Otra medida"),
}

# What happens when a subsanación request goes unanswered by its due date (RG 4.4; DL 8.1):
# the standard text the follow-up page shows when the office typed none of its own.
SUBSANACION_CONSEQUENCE = N_(
    "Si no subsana a tiempo, su denuncia se archiva por desistimiento, con su solicitud de"
    " medidas de protección (D. Leg. 1327, art. 8.1; Reglamento, art. 4.4)."
)

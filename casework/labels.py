"""The casework's labels: the law's names from the glossary, and the casework's own wording.

The law's names (states, destinations, deadlines, measures, bad-faith types, channels,
requirements, legal bases, requesters) are defined once in core.law.vocabulary and only
wrapped here in the lazy gettext. What is the casework's own (the wording of the act buttons,
the timeline's event names, the RG 7 criteria and cessation grounds as the forms offer them)
is defined here; nothing here redefines a name of the glossary (tests/test_vocabulary.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from core.law import vocabulary
from core.law.enums import BadFaithType
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.services import vault

K = TypeVar("K")


def _lazy(names: Mapping[K, str]) -> dict[K, LazyString]:
    return {key: _l(name) for key, name in names.items()}


# --- the law's names (core.law.vocabulary) ------------------------------------------------------

STATE_LABELS = _lazy(vocabulary.CASE_STATES)
MODALITY_LABELS = _lazy(vocabulary.MODALITIES)
MOTIVE_LABELS = _lazy(vocabulary.MOTIVES)
DEADLINE_LABELS = _lazy(vocabulary.DEADLINE_KINDS)
DESTINATION_LABELS = _lazy(vocabulary.DESTINATIONS)
MEASURE_TYPE_LABELS = _lazy(vocabulary.MEASURE_TYPES)
BENEFICIARY_LABELS = _lazy(vocabulary.BENEFICIARIES)
MEASURE_STATE_LABELS = _lazy(vocabulary.MEASURE_STATES)
BAD_FAITH_LABELS = _lazy(vocabulary.BAD_FAITH_TYPES)
CHANNEL_LABELS = _lazy(vocabulary.CHANNELS)
REQUIREMENT_LABELS = _lazy(vocabulary.REQUIREMENTS)
LEGAL_BASIS_LABELS = {vault.LegalBasis(k): _l(v) for k, v in vocabulary.LEGAL_BASES.items()}
REQUESTER_LABELS = {vault.Requester(k): _l(v) for k, v in vocabulary.REQUESTERS.items()}

# The bad-faith form's choices: the glossary's names, the first one shortened in the list.
BAD_FAITH_CHOICE_LABELS = {
    **BAD_FAITH_LABELS,
    BadFaithType.ALREADY_REPORTED: _l("Hechos ya denunciados"),
}

# --- the casework's own wording --------------------------------------------------------------

ACT_LABELS = {
    Act.BEGIN_VERIFICATION: _l("Iniciar la verificación de requisitos"),
    Act.VERIFY_REQUIREMENTS: _l("Dar por cumplidos los requisitos"),
    Act.REQUEST_SUBSANACION: _l("Requerir subsanación al denunciante"),
    Act.RECEIVE_SUBSANACION: _l("Registrar la subsanación recibida"),
    Act.DECLARE_WITHDRAWAL: _l("Declarar el desistimiento y archivar"),
    Act.FORWARD: _l("Derivar la denuncia"),
    Act.FORWARD_RESERVE_ONLY: _l("Derivar a la STPAD (solo reserva de identidad)"),
    Act.CONCLUDE: _l("Concluir"),
    Act.REFER_ARCHIVED: _l("Remitir la denuncia archivada a un órgano competente (DL 8.1)"),
}
MEASURE_ACT_LABELS = {
    MeasureAct.REQUEST: _l("Registrar solicitud"),
    MeasureAct.REQUEST_HR_REPORT: _l("Pedir el informe de viabilidad a la ORH"),
    MeasureAct.RECORD_HR_REPORT: _l("Registrar el informe de viabilidad"),
    MeasureAct.GRANT: _l("Otorgar la medida"),
    MeasureAct.DENY: _l("Denegar la medida"),
    MeasureAct.NOTIFY_COMPLAINANT: _l("Notificar al denunciante"),
    MeasureAct.ENTER_INTO_FORCE: _l("Registrar que la medida está vigente"),
    MeasureAct.START_VARIATION: _l("Iniciar variación (notificar intención)"),
    MeasureAct.START_SUSPENSION: _l("Iniciar suspensión (notificar intención)"),
    MeasureAct.START_BAD_FAITH_CESSATION: _l("Iniciar cese por mala fe (notificar intención)"),
    MeasureAct.RECORD_ALEGACIONES: _l("Registrar las alegaciones recibidas"),
    MeasureAct.DECIDE_VARIATION: _l("Decidir la variación"),
    MeasureAct.DECIDE_SUSPENSION: _l("Decidir la suspensión"),
    MeasureAct.DECIDE_CESSATION: _l("Decidir el cese por mala fe"),
    MeasureAct.CEASE: _l("Cesar la medida"),
    MeasureAct.ARCHIVE: _l("Archivar la solicitud"),
    MeasureAct.LIFT_SUSPENSION: _l("Levantar la suspensión (la medida vuelve a estar vigente)"),
    MeasureAct.EXCLUDE_FOR_BAD_FAITH: _l("Excluir por mala fe (DL 14)"),
}

EVENT_LABELS = {
    "case.registered": _l("Denuncia registrada"),
    **{f"case.{act.value}": label for act, label in ACT_LABELS.items()},
    "assigned": _l("Asignación"),
    "office_message": _l("Mensaje de la oficina al denunciante"),
    "complainant_message": _l("Mensaje del denunciante"),
    "subsanacion_response": _l("Respuesta de subsanación del denunciante"),
    "subsanacion_notice_opened": _l("El denunciante abrió el requerimiento de subsanación"),
    "clocks_recomputed": _l("Plazos recalculados por un cambio de calendario"),
    "protection_requested_later": _l("Solicitud de medidas de protección del denunciante"),
    "retaliation_reported": _l("Represalia reportada por el denunciante"),
    "evidence_added": _l("Documentos añadidos por el denunciante"),
    "identity_accessed": _l("Acceso a la identidad del denunciante"),
    "identity_request_refused": _l("Solicitud de identidad denegada e informada (RG 3.4)"),
    "package_exported": _l("Paquete de derivación generado"),
    "bad_faith.start": _l("Inicio del procedimiento por mala fe (RG 11)"),
    "bad_faith.record_alegaciones": _l("Alegaciones sobre la mala fe registradas"),
    "bad_faith.decide": _l("Decisión sobre la mala fe (RG 11)"),
    "obligations_breached": _l("Incumplimiento de obligaciones remitido (RG 10.2)"),
    "pad_ended": _l("Fin del procedimiento disciplinario registrado (RG 6.2)"),
    **{f"measure.{act.value}": label for act, label in MEASURE_ACT_LABELS.items()},
}
CRITERION_LABELS = {
    Criterion.TRASCENDENCIA: _l("Trascendencia: no otorgarla crearía un riesgo cierto e inminente"),
    Criterion.GRAVEDAD: _l("Gravedad: afectación del bien jurídico protegido"),
    Criterion.VEROSIMILITUD: _l("Verosimilitud: probabilidad de que los hechos ocurrieron"),
    Criterion.SUBORDINACION: _l(
        "Subordinación o jerarquía entre denunciante y denunciado (medidas laborales)"
    ),
    Criterion.INDICIOS_RAZONABLES: _l("Apartamiento (DL 9.3): indicios razonables suficientes"),
    Criterion.CARGO_DETERMINANTE: _l(
        "Apartamiento (DL 9.3): el cargo del denunciado es determinante en la contratación"
    ),
    Criterion.RIESGO_REPRESALIA: _l(
        "Apartamiento (DL 9.3): el denunciado conoce la denuncia y puede tomar represalias"
    ),
}
CEASE_LABELS = {
    CeaseGround.DANGER_EXTINGUISHED: _l("Se extinguió el peligro (DL 10)"),
    CeaseGround.PAD_ENDED: _l("Terminó el procedimiento disciplinario"),
    CeaseGround.OTHER: _l("Otro motivo"),
}
MEASURE_EVENT_LABELS = {f"measure.{act.value}": label for act, label in MEASURE_ACT_LABELS.items()}


def label_context() -> dict[str, Any]:
    """Template globals for the case blueprints (inbox, cases, measures)."""
    return {
        "state_labels": STATE_LABELS,
        "modality_labels": MODALITY_LABELS,
        "motive_labels": MOTIVE_LABELS,
        "deadline_labels": DEADLINE_LABELS,
        "destination_labels": DESTINATION_LABELS,
        "measure_type_labels": MEASURE_TYPE_LABELS,
        "beneficiary_labels": BENEFICIARY_LABELS,
        "measure_state_labels": MEASURE_STATE_LABELS,
        "bad_faith_labels": BAD_FAITH_LABELS,
    }

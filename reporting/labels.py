"""Plain-language Spanish labels (with the English catalog) for what the complainant sees."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.law import vocabulary
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import MessageKind
from core.law.enums import Modality

MODALITY = {
    Modality.ANONYMOUS: _l("Anónima: no doy mi nombre"),
    Modality.RESERVED: _l("Con reserva de identidad: me identifico y mi identidad se protege"),
    Modality.UNRESERVED: _l("Sin reserva de identidad: me identifico y renuncio a la reserva"),
}

MODALITY_SHORT = {k: _l(v) for k, v in vocabulary.MODALITIES.items()}
SUBSANACION_CONSEQUENCE = _l(vocabulary.SUBSANACION_CONSEQUENCE)

MOTIVE = {k: _l(v) for k, v in vocabulary.MOTIVES.items()}

MEASURE = {k: _l(v) for k, v in vocabulary.MEASURE_TYPES.items()}

COMPLAINANT_MEASURES = tuple(MeasureType)

STATE = {
    CaseState.REGISTERED: (
        _l("Registrada"),
        _l("Su denuncia fue recibida y registrada con un código cifrado."),
    ),
    CaseState.VERIFYING: (
        _l("En verificación de requisitos"),
        _l("La Oficina revisa que la denuncia tenga los requisitos de ley (2 días hábiles)."),
    ),
    CaseState.OBSERVED: (
        _l("Observada: se requiere subsanación"),
        _l("La Oficina le pide completar información. Responda antes de la fecha indicada."),
    ),
    CaseState.VERIFIED: (
        _l("Requisitos verificados"),
        _l("La denuncia cumple los requisitos y será derivada al órgano competente."),
    ),
    CaseState.ARCHIVED_WITHDRAWAL: (
        _l("Archivada por desistimiento"),
        _l("No se subsanaron a tiempo las observaciones."),
    ),
    CaseState.EVALUATING_MEASURES: (
        _l("En evaluación de medidas de protección"),
        _l("La Oficina evalúa las medidas de protección solicitadas."),
    ),
    CaseState.FORWARDED: (
        _l("Derivada"),
        _l("La denuncia fue enviada al órgano competente para su investigación."),
    ),
    CaseState.CONCLUDED: (
        _l("Concluida"),
        _l("La Oficina terminó su intervención en esta denuncia."),
    ),
}

DESTINATION = {
    Destination.STPAD: _l("Secretaría Técnica del Procedimiento Administrativo Disciplinario"),
    Destination.OCI: _l("Órgano de Control Institucional"),
    Destination.PROCURADURIA: _l("Procuraduría Pública"),
    Destination.OTHER_ENTITY: _l("otra entidad competente"),
    Destination.NOT_APPLICABLE: _l("no corresponde (queja o reclamo)"),
    Destination.TITULAR: _l("titular de la entidad"),
}

MEASURE_STATE = {
    MeasureState.REQUESTED: _l("solicitada"),
    MeasureState.HR_FEASIBILITY: _l("en informe de viabilidad"),
    MeasureState.GRANTED: _l("otorgada"),
    MeasureState.DENIED: _l("denegada"),
    MeasureState.IN_FORCE: _l("vigente"),
    MeasureState.VARIATION: _l("en variación"),
    MeasureState.VARIED: _l("variada"),
    MeasureState.SUSPENSION: _l("en suspensión"),
    MeasureState.SUSPENDED: _l("suspendida"),
    MeasureState.BAD_FAITH_CESSATION: _l("en cese por mala fe"),
    MeasureState.EXCLUDED: _l("excluida"),
    MeasureState.CEASED: _l("cesada"),
    MeasureState.ARCHIVED: _l("archivada"),
}

DEADLINE = {
    DeadlineKind.VERIFY_REQUIREMENTS: _l("La Oficina verifica los requisitos hasta el"),
    DeadlineKind.SUBSANACION: _l("Usted puede subsanar hasta el"),
    DeadlineKind.EVALUATE_MEASURES: _l("La Oficina evalúa las medidas hasta el"),
    DeadlineKind.HR_FEASIBILITY: _l("Informe de viabilidad de Recursos Humanos hasta el"),
    DeadlineKind.NOTIFY_MEASURES: _l(
        "La Oficina le comunica lo decidido sobre las medidas hasta el"
    ),
    DeadlineKind.GRANT_LIMIT: _l("Plazo máximo para otorgar las medidas:"),
    DeadlineKind.ALEGACIONES: _l("Plazo para presentar alegaciones:"),
    DeadlineKind.DECISION: _l("Plazo para la decisión:"),
}

EVENT = {
    "registered": _l("Denuncia registrada"),
    "case.registered": _l("Denuncia registrada"),
    "case.begin_verification": _l("Inicio de la verificación de requisitos"),
    "case.verify_requirements": _l("Requisitos verificados"),
    "case.request_subsanacion": _l("Se le pidió subsanar la denuncia"),
    "case.receive_subsanacion": _l("Subsanación recibida"),
    "case.declare_withdrawal": _l("Archivada por desistimiento"),
    "case.forward": _l("Denuncia derivada"),
    "case.forward_reserve_only": _l("Denuncia derivada a la Secretaría Técnica"),
    "case.conclude": _l("Intervención concluida"),
    "case.refer_archived": _l(
        "La información de su denuncia archivada fue remitida a un órgano competente"
    ),
    "office_message": _l("Mensaje de la Oficina"),
    "complainant_message": _l("Usted envió un mensaje"),
    "subsanacion_response": _l("Usted envió su subsanación"),
    "subsanacion_notice_opened": _l("Usted abrió el requerimiento de subsanación"),
    "clocks_recomputed": _l("Su plazo cambió por un día declarado no laborable"),
    "protection_requested_later": _l("Usted solicitó medidas de protección"),
    "retaliation_reported": _l("Usted informó represalias"),
    "evidence_added": _l("Usted añadió pruebas"),
    "measure.request": _l("Medida de protección solicitada"),
    "measure.grant": _l("Medida de protección otorgada"),
    "measure.deny": _l("Medida de protección denegada"),
    "measure.notify_complainant": _l("Se le comunicó la decisión sobre la medida"),
    "measure.enter_into_force": _l("Medida de protección vigente"),
    "measure.start_variation": _l("Se inició la variación de una medida"),
    "measure.start_suspension": _l("Se inició la suspensión de una medida"),
    "measure.start_bad_faith_cessation": _l("Se inició el cese de una medida por mala fe"),
    "measure.cease": _l("Medida de protección cesada"),
    "measure.archive": _l("Solicitud de medida archivada"),
    "measure.decide_variation": _l("Se decidió sobre la variación de una medida"),
    "measure.decide_suspension": _l("Se decidió sobre la suspensión de una medida"),
    "measure.decide_cessation": _l("Se decidió sobre el cese de una medida por mala fe"),
    "identity_accessed": _l("La jefatura de la OII consultó sus datos de identidad"),
    "measure.lift_suspension": _l("Se levantó la suspensión de una medida: vuelve a estar vigente"),
    "measure.exclude_for_bad_faith": _l("Exclusión de una medida de protección por mala fe"),
    "bad_faith.start": _l(
        "La Oficina inició un procedimiento por mala fe sobre su denuncia: puede presentar "
        "alegaciones"
    ),
    "bad_faith.decide": _l("Se decidió el procedimiento por mala fe"),
    "obligations_breached": _l(
        "La Oficina registró un incumplimiento de sus obligaciones como persona protegida"
    ),
}

# The decision a notification tells the complainant about (core.law.enums.MeasureState values).
MEASURE_DECISION = {
    "otorgada": _l("otorgada"),
    "vigente": _l("otorgada y vigente"),
    "denegada": _l("denegada"),
}

# Why the head of the OII read the identity (core.services.vault.LegalBasis values), shown to the
# complainant beside the access so they know every access and its stated ground.
LEGAL_BASIS = {
    "ejecucion_medidas": _l("para ejecutar medidas de protección"),
    "aclaraciones": _l("para pedirle aclaraciones"),
    "mandato_judicial": _l("por mandato judicial o fiscal"),
    "consentimiento": _l("con su consentimiento"),
    "mala_fe": _l("en un procedimiento por mala fe"),
    "otro": _l("por otra base legal registrada"),
}
GENERIC_EVENT = _l("Actuación registrada")

# DL 7.1 requirement items, as numbered in the law (core.law.workflow.RequirementItem).
MISSING_ITEM = {
    1: _l("sus datos de identidad"),
    2: _l("la descripción de los hechos o el nombre o cargo del denunciado"),
    3: _l("el compromiso de permanecer a disposición"),
    4: _l("el lugar y la fecha, y su firma o huella"),
}

MESSAGE_KIND = {
    MessageKind.MESSAGE: _l("Mensaje"),
    MessageKind.SUBSANACION_RESPONSE: _l("Subsanación"),
    MessageKind.PROTECTION_REQUEST: _l("Solicitud de medidas de protección"),
    MessageKind.RETALIATION: _l("Represalias"),
}

METADATA_FIELD = {
    "author": _l("Autor"),
    "device": _l("Dispositivo"),
    "software": _l("Programa"),
    "date": _l("Fecha"),
    "gps": _l("Ubicación GPS"),
    "xmp": _l("Metadatos XMP"),
    "exif": _l("Metadatos EXIF"),
    "comment": _l("Comentario"),
    "organization": _l("Organización"),
    "title": _l("Título o asunto"),
    "text": _l("Otros datos"),
}

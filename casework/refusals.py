"""Casework: what an officer reads when core refuses an act (refusal code -> message).

The codes come from core.law.workflow, core.law.measures_workflow and the services; every
casework page that runs an act shows its refusal through refusal_message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import CapabilityRequired
from core.errors import DomainError

# Refusal codes (core.law.workflow, core.law.measures_workflow, services) -> message for
# the officer.
REFUSALS = {
    "metadata_not_removable": _l(
        "No se pudieron quitar los metadatos de este archivo (está dañado o tiene un formato "
        "inesperado). Descargue el original y revíselo en un equipo aislado."
    ),
    "act_not_allowed_in_state": _l("Ese acto no corresponde al estado actual."),
    "reserve_only_goes_to_stpad": _l(
        "Una solicitud solo de reserva de identidad se deriva de inmediato a la STPAD (RG 4.2)."
    ),
    "not_reserve_only": _l("Solo la solicitud de reserva de identidad omite la verificación."),
    "subsanacion_period_open": _l(
        "El desistimiento solo puede declararse vencido el plazo de subsanación: 3 días "
        "hábiles desde que el denunciante abrió el requerimiento (RG 4.4, DL 8.1)."
    ),
    "subsanacion_answered": _l(
        "El denunciante respondió al requerimiento de subsanación: registre la subsanación "
        "recibida y verifique de nuevo (DL 8.1)."
    ),
    "measures_undecided": _l(
        "Podrá derivar cuando estén decididas todas las medidas de protección solicitadas o "
        "haya vencido el plazo de evaluación (RG 4.7, 4.8)."
    ),
    "open_deadlines": _l("Hay plazos abiertos: registre primero los actos que los cierran."),
    "missing_items_required": _l("Indique qué requisitos faltan (DL art. 7.1, numerales 1 a 4)."),
    "identity_not_required_for_anonymous": _l(
        "Una denuncia anónima no requiere los datos de identidad (DL 7.3)."
    ),
    "stpad_forwarding_required": _l(
        "Si faltan los requisitos 1, 3 o 4, la denuncia se deriva a la STPAD en el mismo acto "
        "(RG 4.5)."
    ),
    "destination_required": _l("Elija a dónde se deriva la denuncia."),
    "destination_not_allowed": _l("Ese destino no corresponde a este acto."),
    "already_forwarded": _l(
        "La denuncia ya fue derivada a ese órgano; si hace falta, genere de nuevo su paquete."
    ),
    "not_applicable_requires_queja_reclamo": _l(
        "«No corresponde» solo procede para una queja o reclamo que no es un acto de corrupción."
    ),
    "destination_name_required": _l("Indique el nombre de la entidad competente (DL 8.3)."),
    "reasoning_required": _l("Todo acto requiere su fundamentación."),
    "reasoning_too_long": _l(
        "La fundamentación es demasiado larga (máximo 20 000 caracteres); resúmala y adjunte "
        "el detalle como nota."
    ),
    "already_notified": _l("El denunciante ya fue notificado."),
    "hr_report_already_recorded": _l("El informe de viabilidad ya está registrado."),
    "hr_report_required": _l("Esta medida requiere primero el informe de viabilidad (RG 5.2)."),
    "alegaciones_period_open": _l(
        "Decida cuando venza el plazo de alegaciones o se hayan recibido (RG 9, 11)."
    ),
    "alegaciones_already_recorded": _l("Las alegaciones ya están registradas."),
    "hr_result_required": _l("Indique si la ORH consideró viable la medida."),
    "criteria_required": _l("Evalúe la trascendencia, la gravedad y la verosimilitud (RG 7.1)."),
    "apartamiento_conditions_required": _l(
        "El apartamiento requiere indicios razonables, un cargo determinante y riesgo de "
        "represalia (DL 9.3; RG 6.3)."
    ),
    "pad_ended": _l(
        "El traslado, la licencia y la exoneración solo rigen mientras dura el PAD (RG 6.2)."
    ),
    "bad_faith_pending": _l(
        "Hay un procedimiento por mala fe abierto: decídalo primero (DL 14; RG 11)."
    ),
    "bad_faith_not_upheld": _l("Solo la decisión que confirma la mala fe excluye las medidas."),
    "bad_faith_already_open": _l(
        "Ya hay un procedimiento por mala fe abierto sobre esta persona (uno por persona)."
    ),
    "no_bad_faith_procedure": _l("No hay un procedimiento por mala fe abierto."),
    "bad_faith_person": _l("La mala fe se refiere a quien presentó la denuncia (DL 4.5; DL 14)."),
    "upheld_required": _l("Indique si se confirma o no la mala fe."),
    "not_protected": _l(
        "Solo una persona con medidas otorgadas tiene estas obligaciones (DL 13; RG 10)."
    ),
    "pad_end_in_future": _l("La fecha de fin del PAD no puede ser posterior a hoy."),
    "pad_end_recorded": _l("El fin del PAD ya está registrado."),
    "pad_end_date_required": _l("Indique la fecha en que terminó el PAD."),
    "already_requested": _l("Esa medida ya está solicitada o vigente para el denunciante."),
    "excluded_for_bad_faith": _l(
        "El denunciante fue excluido de las medidas por mala fe (DL 14): no admite nuevas."
    ),
    "subordination_required": _l(
        "Las medidas laborales requieren relación de subordinación o jerarquía (RG 7.2)."
    ),
    "bad_faith_type_required": _l("Indique el tipo de mala fe (DL 4.5)."),
    "cease_ground_required": _l("Indique el motivo del cese."),
    "case_archived": _l("La denuncia fue archivada por desistimiento (DL 8.1)."),
    "capability_required": _l(
        "Solo el responsable de la OII (o la MAA) puede decidir sobre medidas de protección."
    ),
    "wrong_entity": _l("Esta denuncia pertenece a otra entidad."),
    "legal_basis_required": _l("Indique la base legal para acceder a la identidad."),
    "statement_too_long": _l("El texto es demasiado largo."),
    "head_role_required": _l(
        "Solo el responsable de la OII (o la MAA) puede acceder a la identidad."
    ),
    "vault_key_missing": _l("Su sesión no tiene la llave de la bóveda de identidad."),
    "invalid_recipient": _l(
        "La clave pública del destinatario no es válida (debe empezar con age1 o age1pq1)."
    ),
    "wrong_case": _l("Esa derivación pertenece a otra denuncia."),
    "message_refused": _l("El mensaje está vacío o es demasiado largo."),
    "note_refused": _l("La nota está vacía o es demasiado larga."),
    "notice_not_visible": _l(
        "Este acto no se muestra al denunciante: deje vacío el texto para el denunciante y "
        "escríbale un mensaje si hace falta."
    ),
    "notice_too_long": _l(
        "El texto para el denunciante es demasiado largo (máximo 20 000 caracteres)."
    ),
}


def refusal_message(exc: DomainError) -> str:
    code = getattr(exc, "code", "")
    if isinstance(exc, CapabilityRequired):
        code = "capability_required"
    return str(REFUSALS.get(code, _l("La acción fue rechazada: %(reason)s", reason=str(exc))))

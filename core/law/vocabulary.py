"""The law's names (docs/workflow.md): the glossary of Integra's vocabulary.

Case states, modalities, motives, forwarding bodies, deadline kinds, DL 7.1 requirements,
protection measures and their states, beneficiaries, bad-faith types, intake channels, and the
stated grounds and requesters of an identity access. Each name is defined here once; the apps
only wrap it (casework/labels.py adds the casework's UI wording around it).

One source for both apps: the Spanish names are msgids, marked with `N_` for extraction into
core/translations (the catalog both apps load); each app wraps them in its lazy gettext.
Flask-free on purpose, like the rest of core.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import CaseState
from core.law.enums import Channel
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.law.workflow import RequirementItem


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

CASE_STATES: Mapping[CaseState, str] = {
    CaseState.REGISTERED: N_("Registrada"),
    CaseState.VERIFYING: N_("En verificación de requisitos"),
    CaseState.OBSERVED: N_("Observada (subsanación)"),
    CaseState.VERIFIED: N_("Requisitos verificados"),
    CaseState.ARCHIVED_WITHDRAWAL: N_("Archivada por desistimiento"),
    CaseState.EVALUATING_MEASURES: N_("En evaluación de medidas"),
    CaseState.FORWARDED: N_("Derivada"),
    CaseState.CONCLUDED: N_("Concluida"),
}

# The bodies a complaint (or a copy) is forwarded to.
DESTINATIONS: Mapping[Destination, str] = {
    Destination.STPAD: N_("Secretaría Técnica del PAD (STPAD)"),
    Destination.OCI: N_("Órgano de Control Institucional (OCI)"),
    Destination.PROCURADURIA: N_("Procuraduría Pública"),
    Destination.OTHER_ENTITY: N_("Otra entidad competente"),
    Destination.NOT_APPLICABLE: N_("No corresponde (queja o reclamo)"),
    Destination.TITULAR: N_("Titular de la entidad"),
}

DEADLINE_KINDS: Mapping[DeadlineKind, str] = {
    DeadlineKind.VERIFY_REQUIREMENTS: N_("Verificar requisitos"),
    DeadlineKind.SUBSANACION: N_("Subsanación (plazo del denunciante)"),
    DeadlineKind.EVALUATE_MEASURES: N_("Evaluar medidas de protección"),
    DeadlineKind.HR_FEASIBILITY: N_("Informe de viabilidad de la ORH"),
    DeadlineKind.NOTIFY_MEASURES: N_("Notificar medidas al denunciante"),
    DeadlineKind.GRANT_LIMIT: N_("Plazo máximo para otorgar medidas"),
    DeadlineKind.ALEGACIONES: N_("Alegaciones"),
    DeadlineKind.DECISION: N_("Decisión motivada"),
}

# The four items of DL 7.1, numbered as in the law.
REQUIREMENTS: Mapping[RequirementItem, str] = {
    RequirementItem.IDENTITY: N_("1. Datos de identidad del denunciante"),
    RequirementItem.FACTS: N_("2. Narración de los hechos y nombre o cargo del denunciado"),
    RequirementItem.COMMITMENT: N_("3. Compromiso de permanecer a disposición"),
    RequirementItem.PLACE_DATE_SIGNATURE: N_("4. Lugar, fecha y firma o huella"),
}

MEASURE_STATES: Mapping[MeasureState, str] = {
    MeasureState.REQUESTED: N_("Solicitada"),
    MeasureState.HR_FEASIBILITY: N_("En informe de viabilidad"),
    MeasureState.GRANTED: N_("Otorgada"),
    MeasureState.DENIED: N_("Denegada"),
    MeasureState.IN_FORCE: N_("Vigente"),
    MeasureState.VARIATION: N_("En procedimiento de variación"),
    MeasureState.VARIED: N_("Variada"),
    MeasureState.SUSPENSION: N_("En procedimiento de suspensión"),
    MeasureState.SUSPENDED: N_("Suspendida"),
    MeasureState.BAD_FAITH_CESSATION: N_("En procedimiento de cese por mala fe"),
    MeasureState.EXCLUDED: N_("Excluida por mala fe"),
    MeasureState.CEASED: N_("Cesada"),
    MeasureState.ARCHIVED: N_("Archivada"),
}

BENEFICIARIES: Mapping[Beneficiary, str] = {
    Beneficiary.COMPLAINANT: N_("Denunciante"),
    Beneficiary.WITNESS: N_("Testigo"),
    Beneficiary.THIRD_PARTY: N_("Tercero (extensión de medidas)"),
}

# The kinds of bad faith (DL 4.5).
BAD_FAITH_TYPES: Mapping[BadFaithType, str] = {
    BadFaithType.ALREADY_REPORTED: N_("Denuncia sobre hechos ya denunciados"),
    BadFaithType.REPEATED: N_("Denuncia reiterada"),
    BadFaithType.UNFOUNDED: N_("Denuncia carente de fundamento"),
    BadFaithType.FALSE: N_("Denuncia falsa"),
}

# How a complaint reached the office (DL 4.4; RG 13).
CHANNELS: Mapping[Channel, str] = {
    Channel.WEB: N_("Canal web (este servicio)"),
    Channel.WRITTEN: N_("Por escrito (mesa de partes)"),
    Channel.VERBAL: N_("Verbal (acta)"),
    Channel.EMAIL: N_("Correo electrónico"),
    Channel.PLATFORM: N_("Plataforma Digital Única de Denuncias"),
}

# The stated ground of an identity access (RG 3.4), keyed by the values of
# core.services.vault.LegalBasis (the law does not import the services).
LEGAL_BASES: Mapping[str, str] = {
    "ejecucion_medidas": N_("Ejecución de medidas de protección (ORH)"),
    "aclaraciones": N_("Solicitar aclaraciones al denunciante"),
    "mandato_judicial": N_("Mandato judicial o fiscal"),
    "consentimiento": N_("Pedido o consentimiento del denunciante"),
    "mala_fe": N_("Procedimiento por mala fe (DL 14)"),
    "otro": N_("Otra base legal"),
}

# Who asked for an identity (RG 3.4), keyed by the values of core.services.vault.Requester.
REQUESTERS: Mapping[str, str] = {
    "titular": N_("Titular de la entidad"),
    "maa": N_("Máxima autoridad administrativa"),
    "servidor": N_("Servidor de la entidad"),
    "externo": N_("Persona o entidad externa"),
    "otro": N_("Otro"),
}
# What happens when a subsanación request goes unanswered by its due date (RG 4.4; DL 8.1):
# the standard text the follow-up page shows when the office typed none of its own.
SUBSANACION_CONSEQUENCE = N_(
    "Si no subsana a tiempo, su denuncia se archiva por desistimiento, con su solicitud de"
    " medidas de protección (D. Leg. 1327, art. 8.1; Reglamento, art. 4.4)."
)

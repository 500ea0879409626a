"""Domain vocabulary of DL 1327 as enums, stored by value.

Values are stable identifiers (ASCII, snake_case); user-facing labels live in
`core.labels` and the message catalogs, never here.
"""

from __future__ import annotations

from enum import StrEnum


class Modality(StrEnum):
    """How the complainant files (DL 7.3; RG 3.2)."""

    ANONYMOUS = "anonima"
    RESERVED = "con_reserva"  # presumed when the complainant identifies
    UNRESERVED = "sin_reserva"


class Motive(StrEnum):
    """The platform's list of motives (PDUDC); a complaint has one or two."""

    MISUSE_OF_RESOURCES = "apropiacion_recursos"
    UNDUE_ADVANTAGE = "favorecimiento_soborno"
    INFLUENCE_PEDDLING = "invocacion_influencias"
    IRREGULAR_PROCUREMENT = "contratacion_irregular"
    COVID_VACCINATION = "vacunacion_covid"
    OTHER_ETHICS = "otros_actos"


class Channel(StrEnum):
    """How the complaint reached the office (DL 4.4: verbal, written or virtual; RG 13)."""

    WEB = "web"  # this service's own intake
    WRITTEN = "mesa_de_partes"  # in writing, at the front desk or by post
    VERBAL = "verbal"  # in person, recorded in an acta by an officer
    EMAIL = "correo"  # by e-mail to the office
    PLATFORM = "pdudc"  # the State's Plataforma Digital Única de Denuncias del Ciudadano


class CaseState(StrEnum):
    """Complaint states (docs/workflow.md)."""

    REGISTERED = "registrada"
    VERIFYING = "en_verificacion"
    OBSERVED = "observada"  # subsanación requested
    VERIFIED = "verificada"  # requirements met, no measures to evaluate: to be forwarded
    ARCHIVED_WITHDRAWAL = "archivada_desistimiento"
    EVALUATING_MEASURES = "en_evaluacion_medidas"
    FORWARDED = "derivada"
    CONCLUDED = "concluida"


class Destination(StrEnum):
    """Bodies a complaint (or a copy) is forwarded to."""

    STPAD = "stpad"
    OCI = "oci"
    PROCURADURIA = "procuraduria"
    OTHER_ENTITY = "otra_entidad"
    NOT_APPLICABLE = "no_corresponde"  # queja / reclamo, not corruption
    TITULAR = "titular"


class MeasureType(StrEnum):
    """Protection measures (RG 6; DL 9)."""

    IDENTITY_RESERVE = "reserva_identidad"
    TRANSFER_COMPLAINANT = "traslado_denunciante"
    TRANSFER_REPORTED = "traslado_denunciado"
    CONTRACT_RENEWAL = "renovacion_contrato"
    PAID_LEAVE_REPORTED = "licencia_goce_denunciado"
    ATTENDANCE_EXEMPTION_REPORTED = "exoneracion_asistencia_denunciado"
    PROCUREMENT_REMOVAL = "apartamiento_contratacion"
    BIDDER_GUARANTEE = "garantia_postor"
    OTHER = "otra"


class Beneficiary(StrEnum):
    COMPLAINANT = "denunciante"
    WITNESS = "testigo"
    THIRD_PARTY = "tercero"


class MeasureState(StrEnum):
    """Protection measure lifecycle (docs/workflow.md)."""

    REQUESTED = "solicitada"
    HR_FEASIBILITY = "en_viabilidad"
    GRANTED = "otorgada"
    DENIED = "denegada"
    IN_FORCE = "vigente"
    VARIATION = "en_variacion"
    VARIED = "variada"
    SUSPENSION = "en_suspension"
    SUSPENDED = "suspendida"
    BAD_FAITH_CESSATION = "en_cese_mala_fe"
    EXCLUDED = "excluida"
    CEASED = "cesada"
    ARCHIVED = "archivada"  # request archived by desistimiento (DL 8.1)


class BadFaithType(StrEnum):
    """DL 4.5."""

    ALREADY_REPORTED = "hechos_ya_denunciados"
    REPEATED = "reiterada"
    UNFOUNDED = "carente_de_fundamento"
    FALSE = "falsa"


class Role(StrEnum):
    OFFICER = "officer"  # OII staff
    HEAD = "head"  # responsable de la OII / MAA: identity vault, grants measures
    AUDITOR = "auditor"  # audit log and statistics, no case content
    ADMIN = "admin"  # accounts and entity settings, no case content
    # The entity's titular: handles the complaints against the OII's own staff or head, and
    # only those (RG 4.9); the OII's officers and head are barred from them.
    TITULAR = "titular"
    # Runs an install hosting many entities: lists, disables and enables entities; holds no
    # entity key and opens no case (core/access/platform.py, issue 13).
    PLATFORM = "platform"


class BlobKind(StrEnum):
    REPORT = "report"
    IDENTITY = "identity"
    ATTACHMENT = "attachment"
    MESSAGE = "message"
    NOTE = "note"
    PACKAGE = "package"


class MessageDirection(StrEnum):
    TO_COMPLAINANT = "to_complainant"
    FROM_COMPLAINANT = "from_complainant"


class MessageKind(StrEnum):
    MESSAGE = "message"
    SUBSANACION_RESPONSE = "subsanacion"
    PROTECTION_REQUEST = "proteccion"
    RETALIATION = "represalia"


class DeadlineKind(StrEnum):
    """Statutory clocks (docs/workflow.md)."""

    VERIFY_REQUIREMENTS = "verificar_requisitos"  # 2 bd, RG 4.4
    SUBSANACION = "subsanacion"  # complainant, 3 bd from notification, RG 4.4
    EVALUATE_MEASURES = "evaluar_medidas"  # 5 bd, RG 4.7
    HR_FEASIBILITY = "informe_viabilidad"  # 3 bd, RG 5.2
    NOTIFY_MEASURES = "notificar_medidas"  # 7 bd, RG 5.1
    GRANT_LIMIT = "plazo_maximo_medidas"  # 15 bd from the day after filing, RG 6
    ALEGACIONES = "alegaciones"  # 5 bd, RG 9 / RG 11
    DECISION = "decision"  # 10 days after alegaciones, RG 9 / RG 11

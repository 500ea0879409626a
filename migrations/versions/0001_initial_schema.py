"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("office_recipient", sa.Text(), nullable=False),
        sa.Column("vault_recipient", sa.Text(), nullable=False),
        sa.Column("signing_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("signing_key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("case_prefix", sa.String(length=8), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("slug", name=op.f("uq_entities_slug")),
    )
    op.create_table(
        "throttles",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("window_start", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttles")),
    )
    op.create_table(
        "case_counters",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_case_counters_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("entity_id", "year", name=op.f("pk_case_counters")),
    )
    op.create_table(
        "non_working_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_non_working_days_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_non_working_days")),
        sa.UniqueConstraint("entity_id", "day", name=op.f("uq_non_working_days_entity_id")),
    )
    op.create_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "officer", "head", "auditor", "admin", name="role", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("totp_secret_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("totp_confirmed", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_officers_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("username", name=op.f("uq_officers_username")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "modality",
            sa.Enum(
                "anonima",
                "con_reserva",
                "sin_reserva",
                name="modality",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "motive_1",
            sa.Enum(
                "apropiacion_recursos",
                "favorecimiento_soborno",
                "invocacion_influencias",
                "contratacion_irregular",
                "vacunacion_covid",
                "otros_actos",
                name="motive",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "motive_2",
            sa.Enum(
                "apropiacion_recursos",
                "favorecimiento_soborno",
                "invocacion_influencias",
                "contratacion_irregular",
                "vacunacion_covid",
                "otros_actos",
                name="motive",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "registrada",
                "en_verificacion",
                "observada",
                "archivada_desistimiento",
                "en_evaluacion_medidas",
                "derivada",
                "concluida",
                name="case_state",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("filed_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("protection_requested", sa.Boolean(), nullable=False),
        sa.Column("reserve_only", sa.Boolean(), nullable=False),
        sa.Column("receipt_lookup", sa.String(length=64), nullable=False),
        sa.Column("receipt_salt", sa.LargeBinary(), nullable=False),
        sa.Column("complainant_recipient", sa.Text(), nullable=False),
        sa.Column("report_blob_id", sa.Integer(), nullable=True),
        sa.Column("identity_blob_id", sa.Integer(), nullable=True),
        sa.Column("report_sha256", sa.String(length=64), nullable=False),
        sa.Column("acknowledgement_signature", sa.LargeBinary(), nullable=False),
        sa.Column("assigned_officer_id", sa.Integer(), nullable=True),
        sa.Column("next_deadline_on", sa.Date(), nullable=True),
        sa.Column(
            "next_deadline_kind",
            sa.Enum(
                "verificar_requisitos",
                "subsanacion",
                "evaluar_medidas",
                "informe_viabilidad",
                "notificar_medidas",
                "plazo_maximo_medidas",
                "alegaciones",
                "decision",
                name="deadline_kind",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("updated_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_officer_id"],
            ["officers.id"],
            name=op.f("fk_cases_assigned_officer_id_officers"),
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_cases_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("code", name=op.f("uq_cases_code")),
        sa.UniqueConstraint("receipt_lookup", name=op.f("uq_cases_receipt_lookup")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_deadline", ["entity_id", "next_deadline_on", "id"], unique=False
        )
        batch_op.create_index("ix_cases_inbox", ["entity_id", "filed_at", "id"], unique=False)
        batch_op.create_index(
            "ix_cases_officer", ["assigned_officer_id", "next_deadline_on", "id"], unique=False
        )
        batch_op.create_index(
            "ix_cases_state_inbox", ["entity_id", "state", "filed_at", "id"], unique=False
        )

    op.create_table(
        "officer_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("keys_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_officer_sessions_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_sessions")),
    )
    with op.batch_alter_table("officer_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_officer_sessions_officer_id"), ["officer_id"], unique=False
        )

    op.create_table(
        "wrapped_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_wrapped_keys_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_wrapped_keys_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wrapped_keys")),
        sa.UniqueConstraint("officer_id", "purpose", name=op.f("uq_wrapped_keys_officer_id")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_audit_entries_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_audit_entries_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_audit_entries_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_entries_seq")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_case_id"), ["case_id"], unique=False)

    op.create_table(
        "blobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "report",
                "identity",
                "attachment",
                "message",
                "note",
                "package",
                name="blob_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_blobs_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blobs")),
    )
    # cases <-> blobs reference each other: add the cases side once blobs exists.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_cases_report_blob_id_blobs"), "blobs", ["report_blob_id"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_cases_identity_blob_id_blobs"), "blobs", ["identity_blob_id"], ["id"]
        )
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blobs_case_id"), ["case_id"], unique=False)

    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "reserva_identidad",
                "traslado_denunciante",
                "traslado_denunciado",
                "renovacion_contrato",
                "licencia_goce_denunciado",
                "exoneracion_asistencia_denunciado",
                "apartamiento_contratacion",
                "garantia_postor",
                "otra",
                name="measure_type",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "beneficiary",
            sa.Enum(
                "denunciante",
                "testigo",
                "tercero",
                name="beneficiary",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "solicitada",
                "en_viabilidad",
                "otorgada",
                "denegada",
                "vigente",
                "en_variacion",
                "variada",
                "en_suspension",
                "suspendida",
                "en_cese_mala_fe",
                "excluida",
                "cesada",
                "archivada",
                name="measure_state",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("in_force_from", sa.Date(), nullable=True),
        sa.Column("in_force_until", sa.Date(), nullable=True),
        sa.Column(
            "bad_faith_type",
            sa.Enum(
                "hechos_ya_denunciados",
                "reiterada",
                "carente_de_fundamento",
                "falsa",
                name="bad_faith_type",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("details_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_measures_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_case_id"), ["case_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "to_complainant", "from_complainant", name="direction", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "message",
                "subsanacion",
                "proteccion",
                "represalia",
                name="message_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_messages_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_messages_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_case_id"), ["case_id"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notes_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_notes_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("meta_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("from_complainant", sa.Boolean(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_id"], ["blobs.id"], name=op.f("fk_attachments_blob_id_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_attachments_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_attachments_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "blob_chunks",
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_id"], ["blobs.id"], name=op.f("fk_blob_chunks_blob_id_blobs")
        ),
        sa.PrimaryKeyConstraint("blob_id", "seq", name=op.f("pk_blob_chunks")),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(length=40), nullable=True),
        sa.Column("to_state", sa.String(length=40), nullable=True),
        sa.Column("visible_to_complainant", sa.Boolean(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("reasoning_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_case_events_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_case_events_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "verificar_requisitos",
                "subsanacion",
                "evaluar_medidas",
                "informe_viabilidad",
                "notificar_medidas",
                "plazo_maximo_medidas",
                "alegaciones",
                "decision",
                name="deadline_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("rule_version", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("satisfied_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("satisfied_by_event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_deadlines_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_deadlines_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_deadlines_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["satisfied_by_event_id"],
            ["case_events.id"],
            name=op.f("fk_deadlines_satisfied_by_event_id_case_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_deadlines_open", ["entity_id", "satisfied_at", "due_on"], unique=False
        )

    op.create_table(
        "forwardings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "destination",
            sa.Enum(
                "stpad",
                "oci",
                "procuraduria",
                "otra_entidad",
                "no_corresponde",
                "titular",
                name="destination",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("destination_name", sa.String(length=200), nullable=False),
        sa.Column("is_copy", sa.Boolean(), nullable=False),
        sa.Column("at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_forwardings_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_events.id"], name=op.f("fk_forwardings_event_id_case_events")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_forwardings_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forwardings")),
    )
    with op.batch_alter_table("forwardings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forwardings_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_cases_report_blob_id_blobs"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_cases_identity_blob_id_blobs"), type_="foreignkey")
    with op.batch_alter_table("forwardings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forwardings_case_id"))

    op.drop_table("forwardings")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_open")
        batch_op.drop_index(batch_op.f("ix_deadlines_case_id"))

    op.drop_table("deadlines")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    op.drop_table("blob_chunks")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_case_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_case_id"))

    op.drop_table("notes")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_case_id"))

    op.drop_table("messages")
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures_case_id"))

    op.drop_table("measures")
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blobs_case_id"))

    op.drop_table("blobs")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_case_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))

    op.drop_table("audit_entries")
    op.drop_table("wrapped_keys")
    with op.batch_alter_table("officer_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_sessions_officer_id"))

    op.drop_table("officer_sessions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_state_inbox")
        batch_op.drop_index("ix_cases_officer")
        batch_op.drop_index("ix_cases_inbox")
        batch_op.drop_index("ix_cases_deadline")

    op.drop_table("cases")
    op.drop_table("officers")
    op.drop_table("non_working_days")
    op.drop_table("case_counters")
    op.drop_table("throttles")
    op.drop_table("entities")

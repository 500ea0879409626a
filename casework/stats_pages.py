"""Casework statistics (auditor and head): non-identifying counts, SVG charts, CSV.

The queries and the small-cell suppression live in core.read.stats; this module labels and
draws. Charts are inline SVG with presentation attributes only (no JavaScript, no style
attributes: allowed by the CSP).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_babel import gettext

from casework.auth import current_officer
from casework.auth import require_role
from core import web
from core.law.enums import Role
from core.read import stats
from core.storage import audit
from core.storage.db import utcnow

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 260
CHART_WIDTH = 640
VALUE_WIDTH = 50


def labels() -> dict[str, str]:
    """Spanish labels (English via the catalog) for every statistics key."""
    g = gettext
    return {
        # states
        "registrada": g("Registrada"),
        "en_verificacion": g("En verificación de requisitos"),
        "observada": g("Observada (subsanación)"),
        "verificada": g("Verificada"),
        "archivada_desistimiento": g("Archivada por desistimiento"),
        "en_evaluacion_medidas": g("En evaluación de medidas"),
        "derivada": g("Derivada"),
        "concluida": g("Concluida"),
        # modalities
        "anonima": g("Anónima"),
        "con_reserva": g("Con reserva de identidad"),
        "sin_reserva": g("Sin reserva de identidad"),
        # channels of receipt
        "web": g("Canal web (este servicio)"),
        "mesa_de_partes": g("Por escrito (mesa de partes)"),
        "verbal": g("Verbal (acta)"),
        "correo": g("Correo electrónico"),
        "pdudc": g("Plataforma Digital Única de Denuncias"),
        # motives
        "apropiacion_recursos": g("Apropiación o uso indebido de recursos"),
        "favorecimiento_soborno": g("Favorecimiento indebido o soborno"),
        "invocacion_influencias": g("Invocación de influencias"),
        "contratacion_irregular": g("Contratación irregular"),
        "vacunacion_covid": g("Vacunación irregular contra la COVID-19"),
        "otros_actos": g("Otros actos contrarios a la ética"),
        # destinations
        "stpad": g("Secretaría Técnica PAD"),
        "oci": g("Órgano de Control Institucional"),
        "procuraduria": g("Procuraduría Pública"),
        "otra_entidad": g("Otra entidad competente"),
        "no_corresponde": g("No corresponde (queja o reclamo)"),
        "titular": g("Titular de la entidad"),
        # measure types
        "reserva_identidad": g("Reserva de identidad"),
        "traslado_denunciante": g("Traslado temporal del denunciante"),
        "traslado_denunciado": g("Traslado temporal del denunciado"),
        "renovacion_contrato": g("Renovación de la relación contractual"),
        "licencia_goce_denunciado": g("Licencia con goce del denunciado"),
        "exoneracion_asistencia_denunciado": g("Exoneración de asistir del denunciado"),
        "apartamiento_contratacion": g("Apartamiento del proceso de contratación"),
        "garantia_postor": g("Garantía al postor"),
        "otra": g("Otra medida"),
        # deadline outcomes and kinds
        "met": g("Cumplidos"),
        "missed": g("Vencidos"),
        "open": g("En curso"),
        "verificar_requisitos": g("Verificación de requisitos"),
        "subsanacion": g("Subsanación"),
        "evaluar_medidas": g("Evaluación de medidas"),
        "informe_viabilidad": g("Informe de viabilidad"),
        "notificar_medidas": g("Notificación de medidas"),
        "plazo_maximo_medidas": g("Plazo máximo de medidas"),
        "alegaciones": g("Alegaciones"),
        "decision": g("Decisión"),
        # tables, timings, CSV columns
        "state": g("Denuncias por estado"),
        "modality": g("Denuncias por modalidad"),
        "channel": g("Denuncias por canal de recepción"),
        "motive": g("Motivos (hasta dos por denuncia)"),
        "destination": g("Derivaciones por destino"),
        "measure_type": g("Medidas de protección por tipo"),
        "deadlines": g("Plazos de la oficina"),
        "deadlines_by_kind": g("Plazos por tipo"),
        "verification": g("Hasta la verificación de requisitos"),
        "forwarding": g("Hasta la derivación"),
        "measure_decision": g("Hasta la decisión sobre medidas"),
        "total": g("Total"),
        "cases": g("Casos"),
        "median_business_days": g("Mediana en días hábiles"),
        "median_calendar_days": g("Mediana en días calendario"),
    }


def cell_label(key: str, names: dict[str, str]) -> str:
    if ":" in key:
        kind, outcome = key.split(":", 1)
        return f"{names.get(kind, kind)} · {names.get(outcome, outcome)}"
    return names.get(key, key)


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    y: int
    width: int
    suppressed: bool


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH


def chart(table: stats.Table, names: dict[str, str]) -> Chart:
    """Horizontal bars; a suppressed cell gets an outlined stub, never its length."""
    scale_max = max(table.max_count, 1)
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for i, cell in enumerate(table.cells):
        width = 0 if cell.suppressed else round(span * cell.count / scale_max)
        bars.append(
            Bar(
                label=cell_label(cell.key, names),
                shown=cell.shown,
                y=i * (BAR_HEIGHT + BAR_GAP),
                width=width,
                suppressed=cell.suppressed,
            )
        )
    height = max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP)
    return Chart(title=names.get(table.name, table.name), bars=tuple(bars), height=height)


def _period() -> tuple[dt.date | None, dt.date | None, str | None]:
    error = None
    values: list[dt.date | None] = []
    for name in ("desde", "hasta"):
        raw = request.args.get(name, "").strip()
        if not raw:
            values.append(None)
            continue
        try:
            values.append(dt.date.fromisoformat(raw))
        except ValueError:
            values.append(None)
            error = gettext("Las fechas deben tener el formato AAAA-MM-DD.")
    start, end = values
    if start and end and start > end:
        error = gettext("La fecha inicial es posterior a la final.")
        start = end = None
    # Reports cover whole months only (core.read.stats.snap_period); show the period used.
    start, end = stats.snap_period(start, end)
    return start, end, error


def make_blueprint() -> Blueprint:
    bp = Blueprint("stats", __name__)

    @bp.get("/estadisticas")
    @require_role(Role.AUDITOR, Role.HEAD)
    def index() -> Any:
        me = current_officer()
        start, end, error = _period()
        report = stats.build_report(
            web.db(), entity_id=me.entity_id, now=utcnow(), period_from=start, period_to=end
        )
        names = labels()
        return render_template(
            "stats/index.html",
            report=report,
            charts=[chart(t, names) for t in report.tables],
            names=names,
            cell_label=cell_label,
            error=error,
            start=start,
            end=end,
            small=stats.SMALL,
            complementary=stats.COMPLEMENTARY,
        )

    @bp.get("/estadisticas.csv")
    @require_role(Role.AUDITOR, Role.HEAD)
    def export() -> Any:
        me = current_officer()
        start, end, _ = _period()
        db = web.db()
        report = stats.build_report(
            db, entity_id=me.entity_id, now=utcnow(), period_from=start, period_to=end
        )
        names = labels()
        all_labels = {
            key: cell_label(key, names) for t in report.tables for key in [c.key for c in t.cells]
        }
        all_labels.update({k: v for k, v in names.items() if k not in all_labels})
        body = stats.to_csv(report, all_labels)
        audit.record(
            db,
            action="stats.exported",
            officer_id=me.id,
            entity_id=me.entity_id,
            detail={
                "from": start.isoformat() if start else None,
                "to": end.isoformat() if end else None,
            },
        )
        db.commit()
        filename = f"integra-estadisticas-{utcnow().date().isoformat()}.csv"
        return Response(
            "\ufeff" + body,  # BOM: spreadsheet software then reads UTF-8 (accents)
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return bp

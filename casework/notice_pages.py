"""Deadline notices by e-mail: an officer's opt-in and address, the entity's counts-only
choice (core.services.notify; docs/operations.md "Deadline notices")."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext

from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from core import web
from core.law.enums import Role
from core.services import notify


def make_blueprint() -> Blueprint:
    bp = Blueprint("notices", __name__)

    @bp.route("/cuenta/avisos", methods=["GET", "POST"])
    @require_role(Role.OFFICER, Role.HEAD)
    def account() -> Any:
        me = current_officer()
        error = None
        form = {"opt_in": me.notify_opt_in, "address": me.notify_email or ""}
        if request.method == "POST":
            posted = forms.NoticePreferencesForm()
            form = {"opt_in": posted.opt_in.data, "address": posted.address.data}
            db = web.db()
            try:
                notify.set_preferences(
                    db, officer=me, opt_in=bool(form["opt_in"]), address=str(form["address"])
                )
            except notify.NoticeRefused as exc:
                db.rollback()
                error = (
                    gettext("Indique un correo para recibir los avisos.")
                    if exc.args[0] == "address_required"
                    else gettext("Indique un correo válido, como nombre@entidad.gob.pe.")
                )
            else:
                db.commit()
                return redirect(url_for("notices.account", guardado=1))
        return (
            render_template(
                "notices/account.html",
                form=form,
                error=error,
                saved=bool(request.args.get("guardado")),
                counts_only=me.entity.notify_counts_only,
            ),
            400 if error else 200,
        )

    @bp.route("/admin/avisos", methods=["GET", "POST"])
    @require_role(Role.ADMIN)
    def entity() -> Any:
        me = current_officer()
        if request.method == "POST":
            db = web.db()
            notify.set_counts_only(
                db,
                entity=me.entity,
                counts_only=forms.CountsOnlyForm().counts_only.data,
                actor=me,
            )
            db.commit()
            return redirect(url_for("notices.entity", guardado=1))
        return render_template(
            "notices/entity.html",
            counts_only=me.entity.notify_counts_only,
            saved=bool(request.args.get("guardado")),
        )

    return bp

"""Signing in and out: the ``auth`` blueprint (form with CSRF, session cookie)."""

from __future__ import annotations

import math

from flask import Blueprint, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from webmap.auth import (
    sign_in,
    sign_out,
    signin_failed,
    signin_succeeded,
    signin_wait,
    verify_password,
)
from webmap.db import get_conn
from webmap.pages import render_page
from webmap.params import safe_next

__all__ = ["LoginForm", "bp"]

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """User name and password, with the form's CSRF token."""

    username = StringField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    """Sign in (form with CSRF)."""
    form = LoginForm()
    if form.validate_on_submit():
        username, address = form.username.data.strip(), request.remote_addr or "-"
        wait = math.ceil(signin_wait(username, address))
        if wait:
            flash(_("Too many failed sign-ins: try again in %(seconds)s s.", seconds=wait))
            locked = make_response(render_page("login.html", form=form, page="login"), 429)
            locked.headers["Retry-After"] = str(wait)
            return locked
        user = verify_password(get_conn(), username, form.password.data)
        if user is not None:
            signin_succeeded(username)
            sign_in(user)
            return redirect(safe_next(request.args.get("next")) or url_for("pages.planner"))
        signin_failed(username, address)
        flash(_("Wrong user name or password"))
        return render_page("login.html", form=form, page="login"), 401
    return render_page("login.html", form=form, page="login")


@bp.post("/logout")
def logout() -> Response:
    """Sign out and go back to the planner map."""
    sign_out()
    return redirect(url_for("pages.planner"))

"""Accounts, roles and API tokens.

- Passwords: argon2id (argon2-cffi). Sessions: Flask-Login (signed cookie, HttpOnly,
  SameSite=Lax). CSRF: Flask-WTF, checked on every unsafe request made with a session
  cookie (forms and the pages' fetch calls send the token); requests that carry an API
  token (``Authorization: Bearer ...``) have no cookie to forge and are not checked.
- Roles: ``admin`` (everything), ``planner``, ``env_officer``; anonymous users read the
  public layers and plan tours. :func:`require` guards a view: 401 without an account,
  403 with the wrong role, before anything runs.
- Tokens: random 256-bit secrets shown once; only their SHA-256 is stored; revocable.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import wraps
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import Forbidden, Unauthorized
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from gis.db import transaction
from gis.errors import ValidationError
from layers import accounts
from layers.accounts import ROLES

__all__ = ["ROLES", "add_user", "bp", "create_token", "init_auth", "require", "verify_password"]

_hasher = PasswordHasher()
bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()


class User(UserMixin):
    def __init__(self, user_id: int, username: str, role: str) -> None:
        self.id, self.username, self.role = user_id, username, role

    def get_id(self) -> str:
        return str(self.id)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- storage (used by the CLI too) ---------------------------------------------------------


def add_user(conn, username: str, password: str, role: str) -> int:
    """Create an account (committed); the password is stored as an argon2id hash."""
    if role not in ROLES:
        raise ValidationError(f"role {role!r}: use one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValidationError("the password needs at least 10 characters")
    with transaction(conn):
        return accounts.insert_user(conn, username, _hasher.hash(password), role)


def verify_password(conn, username: str, password: str) -> User | None:
    """The active user when ``password`` is theirs, else None (same work either way)."""
    found = accounts.credentials(conn, username)
    if found is None:
        _hasher.hash(password)  # same work whether or not the user exists
        return None
    account, password_hash = found
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(account.id, account.username, account.role)


def create_token(conn, username: str, name: str) -> str:
    """A new API token for ``username`` (committed): returned once, stored only as its SHA-256."""
    token = "lng_" + secrets.token_urlsafe(32)
    with transaction(conn):
        accounts.insert_token(conn, username, name, _sha(token))
    return token


def _token_user(conn, token: str) -> User | None:
    with transaction(conn):
        account = accounts.token_account(conn, _sha(token))
    return User(account.id, account.username, account.role) if account else None


# --- the request side ----------------------------------------------------------------------


def _load(user_id: str) -> User | None:
    from webmap.app import get_conn

    account = accounts.account_by_id(get_conn(), int(user_id))
    return User(account.id, account.username, account.role) if account else None


def current() -> User | None:
    """The caller: an API token's user, else the session's, else None (anonymous)."""
    if "lng_user" in g:
        return g.lng_user
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        from webmap.app import get_conn

        user = _token_user(get_conn(), header[7:].strip())
        if user is None:
            raise Unauthorized("the API token is unknown or revoked")
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    g.lng_user = user
    return user


def require(*roles: str):
    """Only these roles (admin always) may call the view: 401 anonymous, 403 wrong role."""

    def wrap(view):
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            user = current()
            if user is None:
                raise Unauthorized("sign in (or send an API token) to do this")
            if user.role != "admin" and user.role not in roles:
                raise Forbidden(
                    f"the {user.role} role may not do this; it needs {' or '.join(roles)}"
                )
            return view(*args, **kwargs)

        return guarded

    return wrap


def _csrf_for_cookies() -> None:
    """CSRF on unsafe requests that carry our session cookie.

    A browser may send that cookie on a forged request; a script with an API token (or no
    cookie at all) cannot be forged.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or request.headers.get(
        "Authorization", ""
    ).startswith("Bearer "):
        return
    if current_app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies:
        return
    csrf.protect()


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in (form with CSRF)."""
    from webmap.app import get_conn
    from webmap.pages import _page

    form = LoginForm()
    if form.validate_on_submit():
        user = verify_password(get_conn(), form.username.data.strip(), form.password.data)
        if user is not None:
            login_user(user)
            target = request.args.get("next", "")
            return redirect(
                target
                if target.startswith("/") and not target.startswith("//")
                else url_for("pages.planner")
            )
        flash(_("Wrong user name or password"))
        return _page("login.html", form=form, page="login"), 401
    return _page("login.html", form=form, page="login")


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("pages.planner"))


def init_auth(app, settings) -> None:
    """Sessions, CSRF and the sign-in pages on ``app``."""
    app.secret_key = settings.session_secret()
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    app.before_request(_csrf_for_cookies)
    app.register_blueprint(bp)

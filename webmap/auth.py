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
from flask import current_app, g, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from gis.db import transaction
from gis.errors import ValidationError
from layers import accounts
from layers.accounts import ROLES
from webmap.db import get_conn
from webmap.errors import Forbidden, Unauthorized

__all__ = [
    "ROLES",
    "User",
    "actor",
    "add_user",
    "create_token",
    "current",
    "init_auth",
    "require",
    "verify_password",
]

_hasher = PasswordHasher()
csrf = CSRFProtect()
login_manager = LoginManager()


class User(UserMixin):
    """The signed-in account as Flask-Login sees it: id, user name and role."""

    def __init__(self, user_id: int, username: str, role: str) -> None:
        self.id, self.username, self.role = user_id, username, role

    def get_id(self) -> str:
        """The id that the session cookie stores."""
        return str(self.id)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- storage (used by the CLI too) ---------------------------------------------------------


def add_user(conn, username: str, password: str, role: str) -> int:
    """Create an account in the caller's transaction; the password is stored as an argon2id hash."""
    if role not in ROLES:
        raise ValidationError(f"role {role!r}: use one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValidationError("the password needs at least 10 characters")
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
    """A new API token for ``username`` (caller's transaction): returned once, stored as SHA-256."""
    token = "lng_" + secrets.token_urlsafe(32)
    accounts.insert_token(conn, username, name, _sha(token))
    return token


def _token_user(conn, token: str) -> User | None:
    with transaction(conn):
        account = accounts.token_account(conn, _sha(token))
    return User(account.id, account.username, account.role) if account else None


# --- the request side ----------------------------------------------------------------------


def _load(user_id: str) -> User | None:
    account = accounts.account_by_id(get_conn(), int(user_id))
    return User(account.id, account.username, account.role) if account else None


def current() -> User | None:
    """The caller: an API token's user, else the session's, else None (anonymous)."""
    if "lng_user" in g:
        return g.lng_user
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = _token_user(get_conn(), header[7:].strip())
        if user is None:
            raise Unauthorized("the API token is unknown or revoked")
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    g.lng_user = user
    return user


def actor() -> str:
    """The signed-in caller's user name, for audit rows and job owners.

    Raises
    ------
    Unauthorized
        When nobody is signed in (views guarded by :func:`require` never get there).
    """
    user = current()
    if user is None:
        raise Unauthorized("sign in (or send an API token) to do this")
    return user.username


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

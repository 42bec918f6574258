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
from flask import current_app, g, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from gis.db import transaction
from gis.errors import ValidationError
from gis.messages import msg
from layers import accounts, sessions
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
    "sign_in",
    "sign_out",
    "signin_failed",
    "signin_succeeded",
    "signin_wait",
    "verify_password",
]

_hasher = PasswordHasher()
csrf = CSRFProtect()
login_manager = LoginManager()


class User(UserMixin):
    """The signed-in account as Flask-Login sees it: id, user name and role."""

    def __init__(
        self, user_id: int, username: str, role: str, session_token: str | None = None
    ) -> None:
        self.id, self.username, self.role = user_id, username, role
        self.session_token = session_token

    def get_id(self) -> str:
        """What the signed session cookie stores: the server-side session's token."""
        return self.session_token or ""


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- storage (used by the CLI too) ---------------------------------------------------------


def add_user(conn, username: str, password: str, role: str) -> int:
    """Create an account in the caller's transaction; the password is stored as an argon2id hash."""
    if role not in ROLES:
        raise ValidationError(msg("accounts.bad_role", role=role, choices=list(ROLES)))
    if len(password) < 10:
        raise ValidationError(msg("accounts.password_short", minimum=10))
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


def _load(token: str) -> User | None:
    """The user of a live server-side session (idle and absolute lifetimes from settings)."""
    settings = current_app.config["LANGNGHE"]
    conn = get_conn()
    with transaction(conn):
        account = sessions.session_account(
            conn, _sha(token), idle_s=settings.session_idle_s, absolute_s=settings.session_max_s
        )
    return User(account.id, account.username, account.role, token) if account else None


def sign_in(user: User) -> None:
    """Start a new server-side session for ``user``.

    The cookie is rotated: everything of the anonymous session (its CSRF token included)
    is dropped, and the new cookie names only a fresh random token.
    """
    settings = current_app.config["LANGNGHE"]
    token = secrets.token_urlsafe(32)
    conn = get_conn()
    with transaction(conn):
        sessions.create_session(conn, user.id, _sha(token), absolute_s=settings.session_max_s)
    session.clear()
    user.session_token = token
    login_user(user)


def sign_out() -> None:
    """End the caller's server-side session: its cookie no longer signs anyone in."""
    token = getattr(current_user, "session_token", None)
    if token:
        conn = get_conn()
        with transaction(conn):
            sessions.delete_session(conn, _sha(token))
    logout_user()
    session.clear()


def _signin_keys(username: str, address: str) -> list[tuple[str, str]]:
    return [("account", username.lower()), ("address", address)]


def signin_wait(username: str, address: str) -> float:
    """Seconds before this account or address may try to sign in again (0: now)."""
    return sessions.locked_for(get_conn(), _signin_keys(username, address))


def signin_failed(username: str, address: str) -> None:
    """Count a failed sign-in where every worker sees it (per account and per address)."""
    settings = current_app.config["LANGNGHE"]
    conn = get_conn()
    with transaction(conn):
        for kind, key in _signin_keys(username, address):
            sessions.record_failure(
                conn,
                kind,
                key,
                limit=settings.signin_max_failures,
                lock_s=settings.signin_lock_s,
                max_lock_s=settings.signin_max_lock_s,
                window_s=settings.signin_window_s,
            )


def signin_succeeded(username: str) -> None:
    """Forget the account's failures (the address keeps its count)."""
    conn = get_conn()
    with transaction(conn):
        sessions.clear_failures(conn, "account", username.lower())


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

        guarded.required_roles = roles  # read by the OpenAPI document
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
    secure = settings.cookie_secure
    if secure is None:
        secure = settings.environment != "development"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    app.before_request(_csrf_for_cookies)

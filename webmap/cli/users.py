"""``langnghe users add|list|disable|enable|token|revoke``: accounts and API tokens.

There is no default account: the first admin is made here. Each command owns its
transaction; the storage is ``layers.accounts``, the password and token rules
``webmap.auth``.
"""

from __future__ import annotations

import sys

import click

from gis.db import session, transaction
from gis.settings import get_settings
from layers import accounts
from layers.accounts import ROLES
from webmap.cli.options import say, text

__all__ = ["users_group"]

_APP = "langnghe users"


@click.group(name="users")
def users_group() -> None:
    """Accounts (admin, planner, env_officer) and their API tokens."""


@users_group.command(name="add")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (for scripts)."
)
def users_add(username: str, role: str, password_stdin: bool) -> None:
    """Create an account; the password is asked twice (or read from stdin)."""
    from webmap.auth import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    with session(get_settings(), application_name=_APP) as conn, transaction(conn):
        user_id = add_user(conn, username, password, role)
    say("cli.users.created", username=username, role=role, id=user_id)


@users_group.command(name="list")
def users_list() -> None:
    """Accounts with their role, state and live tokens."""
    with session(get_settings(), application_name=_APP) as conn:
        found = accounts.list_accounts(conn)
    for a in found:
        state = text("cli.users.active" if a.active else "cli.users.disabled")
        tokens = text("cli.users.tokens", count=a.tokens)
        click.echo(f"{a.username:20s} {a.role:12s} {state:12s} {a.created_at:%Y-%m-%d}  {tokens}")


def _set_active(username: str, active: bool) -> None:
    with session(get_settings(), application_name=_APP) as conn, transaction(conn):
        accounts.set_active(conn, username, active)
    say("cli.users.enabled" if active else "cli.users.was_disabled", username=username)


@users_group.command(name="disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: its sessions and tokens stop working at once."""
    _set_active(username, False)


@users_group.command(name="enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account again."""
    _set_active(username, True)


@users_group.command(name="token")
@click.argument("username")
@click.option("--name", default="script", show_default=True, help="What the token is for.")
def users_token(username: str, name: str) -> None:
    """Make an API token (shown once; send it as 'Authorization: Bearer TOKEN')."""
    from webmap.auth import create_token

    with session(get_settings(), application_name=_APP) as conn, transaction(conn):
        token = create_token(conn, username, name)
    click.echo(token)


@users_group.command(name="revoke")
@click.argument("username")
@click.option("--name", help="Only the tokens with this name (default: all of the user's tokens).")
def users_revoke(username: str, name: str | None) -> None:
    """Revoke a user's API tokens."""
    with session(get_settings(), application_name=_APP) as conn, transaction(conn):
        count = accounts.revoke_tokens(conn, username, name)
    say("cli.users.revoked", count=count)

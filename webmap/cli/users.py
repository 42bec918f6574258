"""``langnghe users add|list|disable|enable|token|revoke``: accounts and API tokens.

There is no default account: the first admin is made here.
"""

from __future__ import annotations

import sys

import click

from gis.db import session
from gis.errors import NotFoundError
from gis.settings import get_settings

__all__ = ["users_group"]


@click.group(name="users")
def users_group() -> None:
    """Accounts (admin, planner, env_officer) and their API tokens."""


@users_group.command(name="add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "planner", "env_officer"]), required=True)
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
    with session(get_settings(), application_name="langnghe users") as conn:
        user_id = add_user(conn, username, password, role)
    click.echo(f"user {username} ({role}) created, id {user_id}")


@users_group.command(name="list")
def users_list() -> None:
    """Accounts with their role, state and live tokens."""
    with session(get_settings(), application_name="langnghe users") as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT u.username, u.role, u.active, u.created_at, count(t.id) FILTER (WHERE t.revoked_at IS NULL) "
            "FROM users u LEFT JOIN api_tokens t ON t.user_id = u.id GROUP BY u.id ORDER BY u.username"
        )
        for name, role, active, created, tokens in cur.fetchall():
            click.echo(
                f"{name:20s} {role:12s} {'active' if active else 'disabled':9s} {created:%Y-%m-%d}  {tokens} tokens"
            )


def _set_active(username: str, active: bool) -> None:
    with session(get_settings(), application_name="langnghe users") as conn:
        with conn.cursor() as cur:
            cur.execute("UPDATE users SET active = %s WHERE username = %s", (active, username))
            if cur.rowcount == 0:
                raise NotFoundError(f"no user {username!r}")
        conn.commit()
    click.echo(f"user {username} {'enabled' if active else 'disabled'}")


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

    with session(get_settings(), application_name="langnghe users") as conn:
        token = create_token(conn, username, name)
    click.echo(token)


@users_group.command(name="revoke")
@click.argument("username")
@click.option("--name", help="Only the tokens with this name (default: all of the user's tokens).")
def users_revoke(username: str, name: str | None) -> None:
    """Revoke a user's API tokens."""
    with session(get_settings(), application_name="langnghe users") as conn:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE api_tokens t SET revoked_at = now() FROM users u WHERE t.user_id = u.id "
                "AND u.username = %s AND t.revoked_at IS NULL AND (%s::text IS NULL OR t.name = %s)",
                (username, name, name),
            )
            count = cur.rowcount
        conn.commit()
    click.echo(f"{count} tokens revoked")

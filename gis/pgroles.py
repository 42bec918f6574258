"""Roles and privileges of the embedded cluster: an owner, an application role, a superuser.

The owner role owns every database of the project and the objects its migrations create;
the application role (the web server) may only read and write rows; the superuser is used
by ``langnghe db start`` alone (roles, databases, extensions). Every function takes a
superuser connection in autocommit mode; none of them commits.
"""

from __future__ import annotations

import logging
from pathlib import Path

from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

__all__ = [
    "EXTENSIONS",
    "HBA",
    "hba_trusts",
    "ensure_role",
    "grant_app",
    "prepare_database",
    "transfer_ownership",
]

logger = logging.getLogger(__name__)

#: Extensions only a superuser may create; made before the migrations (which say IF NOT EXISTS).
EXTENSIONS = ("postgis", "pg_trgm", "pgrouting")

#: The whole ``pg_hba.conf`` of the embedded cluster: a password for every connection.
HBA = """# LangNghe GIS embedded cluster (written by `langnghe db start`): every connection
# proves a password (scram-sha-256); never trust. Passwords: LANGNGHE_HOME/pgpass (0600).
local   all   all                  scram-sha-256
host    all   all   127.0.0.1/32   scram-sha-256
host    all   all   ::1/128        scram-sha-256
# Streaming replicas (gis/replica.py): only a role with REPLICATION (the superuser) gets in.
local   replication   all                  scram-sha-256
host    replication   all   127.0.0.1/32   scram-sha-256
host    replication   all   ::1/128        scram-sha-256
"""


def hba_trusts(pgdata: Path) -> bool:
    """Whether the cluster's ``pg_hba.conf`` lets any connection in without a password."""
    hba = pgdata / "pg_hba.conf"
    try:
        text = hba.read_text()
    except OSError:  # missing, or another user's cluster: the TCP probe still checks
        return False
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if "trust" in fields:
            return True
    return False


_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"

#: Objects of the project's schemas owned by ``%(from)s`` that are not part of an extension.
_OWNED = """
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                      WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.oid::regclass::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = %(from)s)
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
UNION ALL
SELECT 'ROUTINE', p.oid::regprocedure::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = %(from)s) AND p.prokind IN ('f', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'TYPE', t.oid::regtype::text
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typowner = (SELECT oid FROM pg_roles WHERE rolname = %(from)s) AND t.typtype IN ('e', 'd')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
"""


def ensure_role(cur: Cursor, name: str, password: str) -> None:
    """Create login role ``name`` (no superuser, no role or database creation) or reset it.

    The password is (re)set every time, so the password file is the one source of truth.
    """
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
    verb = "ALTER" if cur.fetchone() else "CREATE"
    cur.execute(
        sql.SQL("{} ROLE {} " + _ATTRIBUTES + " PASSWORD %s").format(
            sql.SQL(verb), sql.Identifier(name)
        ),
        (password,),
    )


def transfer_ownership(cur: Cursor, *, from_role: str, to_role: str) -> int:
    """Give ``to_role`` every object of the connected database that ``from_role`` owns.

    Extension members are left to the superuser who created the extension. Returns the
    number of objects moved.
    """
    cur.execute(_OWNED, {"from": from_role})
    objects = cur.fetchall()
    for kind, name in objects:
        # ``name`` comes from regclass/regprocedure/regtype output: already quoted by the server.
        cur.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(
                sql.SQL(kind), sql.SQL(name), sql.Identifier(to_role)
            )
        )
    return len(objects)


def grant_app(cur: Cursor, database: str, *, owner: str, app: str) -> None:
    """Rights of the application role in the connected database: connect, rows, sequences."""
    ids = {
        "db": sql.Identifier(database),
        "owner": sql.Identifier(owner),
        "app": sql.Identifier(app),
    }
    for statement in (
        "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
        "GRANT USAGE ON SCHEMA public TO {app}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        " GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app}",
    ):
        cur.execute(sql.SQL(statement).format(**ids))


def prepare_database(cur: Cursor, database: str, *, admin: str, owner: str, app: str) -> None:
    """Make the connected database the owner's: extensions, ownership, the app's rights."""
    cur.execute(
        "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)", (list(EXTENSIONS),)
    )
    available = {row[0] for row in cur.fetchall()}
    for extension in (e for e in EXTENSIONS if e in available):
        cur.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))
    cur.execute(
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
            sql.Identifier(database), sql.Identifier(owner)
        )
    )
    moved = transfer_ownership(cur, from_role=admin, to_role=owner)
    if moved:
        logger.info("database %s: %d objects now owned by %s", database, moved, owner)
    grant_app(cur, database, owner=owner, app=app)

"""Connections: a thread-safe pool, transactions, and simple fetch helpers."""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import psycopg2
import psycopg2.extras
import psycopg2.pool
from psycopg2 import sql
from psycopg2.extensions import connection as Connection

from gis.errors import DatabaseUnavailableError, InsecureDatabaseError
from gis.messages import Message, msg
from gis.settings import Role, Settings

__all__ = [
    "Database",
    "ReplicaPool",
    "connect",
    "create_database",
    "drop_database",
    "fetch_one",
    "keepalive_dsn",
    "prepare_embedded_database",
    "refuse_insecure_server",
    "replayed",
    "replica_dsn",
    "savepoint",
    "session",
    "transaction",
    "wal_flush_lsn",
]

logger = logging.getLogger(__name__)


def connect(
    settings: Settings,
    *,
    application_name: str = "langnghe",
    database: str | None = None,
    role: Role = "owner",
) -> Connection:
    """Open one connection, turning connection failures into a domain error.

    ``role`` picks the embedded cluster's role (see :meth:`Settings.dsn`): commands use the
    owner, the web server the application role.

    Raises
    ------
    DatabaseUnavailableError
        When the server does not answer; the message says which and how to start it.
    """
    try:
        conn = psycopg2.connect(
            keepalive_dsn(settings, settings.dsn(database, role=role)),
            application_name=application_name,
            options=f"-c statement_timeout={int(settings.statement_timeout_ms)}",
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        code = "db.cannot_connect_embedded" if settings.embedded else "db.cannot_connect"
        raise DatabaseUnavailableError(msg(code)) from exc
    return conn


def keepalive_dsn(settings: Settings, dsn: str) -> str:
    """``dsn`` with the TCP keepalive parameters of the settings (:meth:`Settings.keepalives`).

    Parameters already in ``dsn`` (an operator's ``DATABASE_URL``) are kept.
    """
    given = psycopg2.extensions.parse_dsn(dsn)
    extra = {k: v for k, v in settings.keepalives().items() if k not in given}
    return psycopg2.extensions.make_dsn(dsn, **extra)


@contextmanager
def transaction(conn: Any, *, dry_run: bool = False) -> Iterator[Any]:
    """The caller's unit of work: commit when the block succeeds, roll back when it raises.

    CLI commands, jobs and requests own their transaction through this helper; code in
    ``layers`` and ``planning`` takes the connection and never commits.

    Parameters
    ----------
    conn : psycopg2 connection
        Not in autocommit mode.
    dry_run : bool
        Roll back at the end even when the block succeeds (a trial run).

    Yields
    ------
    psycopg2 connection
        ``conn`` itself, for ``with transaction(connect(settings)) as conn:``.
    """
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    if dry_run:
        conn.rollback()
    else:
        conn.commit()


@contextmanager
def savepoint(conn: Any, *, keep: bool = True) -> Iterator[Any]:
    """A nested step inside the caller's transaction, undone alone when it fails.

    Library code uses it where part of a transaction must be undone (a dry run, a
    rejected edit) without ending the transaction that the caller owns.

    Parameters
    ----------
    conn : psycopg2 connection
        Inside the caller's transaction.
    keep : bool
        When False, the step is undone even when it succeeds (a dry run).

    Yields
    ------
    psycopg2 cursor
        A cursor on ``conn``, closed at the end.
    """
    name = sql.Identifier(f"lng_{uuid.uuid4().hex[:12]}")
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SAVEPOINT {}").format(name))
        try:
            yield cur
        except BaseException:
            if not conn.closed:
                cur.execute(sql.SQL("ROLLBACK TO SAVEPOINT {}").format(name))
            raise
        if keep:
            cur.execute(sql.SQL("RELEASE SAVEPOINT {}").format(name))
        else:
            cur.execute(sql.SQL("ROLLBACK TO SAVEPOINT {}").format(name))


def _answers(conn: psycopg2.extensions.connection) -> bool:
    """Whether a pooled connection still reaches its server (one cheap round trip)."""
    if conn.closed:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        conn.rollback()
    except (psycopg2.OperationalError, psycopg2.InterfaceError):
        logger.info("dropping a pooled connection the server closed")
        return False
    return True


def _server_spoke(conn: psycopg2.extensions.connection) -> bool:
    """Whether the server sent something to an idle connection (or closed its end).

    An idle connection receives nothing unless the server ends it (a restart or
    ``pg_terminate_backend`` sends an error and closes the socket) or sends a notice: either
    way the connection is checked with a round trip before it is lent.
    """
    try:
        readable, _w, _x = select.select([conn], [], [], 0)
    except (OSError, ValueError, psycopg2.InterfaceError):
        return True
    return bool(readable)


class _KeepingPool(psycopg2.pool.ThreadedConnectionPool):
    """psycopg2's thread-safe pool, keeping every returned connection for the next borrower.

    psycopg2 keeps at most ``minconn`` idle connections and closes the others when they come
    back, so under concurrent requests most requests paid a new server process (and its
    PostGIS and PROJ start-up: about half the database time of an OGC items request,
    measured with 4 threads per worker). Here ``minconn`` connections are opened at
    once and up to ``keep`` idle ones are kept.
    """

    def __init__(self, minconn: int, maxconn: int, *args: Any, keep: int, **kwargs: Any) -> None:
        super().__init__(minconn, maxconn, *args, **kwargs)
        # psycopg2 reads ``minconn`` after the start only as the number of idle connections
        # it keeps (AbstractConnectionPool._putconn).
        self.minconn = keep


class _StallWatch:
    """Cuts the lent connections of a server that stopped answering, on a thread of its own.

    A connection lent for ``stall_s`` makes the watch call ``alive()`` (a new connection with
    a short timeout). When that fails, the socket of every lent connection is shut down, so
    the request blocked in libpq on it gets an error at once (a frozen server, or a network
    gone without a reset, would otherwise hold it until TCP gives up), and ``on_dead`` is
    told. When it answers, the reads are only slow: they are left alone, checked again
    ``stall_s`` later.
    """

    def __init__(
        self,
        stall_s: float,
        alive: Callable[[], BaseException | None],
        on_dead: Callable[[BaseException], None],
    ) -> None:
        self.stall_s = stall_s
        self._alive, self._on_dead = alive, on_dead
        self._cond = threading.Condition()
        #: id(conn) -> [fd, the socket's own address, deadline (inf once cut)]
        self._lent: dict[int, list[Any]] = {}
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False
        #: Lent connections cut because their server did not answer.
        self.cut = 0

    def lend(self, conn: Connection) -> None:
        try:
            fd = conn.fileno()
            with socket.socket(fileno=os.dup(fd)) as sock:
                address = sock.getsockname()
        except (OSError, psycopg2.Error):
            return  # not a socket we can watch (closed already): the request finds out
        with self._cond:
            self._lent[id(conn)] = [fd, address, time.monotonic() + self.stall_s]
            if self._thread is None or self._pid != os.getpid():  # none yet, or forked
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="langnghe-db-stall-watch", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def back(self, conn: Connection) -> None:
        with self._cond:
            self._lent.pop(id(conn), None)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                now = time.monotonic()
                due = min((entry[2] for entry in self._lent.values()), default=None)
                if due is None or due > now:
                    self._cond.wait(None if due is None or due == float("inf") else due - now)
                    continue
            failure = self._alive()  # outside the lock: it takes up to its connect timeout
            with self._cond:
                now = time.monotonic()
                cut = 0
                for entry in self._lent.values():
                    if failure is None:
                        if entry[2] <= now:
                            entry[2] = now + self.stall_s
                    elif entry[2] != float("inf"):
                        cut += _shut(entry[0], entry[1])
                        entry[2] = float("inf")
                self.cut += cut
            if failure is not None:
                logger.warning("cut %d connections to a server that stopped answering", cut)
                self._on_dead(failure)


def _shut(fd: int, address: Any) -> int:
    """Shut the socket ``fd`` down if it still is the one bound to ``address``; 1 if so."""
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            if sock.getsockname() != address:  # closed by libpq and the number reused
                return 0
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return 0
    return 1


#: An idle pooled connection is checked with a round trip after this long (seconds).
PING_AFTER_IDLE_S = 5.0
#: How long a request waits for a free connection when all are lent (seconds); then 503.
POOL_WAIT_S = 15.0


class Database:
    """A small pool of connections for the web app (as the application role by default)."""

    def __init__(
        self,
        settings: Settings,
        *,
        minconn: int = 1,
        maxconn: int = 8,
        role: Role = "app",
        dsn: str | None = None,
        application_name: str = "langnghe-web",
        connect_timeout_s: int = 5,
        watch: _StallWatch | None = None,
        wait_s: float = POOL_WAIT_S,
    ) -> None:
        self.settings = settings
        #: How long :meth:`getconn` waits for a free connection; 0: raise ``PoolError`` at once.
        self.wait_s = wait_s
        #: Cuts lent connections whose server stopped answering (a replica's pool).
        self.watch = watch
        self.role: Role = role
        #: Another server than ``settings.dsn(role=role)`` (a replica: :class:`ReplicaPool`).
        self.dsn = dsn
        self._application_name, self._connect_timeout_s = application_name, connect_timeout_s
        self._minconn, self._maxconn = minconn, maxconn
        self._pool: psycopg2.pool.ThreadedConnectionPool | None = None
        self._lock = threading.Lock()
        #: When each idle connection came back (``time.monotonic()``), by ``id``.
        self._returned: dict[int, float] = {}
        #: Called first by :meth:`close` (what else of the app uses the database stops too).
        self.on_close: list[Callable[[], None]] = []
        #: One slot per connection: a thread finding them all lent waits for one to come back
        #: (psycopg2's pool would raise "connection pool exhausted" at once: a page's parallel
        #: layer requests on a busy server got 500s).
        self._slots = threading.BoundedSemaphore(maxconn)
        self._holding: set[int] = set()

    def _get_pool(self) -> psycopg2.pool.ThreadedConnectionPool:
        with self._lock:  # two threads must never each create a pool of their own
            return self._create_pool()

    def _create_pool(self) -> psycopg2.pool.ThreadedConnectionPool:
        if self._pool is None:
            try:
                self._pool = _KeepingPool(
                    self._minconn,
                    self._maxconn,
                    keepalive_dsn(self.settings, self.dsn or self.settings.dsn(role=self.role)),
                    application_name=self._application_name,
                    options=f"-c statement_timeout={int(self.settings.statement_timeout_ms)}",
                    connect_timeout=self._connect_timeout_s,
                    keep=self._maxconn,
                )
            except psycopg2.OperationalError as exc:
                raise DatabaseUnavailableError(msg("db.unreachable")) from exc
        return self._pool

    def getconn(self) -> Connection:
        """Borrow a connection that answers; broken ones are closed and replaced.

        After a server restart every pooled connection is dead although ``closed`` is still
        false, so an idle site would answer 503s. A connection is checked with a round trip
        (``SELECT 1``) before it is lent when it has been idle for ``PING_AFTER_IDLE_S`` or
        more, or when the server sent it something while it was idle (a restart or a
        terminated backend does: see :func:`_server_spoke`); one that came back moments ago
        and heard nothing since is lent at once (a busy site pays no round trip for it).
        """
        pool = self._get_pool()
        if self.wait_s > 0:
            got = self._slots.acquire(timeout=self.wait_s)
        else:
            got = self._slots.acquire(blocking=False)
        if not got:
            if self.wait_s <= 0:
                raise psycopg2.pool.PoolError  # the replica pool reads from the primary
            raise DatabaseUnavailableError(msg("db.busy", seconds=round(self.wait_s)))
        try:
            conn = self._lend(pool)
        except BaseException:
            self._slots.release()
            raise
        with self._lock:
            self._holding.add(id(conn))
        return conn

    def _lend(self, pool: psycopg2.pool.ThreadedConnectionPool) -> Connection:
        cut = self.watch.cut if self.watch is not None else 0
        for _attempt in range(self._maxconn + 1):
            try:
                conn = pool.getconn()
            except psycopg2.OperationalError as exc:
                raise DatabaseUnavailableError(msg("db.unreachable")) from exc
            if self.watch is not None:
                self.watch.lend(conn)
            returned = self._returned.pop(id(conn), None)
            recent = returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_S
            if (recent and not conn.closed and not _server_spoke(conn)) or _answers(conn):
                return conn
            if self.watch is not None:
                self.watch.back(conn)
            pool.putconn(conn, close=True)
            if self.watch is not None and self.watch.cut != cut:  # the server stopped answering
                break
        raise DatabaseUnavailableError(msg("db.unreachable"))

    def putconn(self, conn: Connection, *, broken: bool = False) -> None:
        """Return a borrowed connection; broken ones are closed, not reused."""
        if self.watch is not None:
            self.watch.back(conn)
        try:
            if self._pool is not None:
                close = broken or bool(conn.closed)
                if not close:
                    self._returned[id(conn)] = time.monotonic()
                self._pool.putconn(conn, close=close)
        finally:
            with self._lock:
                held = id(conn) in self._holding
                self._holding.discard(id(conn))
            if held:
                self._slots.release()

    def close(self) -> None:
        """Close every pooled connection (after calling :attr:`on_close`)."""
        for stop in self.on_close:
            stop()
        if self.watch is not None:
            self.watch.close()
        if self._pool is not None:
            self._pool.closeall()
            self._pool = None
        self._returned.clear()
        with self._lock:
            self._holding.clear()
            self._slots = threading.BoundedSemaphore(self._maxconn)


def replica_dsn(settings: Settings) -> str | None:
    """The replica's connection string for ``settings``' database, or ``None`` without one.

    ``DATABASE_REPLICA_URL`` names the server; when it names no database, the primary's
    database name is used (a physical replica holds every database of its primary).
    """
    url = settings.database_replica_url
    if url is None:
        return None
    if psycopg2.extensions.parse_dsn(url).get("dbname"):
        return url
    primary = psycopg2.extensions.parse_dsn(settings.dsn(role="app"))
    return psycopg2.extensions.make_dsn(url, dbname=primary.get("dbname") or settings.pg_database)


def wal_flush_lsn(conn: Connection) -> str:
    """The primary's WAL flush position (``pg_lsn`` text), read after the caller's commit.

    A commit returns once its WAL is flushed (``synchronous_commit`` on, the default), so a
    replica whose replay position has reached this value sees that commit.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT pg_current_wal_flush_lsn()::text")
        row = cur.fetchone()
    assert row is not None
    return str(row[0])


def replayed(conn: Connection, lsn: str) -> bool:
    """Whether the server of ``conn`` has replayed the WAL up to ``lsn`` (a primary always has)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, NOT pg_is_in_recovery())",
            (lsn,),
        )
        row = cur.fetchone()
    conn.rollback()
    return bool(row and row[0])


class ReplicaPool:
    """Pooled connections to the read replica, and whether it is worth trying now.

    :meth:`getconn` hands out a replica connection, or ``None`` when the replica does not
    answer: reads then go to the primary. A failure (to connect within
    ``replica_connect_timeout_s``, or of a query on a replica connection, reported with
    :meth:`mark_down`) leaves the replica alone for ``replica_retry_s``: no request waits for
    it meanwhile, then a single request tries again while the others still use the primary.
    The change to down is logged once as a warning, the way back once as a notice.
    """

    def __init__(self, settings: Settings, *, maxconn: int = 8) -> None:
        dsn = replica_dsn(settings)
        if dsn is None:
            raise ValueError("no DATABASE_REPLICA_URL is set")
        self.settings = settings
        self._dsn = dsn
        self._db = Database(
            settings,
            maxconn=maxconn,
            dsn=dsn,
            application_name="langnghe-web-replica",
            connect_timeout_s=settings.replica_connect_timeout_s,
            watch=_StallWatch(settings.replica_stall_s, self._probe, self.mark_down),
            wait_s=0.0,  # every replica connection lent: the read goes to the primary at once
        )
        self._lock = threading.Lock()
        self._retry_at = 0.0  # time.monotonic() after which a down replica is tried again
        self._down = False
        self._probing = False
        #: Reads the replica served; reads sent to the primary because it was down (or every
        #: connection was lent); reads sent there because it had not replayed the client's write.
        self.served = 0
        self.fallbacks = 0
        self.behind = 0

    @property
    def down(self) -> bool:
        """Whether the replica failed last time it was tried."""
        return self._down

    @property
    def cut(self) -> int:
        """Lent replica connections cut because the replica stopped answering."""
        return self._db.watch.cut if self._db.watch is not None else 0

    def _probe(self) -> BaseException | None:
        """Whether the replica answers a new connection in time (``None``), else why not."""
        try:
            conn = psycopg2.connect(
                keepalive_dsn(self.settings, self._dsn),
                application_name="langnghe-web-replica-check",
                connect_timeout=self.settings.replica_connect_timeout_s,
            )
        except psycopg2.Error as exc:
            return exc
        conn.close()
        return None

    def getconn(self) -> Connection | None:
        """A replica connection, or ``None`` while the replica is down (use the primary)."""
        with self._lock:
            if self._down and (self._probing or time.monotonic() < self._retry_at):
                self.fallbacks += 1
                return None
            self._probing = self._down
        try:
            conn = self._db.getconn()
        except DatabaseUnavailableError as exc:
            self.mark_down(exc.__cause__ or exc)
            return None
        except psycopg2.pool.PoolError:  # every replica connection is lent: use the primary
            with self._lock:
                self.fallbacks += 1
            return None
        finally:
            with self._lock:
                self._probing = False
        with self._lock:
            back, self._down = self._down, False
        if back:
            logger.warning("the read replica answers again: public reads go to it")
        return conn

    def putconn(self, conn: Connection, *, broken: bool = False) -> None:
        """Return a replica connection (broken ones are closed)."""
        self._db.putconn(conn, broken=broken)

    def count(self, outcome: Literal["served", "behind"]) -> None:
        """Count a read the replica served, or one it could not (behind the client's write)."""
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + 1)

    def mark_down(self, reason: BaseException | str) -> None:
        """The replica failed: reads go to the primary for ``replica_retry_s``."""
        with self._lock:
            first, self._down = not self._down, True
            self._retry_at = time.monotonic() + self.settings.replica_retry_s
            self.fallbacks += 1
        if first:
            logger.warning(
                "the read replica does not answer (%s): public reads go to the primary,"
                " the replica is tried again every %.0f s",
                str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason),
                self.settings.replica_retry_s,
            )

    def close(self) -> None:
        """Close every replica connection."""
        self._db.close()


def create_database(
    settings: Settings, name: str, *, replace: bool = False, template: str | None = None
) -> None:
    """Create database ``name`` on the configured server (dropping it first when ``replace``).

    With ``template`` the new database is a copy of that one (which nobody may be connected to).
    On the embedded cluster the superuser creates it for the owner role, with the
    extensions and the application role's rights (:func:`gis.pgroles.prepare_database`).
    """
    admin = psycopg2.connect(settings.dsn("postgres", role="admin"), connect_timeout=10)
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            if replace:
                cur.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is not None:
                return
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template is not None:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            cur.execute(create)
    finally:
        admin.close()
    if settings.embedded:
        prepare_embedded_database(settings, name)


def drop_database(settings: Settings, name: str) -> None:
    """Drop database ``name`` on the configured server if it exists (closing its connections)."""
    admin = psycopg2.connect(settings.dsn("postgres", role="admin"), connect_timeout=10)
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        admin.close()


def refuse_insecure_server(settings: Settings) -> None:
    """Refuse a database a production server must not use.

    The web's role must not be a superuser, and a TCP connection without a password must be
    refused (no ``trust`` on a host line). An unreachable server is only logged: the check is
    about the server we would run on, and the pool reports outages per request.

    The read replica (``DATABASE_REPLICA_URL``) is checked the same way.

    Raises
    ------
    InsecureDatabaseError
        When the role is a superuser or the server let a password-less connection in.
    """
    from gis.pgroles import hba_trusts

    if settings.embedded and hba_trusts(settings.pgdata):
        raise InsecureDatabaseError(msg("db.embedded_trusts", pgdata=str(settings.pgdata)))
    for dsn in (settings.dsn(role="app"), replica_dsn(settings)):
        if dsn is not None:
            _refuse_insecure_dsn(dsn)


def _refuse_insecure_dsn(dsn: str) -> None:
    """:func:`refuse_insecure_server` for one server (the primary, or the read replica)."""
    import os

    try:
        conn = psycopg2.connect(dsn, connect_timeout=5, application_name="langnghe-check")
    except psycopg2.OperationalError as exc:
        logger.warning("database not reachable at start-up, not checked: %s", exc)
        return
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cur.fetchone()
            if row is None:  # current_user always has a pg_roles row; be explicit for mypy
                return
            user, superuser = row
    finally:
        conn.close()
    if superuser:
        raise InsecureDatabaseError(msg("db.superuser_role", user=user))
    params = psycopg2.extensions.parse_dsn(dsn)
    host = params.get("host") or ""
    if not host or host.startswith("/"):
        return  # a Unix socket: peer authentication there is allowed
    params.update(password="", passfile=os.devnull)
    try:
        psycopg2.connect(**params, connect_timeout=5, application_name="langnghe-check").close()
    except psycopg2.OperationalError:
        return
    raise InsecureDatabaseError(msg("db.server_trusts", host=host))


def prepare_embedded_database(settings: Settings, name: str) -> None:
    """Give database ``name`` of the embedded cluster to the owner role (idempotent).

    Also creates the extensions and grants the application role its rights.
    """
    from gis.pgroles import prepare_database

    conn = psycopg2.connect(settings.dsn(name, role="admin"), connect_timeout=10)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            prepare_database(
                cur,
                name,
                admin=settings.pg_admin_user,
                owner=settings.pg_user,
                app=settings.pg_app_user,
            )
    finally:
        conn.close()


@contextmanager
def session(settings: Settings, *, application_name: str = "langnghe") -> Iterator[Any]:
    """A connection for one command, always closed afterwards (commit/rollback stay explicit)."""
    conn = connect(settings, application_name=application_name)
    try:
        yield conn
    finally:
        conn.close()


def fetch_one(
    conn: Connection, query: Any, params: Any, *, missing: Message | str
) -> dict[str, Any]:
    """The one row of ``query`` as a dict of its column names.

    Raises
    ------
    NotFoundError
        Saying ``missing`` when there is no row.
    """
    from gis.errors import NotFoundError

    with conn.cursor() as cur:
        cur.execute(query, params)
        row = cur.fetchone()
        names = [d.name for d in cur.description or ()]
    if row is None:
        raise NotFoundError(missing)
    return dict(zip(names, row, strict=True))

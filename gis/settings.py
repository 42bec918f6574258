"""Typed settings, read from ``LANGNGHE_*`` environment variables (and ``DATABASE_URL``).

Nothing is read at import time: call :func:`get_settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_PORT", "Role", "Settings", "get_settings", "project_root"]

#: Who a connection to the embedded cluster logs in as (see :meth:`Settings.dsn`).
Role = Literal["owner", "app", "admin"]

#: Port of the embedded cluster unless it is taken when the cluster is first created.
DEFAULT_PORT = 54329


def project_root() -> Path:
    """Return the source checkout holding this package, or the current directory.

    Returns
    -------
    Path
        The folder with ``pyproject.toml`` above ``gis/`` (an editable install), else
        the working directory.
    """
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


class Settings(BaseSettings):
    """All settings of the system, validated when loaded."""

    model_config = SettingsConfigDict(env_prefix="LANGNGHE_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "LANGNGHE_DATABASE_URL")
    )
    #: A streaming replica of that server for public reads (OGC items, tiles, search, the
    #: pages' data): ``postgresql://user@host:port/[database]``. Without a database in it, the
    #: primary's database name is used (a physical replica holds every database of its primary).
    #: Unset: every read goes to the primary.
    database_replica_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_REPLICA_URL", "LANGNGHE_DATABASE_REPLICA_URL"),
    )
    #: Seconds a new replica connection may take; after a failure the replica is left alone for
    #: ``replica_retry_s`` (reads go to the primary), then one request tries it again.
    replica_connect_timeout_s: int = Field(default=2, ge=1, le=60)
    replica_retry_s: float = Field(default=10.0, gt=0, le=3600)
    #: A replica connection lent to a request for ``replica_stall_s`` makes the web check that
    #: the replica still answers (a new connection within ``replica_connect_timeout_s``). When
    #: it does not (the host frozen, the network gone without a reset), every lent replica
    #: connection is cut and its read served by the primary: a silently dead replica holds a
    #: request at most ``replica_stall_s + replica_connect_timeout_s`` (5 s) before that.
    replica_stall_s: float = Field(default=3.0, gt=0, le=3600)
    #: TCP keepalives of every connection to PostgreSQL (primary and replica, web, commands
    #: and workers): an idle connection is probed after ``db_keepalives_idle_s``, then every
    #: ``db_keepalives_interval_s``; after ``db_keepalives_count`` probes unanswered the kernel
    #: drops it (10 + 3 x 5 = 25 s), and data unacknowledged for ``db_tcp_user_timeout_ms``
    #: (0: the system's) drops it too: a dead peer is found without waiting for the system's
    #: two hours.
    db_keepalives_idle_s: int = Field(default=10, ge=1, le=7200)
    db_keepalives_interval_s: int = Field(default=5, ge=1, le=600)
    db_keepalives_count: int = Field(default=3, ge=1, le=100)
    db_tcp_user_timeout_ms: int = Field(default=25_000, ge=0, le=3_600_000)
    home: Path = Field(default_factory=lambda: project_root() / ".local")
    pg_bindir: Path = Path("/usr/lib/postgresql/15/bin")
    pg_port: int | None = Field(default=None, ge=1024, le=65535)
    #: Roles of the embedded cluster: the owner of the schema (migrations, CLI commands), the
    #: application role of the web server (rows only, no DDL) and the cluster's superuser (used
    #: only by ``langnghe db start`` to create roles and databases). Passwords in ``home/pgpass``.
    pg_user: str = "langnghe"
    pg_app_user: str = "langnghe_app"
    pg_admin_user: str = "langnghe_admin"
    pg_database: str = "langnghe"
    pg_os_user: str = "postgres"
    real_data: Path = Field(default_factory=lambda: project_root().parent / "shared" / "data")
    sample_data: Path = Field(default_factory=lambda: project_root() / "data")
    timezone: str = "Asia/Ho_Chi_Minh"
    #: Language of the command line's messages (``--lang`` overrides it).
    lang: Literal["vi", "en"] = "vi"
    statement_timeout_ms: int = Field(default=60_000, ge=100)
    #: Statement timeout of the ``langnghe import`` commands (one COPY of a national road
    #: network or of years of measurements outlasts the 60 s above); 0 = no limit.
    import_statement_timeout_ms: int = Field(default=3_600_000, ge=0)
    items_default_limit: int = Field(default=100, ge=1)
    items_max_limit: int = Field(default=10_000, ge=1)
    #: Basemap tile URL template; empty turns the basemap off (the map still works).
    basemap_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    basemap_attribution: str = "© OpenStreetMap contributors"
    tile_max_features: int = Field(default=5000, ge=1)
    #: Per-process tile cache, bounded in bytes (0 turns it off).
    tile_cache_bytes: int = Field(default=128 * 1024 * 1024, ge=0)
    tile_max_age_s: int = Field(default=60, ge=0)
    #: A layer's change counter is read at most once this often per process for its tiles
    #: (seconds; 0: on every tile request). Writes by other processes show this much later.
    tile_version_ttl_s: float = Field(default=1.0, ge=0, le=60)
    #: The map pages draw a layer with more features than this from its vector tiles (MVT,
    #: Leaflet.VectorGrid) instead of downloading its features as GeoJSON (0: always tiles).
    page_tiles_above: int = Field(default=10_000, ge=0)
    #: Below this zoom a page draws a tiled point layer (villages) as counted groups, one per
    #: square of a quarter tile (/tiles/{id}/groups/...), each feature above it; 0: never.
    page_group_below_zoom: int = Field(default=12, ge=0, le=22)
    #: The administrative unit of the Decree 32 occupancy tests (dated boundary layer and level):
    #: districts before the 2025 reform; provinces (or communes) after it, when there are no
    #: districts.
    cluster_unit_version: str = "pre-2025"
    cluster_unit_level: Literal["province", "district", "commune"] = "district"
    #: Straight-line distance times this factor when no road network is loaded (allocation).
    detour_factor: float = Field(default=1.35, ge=1.0, le=3.0)
    #: A point farther than this (m) from the road network is refused by routing; one
    #: farther than ``snap_warn_m`` is routed with a warning.
    snap_max_m: float = Field(default=500.0, gt=0)
    snap_warn_m: float = Field(default=200.0, ge=0)
    #: Road graphs of at least this many nodes route through a contraction hierarchy, whose
    #: topology is saved per network and version under ``home/routing`` (``LANGNGHE_CH_DIR``).
    ch_min_nodes: int = Field(default=5_000, ge=0)
    ch_dir: Path | None = None
    #: Inputs of siting runs started from the web (a DEM GeoTIFF, an OSM-style land-use
    #: GeoPackage, extra road lines); unset inputs leave their criteria out of the page.
    secret_key: str | None = None
    #: ``production`` (the default, e.g. under gunicorn) refuses a database that trusts
    #: password-less connections or gives the web a superuser; ``langnghe serve`` is development.
    environment: Literal["development", "production"] = Field(
        default="production", validation_alias=AliasChoices("LANGNGHE_ENV", "LANGNGHE_ENVIRONMENT")
    )
    #: Rate limits (per client address): sign-in attempts, and the heavy analyses.
    rate_login: str = "10 per minute"
    rate_heavy: str = "60 per minute"
    #: ``/api/exceedances``: the default window (days before the latest value) and the widest.
    exceedances_window_days: int = Field(default=31, ge=1, le=366)
    exceedances_max_days: int = Field(default=366, ge=1, le=3660)
    #: Sessions (server side): ended after this long unused, and this long after sign-in.
    session_idle_s: int = Field(default=3600, ge=1)
    session_max_s: int = Field(default=12 * 3600, ge=1)
    #: The session cookie's ``Secure`` flag; unset: on everywhere but in development.
    cookie_secure: bool | None = None
    #: Sign-in failures counted in the database per account and per address: the
    #: ``signin_max_failures``-th within ``signin_window_s`` locks for ``signin_lock_s``,
    #: each further one doubles the lock-out, up to ``signin_max_lock_s``.
    signin_max_failures: int = Field(default=10, ge=1)
    signin_window_s: int = Field(default=3600, ge=1)
    signin_lock_s: float = Field(default=60.0, ge=0)
    signin_max_lock_s: float = Field(default=3600.0, ge=0)
    #: Imports: the largest distance (m) between a new feature and a stored one of a similar
    #: name for the pair to be a likely duplicate; unset: each layer's own (villages 1,500 m).
    duplicate_distance_m: float | None = Field(default=None, gt=0, le=50_000)
    #: Largest request body accepted (uploads included), bytes.
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    #: Geometry size per layer name, overriding the layer declarations' ``max_vertices``
    #: (edits and ``langnghe import``) and ``max_edit_bytes`` (JSON: ``{"clusters": 50000}``).
    layer_max_vertices: dict[str, int] = Field(default_factory=dict)
    layer_max_edit_bytes: dict[str, int] = Field(default_factory=dict)
    #: A polygon drawn for ``/api/within`` and ``/api/check-cluster``: its vertices, and the
    #: request body's bytes (refused with 413 before the body is read).
    query_max_vertices: int = Field(default=5000, ge=4)
    query_max_bytes: int = Field(default=512 * 1024, ge=1024)
    #: Level of the log the web server writes to stderr when nothing else configured logging.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: The site's public address (``https://gis.example.vn``, a path prefix allowed): absolute
    #: links are built from it, never from the client's ``Host`` header. Unset in development.
    public_url: str | None = None
    #: Durable jobs (``langnghe worker``): the memory a worker may give its running jobs
    #: together (MB, taken in steps of ``JOB_MEMORY_STEP_MB``) and how many it runs at once;
    #: the estimate of a job kind without one of its own.
    worker_memory_mb: int = Field(default=4096, ge=256, le=1024 * 1024)
    worker_concurrency: int = Field(default=1, ge=1, le=64)
    job_default_memory_mb: int = Field(default=256, ge=1)
    #: A worker writes its heartbeat every ``job_heartbeat_s``; one silent for ``job_stall_s``
    #: is dead, and its running job is run again (up to ``job_max_attempts`` runs in all) or
    #: failed with the reason, by the next live worker's check (every ``job_heartbeat_s``).
    job_heartbeat_s: float = Field(default=5.0, gt=0, le=3600)
    job_stall_s: float = Field(default=30.0, gt=0, le=86400)
    job_max_attempts: int = Field(default=2, ge=1, le=20)
    #: Rasters of job scenarios older than this many days are deleted (0 keeps them).
    job_raster_retention_days: float = Field(default=30.0, ge=0)
    #: Finished jobs (done, failed, cancelled) older than this many days are deleted: the
    #: queue's rows with their events (procrastinate's ``remove_old_jobs``) and the ``jobs``
    #: rows, a row once its scenario's rasters are gone (0 keeps them). The scenarios stay.
    job_retention_days: float = Field(default=30.0, ge=0)
    #: When a worker runs the retention tasks above (cron; a sixth field gives seconds).
    job_upkeep_cron: str = "*/10 * * * *"
    #: The web process runs one worker of its own (a thread) when no ``langnghe worker`` is
    #: meant to run: unset means yes in development (``langnghe serve``), no in production.
    jobs_in_process: bool | None = None
    #: Rate-limit counters in Redis (``redis://host:6379/0``); unset: in the database.
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "LANGNGHE_REDIS_URL")
    )
    siting_dem: Path | None = None
    siting_landuse: Path | None = None
    siting_roads: Path | None = None

    @field_validator("database_url", "database_replica_url")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.query
            or parts.fragment
        ):
            raise ValueError("public_url must be http(s)://host[:port][/path], no query")
        return value.rstrip("/")

    def session_secret(self) -> str:
        """The key that signs session cookies.

        ``LANGNGHE_SECRET_KEY``, else a random key made once and kept in ``home/secret_key``
        (mode 0600), so sessions survive restarts.
        """
        if self.secret_key:
            return self.secret_key
        import os
        import secrets

        path = self.home / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another worker made it first
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
        return path.read_text().strip()

    def raster_path(self, stem: str) -> Path:
        """A new file under ``home/rasters`` for a raster of this database.

        The database name and a random suffix keep rasters of different databases (and reruns)
        apart.
        """
        import uuid

        return self.home / "rasters" / f"{self.pg_database}-{stem}-{uuid.uuid4().hex[:8]}.tif"

    @property
    def embedded(self) -> bool:
        """Whether the project runs its own PostGIS cluster (no ``DATABASE_URL``)."""
        return self.database_url is None

    @property
    def port(self) -> int:
        """Port of the embedded cluster: the setting, else the one chosen at initdb, else 54329."""
        if self.pg_port is not None:
            return self.pg_port
        chosen = self.home / "pgport"
        return int(chosen.read_text().strip()) if chosen.exists() else DEFAULT_PORT

    @property
    def pg_passfile(self) -> Path:
        """The libpq password file (mode 0600) of the embedded cluster's roles."""
        return self.home / "pgpass"

    @property
    def ch_store(self) -> Path:
        """Folder of the saved contraction-hierarchy topologies of the road networks."""
        return self.ch_dir or self.home / "routing"

    @property
    def pgdata(self) -> Path:
        """Folder of the embedded cluster."""
        return self.home / "pgdata"

    def keepalives(self) -> dict[str, int]:
        """The libpq TCP keepalive parameters of every connection (``db_keepalives_*``).

        Examples
        --------
        >>> Settings(pg_port=5432).keepalives()["keepalives_idle"]
        10
        """
        return {
            "keepalives": 1,
            "keepalives_idle": self.db_keepalives_idle_s,
            "keepalives_interval": self.db_keepalives_interval_s,
            "keepalives_count": self.db_keepalives_count,
            "tcp_user_timeout": self.db_tcp_user_timeout_ms,
        }

    def dsn(self, database: str | None = None, *, role: Role = "owner") -> str:
        """Return the libpq connection string, optionally for another database name.

        Parameters
        ----------
        database
            Another database of the same server (default: ``pg_database``).
        role
            Embedded cluster only: ``owner`` (migrations and commands), ``app`` (the web
            server) or ``admin`` (the superuser, for ``langnghe db start``). The password
            is read by libpq from ``pg_passfile``, never put in the string. With
            ``DATABASE_URL`` every role is that URL's.
        """
        if self.database_url is not None:
            if database is None:
                return self.database_url
            return _replace_dbname(self.database_url, database)
        from urllib.parse import quote

        name = database or self.pg_database
        user = {"owner": self.pg_user, "app": self.pg_app_user, "admin": self.pg_admin_user}[role]
        return (
            f"postgresql://{quote(user, safe='')}@127.0.0.1:{self.port}/{quote(name, safe='')}"
            f"?passfile={quote(str(self.pg_passfile), safe='/')}"
        )


def _replace_dbname(url: str, database: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load the settings once per process (tests call ``get_settings.cache_clear()``)."""
    return Settings()

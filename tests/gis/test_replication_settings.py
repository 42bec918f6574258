"""What the embedded cluster sets for replicas, and how a replica URL names its database."""

from __future__ import annotations

import psycopg2

from gis.db import replica_dsn
from gis.localdb import REPLICATION_SETTINGS, _replication_changes
from gis.settings import Settings


def test_an_old_cluster_with_postgres_defaults_only_gets_the_slot_bound():
    defaults = {
        "wal_level": "replica",
        "max_wal_senders": "10",
        "max_replication_slots": "10",
        "max_slot_wal_keep_size": "-1",
        "hot_standby": "on",
    }
    assert _replication_changes(defaults) == {"max_slot_wal_keep_size": "'2GB'"}
    kept = {**defaults, "max_slot_wal_keep_size": "2048"}
    assert _replication_changes(kept) == {}  # a second start changes nothing


def test_a_cluster_without_replication_gets_it():
    found = {"wal_level": "minimal", "max_wal_senders": "0", "max_replication_slots": "0"}
    changes = _replication_changes({**found, "max_slot_wal_keep_size": "-1", "hot_standby": "off"})
    assert changes == REPLICATION_SETTINGS
    assert _replication_changes({**found, "wal_level": "logical"}).get("wal_level") is None


def test_the_replica_url_names_the_server_and_keeps_the_database():
    settings = Settings(
        database_url=None,
        pg_port=54400,
        pg_database="langnghe_x",
        database_replica_url="postgresql://app@127.0.0.1:54401/?passfile=/tmp/pgpass",
    )
    dsn = psycopg2.extensions.parse_dsn(replica_dsn(settings) or "")
    assert (dsn["port"], dsn["dbname"], dsn["user"]) == ("54401", "langnghe_x", "app")
    named = settings.model_copy(update={"database_replica_url": "postgresql://r@h:5432/other"})
    assert psycopg2.extensions.parse_dsn(replica_dsn(named) or "")["dbname"] == "other"
    assert replica_dsn(settings.model_copy(update={"database_replica_url": None})) is None
    assert Settings(database_replica_url="").database_replica_url is None


def test_the_replica_url_is_read_from_database_replica_url(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql://web@replica1:5432/")
    monkeypatch.setenv("LANGNGHE_REPLICA_RETRY_S", "3")
    settings = Settings()
    assert settings.database_replica_url == "postgresql://web@replica1:5432/"
    assert settings.replica_retry_s == 3.0

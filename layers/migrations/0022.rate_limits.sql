-- depends: 0021.job_queue
-- Rate-limit counters that every web process and machine sees (issue 18, item 2): one row
-- per limit key and window, written by webmap/rate_store.py (the `limits` storage
-- "langnghe+postgresql://"). UNLOGGED: counters may be lost in a crash, never worth WAL.
CREATE UNLOGGED TABLE rate_limits (
    key         text PRIMARY KEY,
    count       integer NOT NULL CHECK (count >= 0),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX rate_limits_expires ON rate_limits (expires_at);

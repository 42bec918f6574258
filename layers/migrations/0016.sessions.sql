-- depends: 0015.measurements_version
-- Sign-in state that every web worker sees. Sessions: the cookie carries a random token,
-- only its SHA-256 is stored; a session ends at sign-out (row deleted), when idle too long
-- or past its absolute lifetime (settings). Sign-in failures are counted per account and per
-- address, with a lock-out that grows with each failure past the limit.
CREATE TABLE sessions (
    token_sha256  text PRIMARY KEY,
    user_id       integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE signin_failures (
    kind          text NOT NULL CHECK (kind IN ('account', 'address')),
    key           text NOT NULL,
    failures      integer NOT NULL DEFAULT 0,
    last_failure  timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz,
    PRIMARY KEY (kind, key)
);

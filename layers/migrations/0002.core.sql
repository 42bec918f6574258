-- depends: 0001.extensions
-- Layer versions (bumped by triggers; used for tile-cache invalidation and scenario inputs),
-- and the audit log.

CREATE TABLE layer_versions (
    layer       text PRIMARY KEY,
    version     bigint NOT NULL DEFAULT 0,
    changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO layer_versions (layer, version, changed_at) VALUES (TG_TABLE_NAME, 1, now())
    ON CONFLICT (layer) DO UPDATE SET version = layer_versions.version + 1, changed_at = now();
    RETURN NULL;
END
$$;

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'import', 'revert')),
    table_name  text NOT NULL,
    row_ref     text,
    before      jsonb,
    after       jsonb,
    details     jsonb
);
CREATE INDEX audit_log_table_at ON audit_log (table_name, at DESC);

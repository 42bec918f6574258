-- depends: 0011.measurements_time_index
-- Long analyses started from the web run as jobs; the page polls their progress.
CREATE TABLE jobs (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress     real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    message      text NOT NULL DEFAULT '',
    params       jsonb NOT NULL DEFAULT '{}',
    scenario_id  integer REFERENCES scenarios (id) ON DELETE SET NULL,
    error        text,
    created_by   text NOT NULL DEFAULT 'web',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_created ON jobs (created_at DESC);

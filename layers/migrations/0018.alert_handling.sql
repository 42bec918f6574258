-- depends: 0017.green_strip
-- An alert is handled by an environmental officer: acknowledged, then closed, each with a
-- note; who did it and when. A rule records when it was last changed (edits are audited in
-- audit_log like feature edits).
ALTER TABLE alerts
    ADD COLUMN status text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'acknowledged', 'closed')),
    ADD COLUMN note text CHECK (char_length(note) <= 2000),
    ADD COLUMN handled_by text,
    ADD COLUMN handled_at timestamptz;
CREATE INDEX alerts_status_started ON alerts (status, started_at DESC);
ALTER TABLE alert_rules ADD COLUMN updated_at timestamptz;

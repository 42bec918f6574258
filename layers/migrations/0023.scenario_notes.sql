-- depends: 0022.rate_limits
-- A planner's notes on a saved scenario (issue 16: scenarios renamed and annotated on the
-- planner page; each change is audited like a delete).

ALTER TABLE scenarios ADD COLUMN notes text NOT NULL DEFAULT '';

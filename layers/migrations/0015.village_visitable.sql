-- depends: 0014.rule_attributes
-- Which craft villages welcome visitors (issue 15, the tourist's day): the tourist page
-- proposes only these as stops. NULL when the source does not say; false for working sites
-- that take no visitors (recycling, smelting...).

ALTER TABLE craft_villages ADD COLUMN visitable boolean;
CREATE INDEX craft_villages_visitable_idx ON craft_villages (visitable) WHERE visitable;

-- The data forecast's expected revenue of every rep for a period as of a day, kept with the data
-- and directory revisions it was computed at: the roll-up reads one row instead of the pipeline
-- and a year of closed deals while neither revision moves. by_rep lists `rep:cents` pairs.
CREATE TABLE forecast_expected (
    org_id              INTEGER NOT NULL REFERENCES organisations (org_id),
    period              TEXT    NOT NULL,
    as_of               TEXT    NOT NULL,
    revision            INTEGER NOT NULL,
    directory_revision  INTEGER NOT NULL,
    by_rep              TEXT    NOT NULL,
    PRIMARY KEY (org_id, period, as_of)
);

-- The roll-up's two reads of the opportunities, each from an index that holds every column it
-- reads: the open pipeline by owner, and the deals won in a period (the status leading, so that
-- SQLite's planner prefers it to the index by close alone).
CREATE INDEX opportunities_open_pipeline ON opportunities (org_id, owner_id, id, amount_cents, stage, expected_close_on)
    WHERE status = 'open' AND deleted_at IS NULL;
CREATE INDEX opportunities_won_by_close ON opportunities (org_id, status, closed_at, owner_id, amount_cents)
    WHERE status = 'won' AND deleted_at IS NULL;

-- The data forecast's expected revenue of every rep for a period as of a day, kept with the data
-- and directory revisions it was computed at: the roll-up reads one row instead of the pipeline
-- and a year of closed deals while neither revision moves. by_rep lists `rep:cents` pairs.
CREATE TABLE forecast_expected (
    org_id              BIGINT NOT NULL REFERENCES organisations (org_id),
    period              TEXT   NOT NULL,
    as_of               DATE   NOT NULL,
    revision            BIGINT NOT NULL,
    directory_revision  BIGINT NOT NULL,
    by_rep              TEXT   NOT NULL,
    PRIMARY KEY (org_id, period, as_of)
);

-- The roll-up's two reads of the opportunities: the open pipeline by owner, and the deals won in
-- a period from an index that holds every column it reads. The open pipeline's index holds neither
-- the stage nor the amount (unlike SQLite's): an index holding them would keep a stage move or an
-- amount edit from updating the row in place, so that read visits the rows.
CREATE INDEX opportunities_open_pipeline ON opportunities (org_id, owner_id)
    WHERE status = 'open' AND deleted_at IS NULL;
CREATE INDEX opportunities_won_by_close ON opportunities (org_id, status, closed_at, owner_id, amount_cents)
    WHERE status = 'won' AND deleted_at IS NULL;

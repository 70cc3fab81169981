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

-- The roll-up's category totals of every owner for a period as of a day, kept with the revisions
-- they were computed at: the organisation's roll-up reads one row instead of its open pipeline and
-- the period's wins while neither revision moves. by_rep lists
-- `owner:pipeline:best_case:commit:closed:omitted` in cents. The opportunities, stages and settings
-- move the pipeline revision; a deal's category override moves the categories revision alone, as
-- the data forecast, kept by the pipeline revision, does not read overrides.
ALTER TABLE organisations ADD COLUMN categories_revision INTEGER NOT NULL DEFAULT 0;
CREATE TABLE forecast_totals (
    org_id               INTEGER NOT NULL REFERENCES organisations (org_id),
    period               TEXT    NOT NULL,
    as_of                TEXT    NOT NULL,
    pipeline_revision    INTEGER NOT NULL,
    categories_revision  INTEGER NOT NULL,
    by_rep               TEXT    NOT NULL,
    PRIMARY KEY (org_id, period, as_of)
);

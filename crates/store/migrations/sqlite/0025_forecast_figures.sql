-- The forecast page's figures kept beside the roll-up's (0022), each with what it was computed from:
-- the organisation's pipeline and directory revisions, and for the accuracy of past calls the calls
-- of its periods (their count and last id: calls are only ever added). A read at the same marks
-- takes the kept figures; any other computes them again.
--   kind 'forecast': the data forecast of a period as of a day, one row per person below in
--     forecast_figure_people (their forecast, its interval's inputs, their forecasts of the earlier
--     periods the band learns from, the period's weeks so far, their open deals' parts).
--   kind 'accuracy': every call of the four periods before `period`, judged (figures).
CREATE TABLE forecast_figures (
    org_id              INTEGER NOT NULL REFERENCES organisations (org_id),
    kind                TEXT    NOT NULL CHECK (kind IN ('forecast', 'accuracy')),
    period              TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    pipeline_revision   INTEGER NOT NULL,
    directory_revision  INTEGER NOT NULL,
    calls               TEXT    NOT NULL,
    figures             TEXT    NOT NULL,
    PRIMARY KEY (org_id, kind, period, day)
);
CREATE TABLE forecast_figure_people (
    org_id     INTEGER NOT NULL REFERENCES organisations (org_id),
    period     TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    person_id  INTEGER NOT NULL,
    figures    TEXT    NOT NULL,
    deals      TEXT    NOT NULL,
    PRIMARY KEY (org_id, period, day, person_id)
);

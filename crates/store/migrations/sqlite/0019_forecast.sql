-- The forecast. Each open stage may name the forecast category its deals default to (NULL:
-- pipeline); an open deal's owner or their manager may override it.
ALTER TABLE stages ADD COLUMN forecast_category TEXT CHECK (forecast_category IN ('pipeline', 'best_case', 'commit', 'omitted'));

CREATE TABLE forecast_overrides (
    org_id          INTEGER NOT NULL REFERENCES organisations (org_id),
    opportunity_id  INTEGER NOT NULL,
    category        TEXT    NOT NULL CHECK (category IN ('pipeline', 'best_case', 'commit', 'omitted')),
    set_by          INTEGER,
    set_at          INTEGER NOT NULL,
    PRIMARY KEY (org_id, opportunity_id)
);

-- Every call as it was submitted, never overwritten: the latest of a subject, period and kind is
-- the current one, the earlier ones say what was called how long before the period's end. A
-- `call` is the subject's own (a rep's for their deals, a manager's for their subtree); an
-- `adjustment` is their manager's number for them, with its note.
CREATE TABLE forecast_calls (
    org_id           INTEGER NOT NULL REFERENCES organisations (org_id),
    id               INTEGER NOT NULL,
    period           TEXT    NOT NULL,
    subject_id       INTEGER NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('call', 'adjustment')),
    commit_cents     INTEGER NOT NULL CHECK (commit_cents >= 0),
    best_case_cents  INTEGER NOT NULL CHECK (best_case_cents >= commit_cents),
    note             TEXT    NOT NULL DEFAULT '',
    by_person        INTEGER,
    by_user          INTEGER,
    submitted_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX forecast_calls_by_period ON forecast_calls (org_id, period, subject_id, kind, id);

-- Weekly snapshots of the open pipeline: one row per week taken (its ISO week as YYYYWW, the
-- primary key making a second snapshot of a week impossible), and a compact row per open deal —
-- the close date as days since 1970-01-01, no row id.
CREATE TABLE forecast_snapshots (
    org_id    INTEGER NOT NULL REFERENCES organisations (org_id),
    week      INTEGER NOT NULL,
    taken_at  INTEGER NOT NULL,
    deals     INTEGER NOT NULL,
    PRIMARY KEY (org_id, week)
);
CREATE TABLE forecast_snapshot_deals (
    org_id          INTEGER NOT NULL,
    week            INTEGER NOT NULL,
    opportunity_id  INTEGER NOT NULL,
    owner_id        INTEGER NOT NULL,
    amount_cents    INTEGER NOT NULL,
    stage           TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    close_day       INTEGER,
    PRIMARY KEY (org_id, week, opportunity_id)
) WITHOUT ROWID;

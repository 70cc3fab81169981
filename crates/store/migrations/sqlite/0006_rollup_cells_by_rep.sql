-- Rollup cells clustered by rep: a rep's cells (and a team's) are one range of the key, a rebuild
-- appends each rep's cells in key order, and a read of the whole organisation seeks each rep in
-- turn. A table WITHOUT ROWID keeps the columns in the key's b-tree, so a cell is read without a
-- second lookup.

CREATE TABLE rollup_cells_by_rep_key (
    org_id                           INTEGER NOT NULL REFERENCES organisations (org_id),
    rep_id                           INTEGER NOT NULL,
    grain                            TEXT    NOT NULL,
    day                              TEXT    NOT NULL,
    product_line_id                  INTEGER NOT NULL DEFAULT 0,
    won                              INTEGER NOT NULL DEFAULT 0,
    won_amount                       INTEGER NOT NULL DEFAULT 0,
    won_margin                       INTEGER NOT NULL DEFAULT 0,
    won_cycle_days                   INTEGER NOT NULL DEFAULT 0,
    lost                             INTEGER NOT NULL DEFAULT 0,
    closed_after_proposal            INTEGER NOT NULL DEFAULT 0,
    won_after_proposal               INTEGER NOT NULL DEFAULT 0,
    first_appointments               INTEGER NOT NULL DEFAULT 0,
    first_appointments_to_gateway    INTEGER NOT NULL DEFAULT 0,
    first_appointments_to_proposal   INTEGER NOT NULL DEFAULT 0,
    first_appointments_top_level     INTEGER NOT NULL DEFAULT 0,
    cold_calls                       INTEGER NOT NULL DEFAULT 0,
    call_backs                       INTEGER NOT NULL DEFAULT 0,
    emails                           INTEGER NOT NULL DEFAULT 0,
    appointments                     INTEGER NOT NULL DEFAULT 0,
    field_visits                     INTEGER NOT NULL DEFAULT 0,
    demos                            INTEGER NOT NULL DEFAULT 0,
    meetings                         INTEGER NOT NULL DEFAULT 0,
    events                           INTEGER NOT NULL DEFAULT 0,
    conversations                    INTEGER NOT NULL DEFAULT 0,
    appointments_set                 INTEGER NOT NULL DEFAULT 0,
    estimates                        INTEGER NOT NULL DEFAULT 0,
    company_leads                    INTEGER NOT NULL DEFAULT 0,
    company_leads_touched_in_time    INTEGER NOT NULL DEFAULT 0,
    company_leads_untouched          INTEGER NOT NULL DEFAULT 0,
    contacts                         INTEGER NOT NULL DEFAULT 0,
    complete_contacts                INTEGER NOT NULL DEFAULT 0,
    -- Derived data, rebuilt from the base rows: no foreign key to check on every cell.
    PRIMARY KEY (org_id, rep_id, grain, day, product_line_id)
) WITHOUT ROWID;

INSERT INTO rollup_cells_by_rep_key SELECT * FROM rollup_cells ORDER BY org_id, rep_id, grain, day, product_line_id;
DROP TABLE rollup_cells;
ALTER TABLE rollup_cells_by_rep_key RENAME TO rollup_cells;

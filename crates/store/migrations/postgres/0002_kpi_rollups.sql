-- The KPI engine's read model. A rollup cell holds the additive counts and sums (core's Tally, one
-- column per field) that the facts of one rep contribute to one day, one ISO week (filed under its
-- Monday) or one month, and one product line (0: facts without a product line, such as activities).
-- Every write updates the cells in its own transaction; `quotient rebuild` recomputes them from the
-- base rows. Standing facts that have no day (the contacts of a rep's accounts) live at the 'state'
-- grain on a fixed day. The grain is one of 'day', 'week', 'month', 'state', written only by the
-- store (no CHECK: SQLite builds a temporary table per row to check an IN list).

CREATE TABLE rollup_cells (
    org_id                           BIGINT NOT NULL REFERENCES organisations (org_id),
    rep_id                           BIGINT NOT NULL,
    grain                            TEXT    NOT NULL,
    day                              DATE    NOT NULL,
    product_line_id                  BIGINT NOT NULL DEFAULT 0,
    won                              BIGINT NOT NULL DEFAULT 0,
    won_amount                       BIGINT NOT NULL DEFAULT 0,
    won_margin                       BIGINT NOT NULL DEFAULT 0,
    won_cycle_days                   BIGINT NOT NULL DEFAULT 0,
    lost                             BIGINT NOT NULL DEFAULT 0,
    closed_after_proposal            BIGINT NOT NULL DEFAULT 0,
    won_after_proposal               BIGINT NOT NULL DEFAULT 0,
    first_appointments               BIGINT NOT NULL DEFAULT 0,
    first_appointments_to_gateway    BIGINT NOT NULL DEFAULT 0,
    first_appointments_to_proposal   BIGINT NOT NULL DEFAULT 0,
    first_appointments_top_level     BIGINT NOT NULL DEFAULT 0,
    cold_calls                       BIGINT NOT NULL DEFAULT 0,
    call_backs                       BIGINT NOT NULL DEFAULT 0,
    emails                           BIGINT NOT NULL DEFAULT 0,
    appointments                     BIGINT NOT NULL DEFAULT 0,
    field_visits                     BIGINT NOT NULL DEFAULT 0,
    demos                            BIGINT NOT NULL DEFAULT 0,
    meetings                         BIGINT NOT NULL DEFAULT 0,
    events                           BIGINT NOT NULL DEFAULT 0,
    conversations                    BIGINT NOT NULL DEFAULT 0,
    appointments_set                 BIGINT NOT NULL DEFAULT 0,
    estimates                        BIGINT NOT NULL DEFAULT 0,
    company_leads                    BIGINT NOT NULL DEFAULT 0,
    company_leads_touched_in_time    BIGINT NOT NULL DEFAULT 0,
    company_leads_untouched          BIGINT NOT NULL DEFAULT 0,
    contacts                         BIGINT NOT NULL DEFAULT 0,
    complete_contacts                BIGINT NOT NULL DEFAULT 0,
    -- Derived data, rebuilt from the base rows: no foreign key to check on every cell.
    PRIMARY KEY (org_id, grain, day, rep_id, product_line_id)
);
CREATE INDEX rollup_cells_by_rep ON rollup_cells (org_id, rep_id, grain, day);

-- Per-organisation settings: KPI thresholds (threshold.KEY) and standards (standard.KEY.enabled,
-- standard.KEY.target), as text validated by the core on write and on read.
CREATE TABLE org_settings (
    org_id  BIGINT NOT NULL REFERENCES organisations (org_id),
    key     TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    PRIMARY KEY (org_id, key)
);

-- The lookups the scorecards and the rollup maintenance make.
CREATE INDEX opportunities_open ON opportunities (org_id, status, owner_id);
CREATE INDEX opportunities_by_close ON opportunities (org_id, closed_at);
CREATE INDEX opportunities_by_first_appointment ON opportunities (org_id, first_appointment_at);
CREATE INDEX activities_by_opportunity ON activities (org_id, opportunity_id, occurred_at);
CREATE INDEX activities_by_contact ON activities (org_id, contact_id);
CREATE INDEX estimates_by_rep ON estimates (org_id, rep_id);
CREATE INDEX leads_by_owner ON leads (org_id, owner_id);
CREATE INDEX stage_changes_by_opportunity ON stage_changes (org_id, opportunity_id, changed_at);
CREATE INDEX quotas_by_period ON quotas (org_id, period_start);
CREATE INDEX quotas_by_rep ON quotas (org_id, rep_id, period_start);
CREATE INDEX opportunities_by_owner_close ON opportunities (org_id, owner_id, closed_at);
CREATE INDEX accounts_by_owner ON accounts (org_id, owner_id);
CREATE INDEX contacts_by_account ON contacts (org_id, account_id);
CREATE INDEX feedback_by_received ON feedback (org_id, received_on);
CREATE INDEX feedback_by_account ON feedback (org_id, account_id, received_on);

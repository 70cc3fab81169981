-- The organisation's data: everything in the CSV bundle, plus organisations, users, the configurable
-- pipeline, the audit history and id allocation. Timestamps are Unix seconds (UTC), dates ISO text,
-- money integer cents. Every table leads its primary key with org_id, and every foreign key and
-- unique constraint includes it, so the PostgreSQL twin of this schema distributes on Citus by org_id.
-- Foreign keys are deferred to commit: a bundle may reference rows that appear later in it.
-- External ids are unique per organisation through named indexes (not inline constraints) so that
-- a bulk load into an empty table can build them after the rows are in.

CREATE TABLE organisations (
    org_id      INTEGER NOT NULL PRIMARY KEY,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    currency    TEXT    NOT NULL DEFAULT 'USD',
    time_zone   TEXT    NOT NULL DEFAULT 'UTC',
    created_at  INTEGER NOT NULL
);

CREATE TABLE id_sequences (
    org_id   INTEGER NOT NULL REFERENCES organisations (org_id),
    entity   TEXT    NOT NULL,
    next_id  INTEGER NOT NULL,
    PRIMARY KEY (org_id, entity)
);

CREATE TABLE stages (
    org_id          INTEGER NOT NULL REFERENCES organisations (org_id),
    key             TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    position        INTEGER NOT NULL,
    probability_bp  INTEGER NOT NULL CHECK (probability_bp BETWEEN 0 AND 10000),
    outcome         TEXT    NOT NULL CHECK (outcome IN ('open', 'won', 'lost')),
    milestone       TEXT    CHECK (milestone IN ('first_appointment', 'gateway', 'proposal')),
    PRIMARY KEY (org_id, key)
);

CREATE TABLE gateway_types (
    org_id    INTEGER NOT NULL REFERENCES organisations (org_id),
    key       TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (org_id, key)
);

CREATE TABLE territories (
    org_id       INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    external_id  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    region       TEXT,
    parent_id    INTEGER,
    deleted_at   INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id) REFERENCES organisations (org_id),
    FOREIGN KEY (org_id, parent_id) REFERENCES territories (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX territories_by_external_id ON territories (org_id, external_id);

CREATE TABLE product_lines (
    org_id       INTEGER NOT NULL REFERENCES organisations (org_id),
    id           INTEGER NOT NULL,
    external_id  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    deleted_at   INTEGER,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX product_lines_by_external_id ON product_lines (org_id, external_id);

CREATE TABLE reps (
    org_id        INTEGER NOT NULL REFERENCES organisations (org_id),
    id            INTEGER NOT NULL,
    external_id   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    manager_id    INTEGER,
    territory_id  INTEGER,
    role          TEXT    NOT NULL DEFAULT 'rep' CHECK (role IN ('rep', 'manager', 'executive')),
    hired_on      TEXT,
    deleted_at    INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, manager_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, territory_id) REFERENCES territories (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX reps_by_external_id ON reps (org_id, external_id);

CREATE TABLE users (
    org_id         INTEGER NOT NULL REFERENCES organisations (org_id),
    id             INTEGER NOT NULL,
    email          TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('admin', 'executive', 'manager', 'rep')),
    rep_id         INTEGER,
    password_hash  TEXT,
    disabled_at    INTEGER,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE accounts (
    org_id                INTEGER NOT NULL REFERENCES organisations (org_id),
    id                    INTEGER NOT NULL,
    external_id           TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    industry              TEXT,
    territory_id          INTEGER,
    owner_id              INTEGER,
    employees             INTEGER CHECK (employees >= 0),
    annual_revenue_cents  INTEGER CHECK (annual_revenue_cents >= 0),
    city                  TEXT,
    country               TEXT,
    deleted_at            INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, territory_id) REFERENCES territories (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, owner_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX accounts_by_external_id ON accounts (org_id, external_id);

CREATE TABLE contacts (
    org_id           INTEGER NOT NULL REFERENCES organisations (org_id),
    id               INTEGER NOT NULL,
    external_id      TEXT    NOT NULL,
    account_id       INTEGER NOT NULL,
    first_name       TEXT,
    last_name        TEXT    NOT NULL,
    title            TEXT,
    buying_role      TEXT    CHECK (buying_role IN ('decision_maker', 'financial_authority', 'influencer', 'user', 'gatekeeper')),
    authority_level  INTEGER CHECK (authority_level BETWEEN 1 AND 5),
    email            TEXT,
    phone            TEXT,
    address          TEXT,
    deleted_at       INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX contacts_by_external_id ON contacts (org_id, external_id);

CREATE TABLE leads (
    org_id          INTEGER NOT NULL REFERENCES organisations (org_id),
    id              INTEGER NOT NULL,
    external_id     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    source          TEXT    NOT NULL CHECK (source IN ('company', 'self')),
    owner_id        INTEGER,
    company         TEXT,
    contact_name    TEXT,
    email           TEXT,
    status          TEXT    CHECK (status IN ('new', 'working', 'qualified', 'disqualified', 'converted')),
    first_touch_at  INTEGER,
    opportunity_id  INTEGER,
    deleted_at      INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX leads_by_external_id ON leads (org_id, external_id);

CREATE TABLE opportunities (
    org_id                INTEGER NOT NULL REFERENCES organisations (org_id),
    id                    INTEGER NOT NULL,
    external_id           TEXT    NOT NULL,
    account_id            INTEGER,
    owner_id              INTEGER NOT NULL,
    product_line_id       INTEGER,
    name                  TEXT,
    amount_cents          INTEGER NOT NULL CHECK (amount_cents >= 0),
    margin_cents          INTEGER CHECK (margin_cents >= 0),
    created_at            INTEGER NOT NULL,
    expected_close_on     TEXT,
    first_appointment_at  INTEGER,
    gateway_type          TEXT,
    gateway_at            INTEGER,
    proposal_at           INTEGER,
    closed_at             INTEGER,
    status                TEXT    NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    stage                 TEXT    NOT NULL,
    lost_reason           TEXT,
    lead_id               INTEGER,
    deleted_at            INTEGER,
    PRIMARY KEY (org_id, id),
    CHECK ((closed_at IS NULL) = (status = 'open')),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, owner_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, product_line_id) REFERENCES product_lines (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, stage) REFERENCES stages (org_id, key) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, gateway_type) REFERENCES gateway_types (org_id, key) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX opportunities_by_external_id ON opportunities (org_id, external_id);

-- external_id of the id-less bundle files (stage changes, feedback, quotas) is their natural key,
-- so that re-importing a bundle updates in place.
CREATE TABLE stage_changes (
    org_id          INTEGER NOT NULL REFERENCES organisations (org_id),
    id              INTEGER NOT NULL,
    external_id     TEXT    NOT NULL,
    opportunity_id  INTEGER NOT NULL,
    stage           TEXT    NOT NULL,
    changed_at      INTEGER NOT NULL,
    deleted_at      INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, stage) REFERENCES stages (org_id, key) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX stage_changes_by_external_id ON stage_changes (org_id, external_id);

CREATE TABLE activities (
    org_id          INTEGER NOT NULL REFERENCES organisations (org_id),
    id              INTEGER NOT NULL,
    external_id     TEXT    NOT NULL,
    rep_id          INTEGER NOT NULL,
    type            TEXT    NOT NULL CHECK (type IN ('cold_call', 'call_back', 'email', 'appointment', 'field_visit', 'demo', 'meeting', 'event')),
    occurred_at     INTEGER NOT NULL,
    account_id      INTEGER,
    contact_id      INTEGER,
    opportunity_id  INTEGER,
    outcome         TEXT    CHECK (outcome IN ('connected', 'no_answer', 'appointment_set', 'completed', 'cancelled')),
    deleted_at      INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX activities_by_external_id ON activities (org_id, external_id);

CREATE TABLE estimates (
    org_id           INTEGER NOT NULL REFERENCES organisations (org_id),
    id               INTEGER NOT NULL,
    external_id      TEXT    NOT NULL,
    opportunity_id   INTEGER,
    rep_id           INTEGER NOT NULL,
    product_line_id  INTEGER NOT NULL,
    amount_cents     INTEGER CHECK (amount_cents >= 0),
    issued_on        TEXT    NOT NULL,
    status           TEXT    CHECK (status IN ('draft', 'sent', 'accepted', 'rejected')),
    deleted_at       INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, product_line_id) REFERENCES product_lines (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX estimates_by_external_id ON estimates (org_id, external_id);

CREATE TABLE feedback (
    org_id       INTEGER NOT NULL REFERENCES organisations (org_id),
    id           INTEGER NOT NULL,
    external_id  TEXT    NOT NULL,
    account_id   INTEGER NOT NULL,
    rep_id       INTEGER,
    received_on  TEXT    NOT NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    deleted_at   INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX feedback_by_external_id ON feedback (org_id, external_id);

-- target is in the metric's unit: cents for revenue and margin, a count for the others.
CREATE TABLE quotas (
    org_id           INTEGER NOT NULL REFERENCES organisations (org_id),
    id               INTEGER NOT NULL,
    external_id      TEXT    NOT NULL,
    rep_id           INTEGER NOT NULL,
    period           TEXT    NOT NULL,
    period_start     TEXT    NOT NULL,
    period_end       TEXT    NOT NULL,
    metric           TEXT    NOT NULL CHECK (metric IN ('revenue', 'margin', 'deals', 'estimates', 'first_appointments')),
    product_line_id  INTEGER,
    target           INTEGER NOT NULL CHECK (target >= 0),
    deleted_at       INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, product_line_id) REFERENCES product_lines (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX quotas_by_external_id ON quotas (org_id, external_id);

-- Who changed what and when. before/after are JSON objects of the changed row (or a summary for a
-- bulk operation such as a bundle import).
CREATE TABLE audit_log (
    org_id       INTEGER NOT NULL REFERENCES organisations (org_id),
    id           INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    user_id      INTEGER,
    action       TEXT    NOT NULL,
    entity       TEXT    NOT NULL,
    entity_id    INTEGER,
    before_json  TEXT,
    after_json   TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) DEFERRABLE INITIALLY DEFERRED
);

-- Rows may reference rows stored after them (a rep's manager, an opportunity's lead); these indexes
-- keep the deferred foreign-key checks, and the team hierarchy queries, lookups instead of scans.
CREATE INDEX territories_by_parent ON territories (org_id, parent_id);
CREATE INDEX reps_by_manager ON reps (org_id, manager_id);
CREATE INDEX opportunities_by_lead ON opportunities (org_id, lead_id);
CREATE INDEX leads_by_opportunity ON leads (org_id, opportunity_id);
CREATE INDEX opportunities_by_owner ON opportunities (org_id, owner_id);
CREATE INDEX activities_by_rep ON activities (org_id, rep_id, occurred_at);
CREATE INDEX audit_log_by_entity ON audit_log (org_id, entity, entity_id);

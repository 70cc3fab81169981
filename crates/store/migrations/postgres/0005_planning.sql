-- Planning and coaching: the company plan per fiscal year (optionally per product line), the
-- territory weights and the hand-set seasonality it is allocated with; territory plans with their
-- key accounts; the relationship to each contact of an account map; 1:1 sessions and their actions.

CREATE TABLE company_plans (
    org_id        BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year   INTEGER NOT NULL,
    revenue       BIGINT NOT NULL CHECK (revenue >= 0),
    margin        BIGINT CHECK (margin >= 0),
    deals         BIGINT CHECK (deals >= 0),
    -- Growth over each rep's own median, in basis points (500 = 5%).
    growth_bp     BIGINT NOT NULL DEFAULT 0,
    basis         TEXT    NOT NULL DEFAULT 'goals' CHECK (basis IN ('goals', 'territories')),
    -- Twelve month weights (JSON array, January first) set by hand; NULL: learnt from history.
    seasonality   TEXT,
    allocated_at  TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, fiscal_year)
);

CREATE TABLE company_plan_lines (
    org_id           BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year      INTEGER NOT NULL,
    product_line_id  BIGINT NOT NULL,
    revenue          BIGINT CHECK (revenue >= 0),
    margin           BIGINT CHECK (margin >= 0),
    deals            BIGINT CHECK (deals >= 0),
    PRIMARY KEY (org_id, fiscal_year, product_line_id),
    FOREIGN KEY (org_id, fiscal_year) REFERENCES company_plans (org_id, fiscal_year) ON DELETE CASCADE,
    FOREIGN KEY (org_id, product_line_id) REFERENCES product_lines (org_id, id)
);

CREATE TABLE plan_territory_weights (
    org_id        BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year   INTEGER NOT NULL,
    territory_id  BIGINT NOT NULL,
    weight        BIGINT NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (org_id, fiscal_year, territory_id),
    FOREIGN KEY (org_id, fiscal_year) REFERENCES company_plans (org_id, fiscal_year) ON DELETE CASCADE,
    FOREIGN KEY (org_id, territory_id) REFERENCES territories (org_id, id)
);

CREATE TABLE territory_plans (
    org_id            BIGINT NOT NULL REFERENCES organisations (org_id),
    id                BIGINT NOT NULL,
    rep_id            BIGINT NOT NULL,
    fiscal_year       INTEGER NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved')),
    objectives        TEXT    NOT NULL DEFAULT '',
    new_business      TEXT    NOT NULL DEFAULT '',
    maintenance       TEXT    NOT NULL DEFAULT '',
    channel_strategy  TEXT    NOT NULL DEFAULT '',
    -- The manager's comment when the plan was last returned.
    review_comment    TEXT,
    submitted_at      TIMESTAMPTZ,
    decided_at        TIMESTAMPTZ,
    decided_by        BIGINT,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id),
    FOREIGN KEY (org_id, decided_by) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX territory_plans_by_rep ON territory_plans (org_id, rep_id, fiscal_year);

CREATE TABLE territory_plan_accounts (
    org_id      BIGINT NOT NULL REFERENCES organisations (org_id),
    plan_id     BIGINT NOT NULL,
    account_id  BIGINT NOT NULL,
    strategy    TEXT    NOT NULL DEFAULT '',
    -- Revenue to win from the account in the plan's year, in cents.
    target      BIGINT NOT NULL DEFAULT 0 CHECK (target >= 0),
    status      TEXT    NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_progress', 'at_risk', 'won')),
    PRIMARY KEY (org_id, plan_id, account_id),
    FOREIGN KEY (org_id, plan_id) REFERENCES territory_plans (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);

CREATE TABLE contact_relationships (
    org_id        BIGINT NOT NULL REFERENCES organisations (org_id),
    contact_id    BIGINT NOT NULL,
    -- 1 (hostile) … 5 (champion).
    relationship  INTEGER CHECK (relationship BETWEEN 1 AND 5),
    -- 1 (little) … 5 (decisive) sway over the decision.
    influence     INTEGER CHECK (influence BETWEEN 1 AND 5),
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, contact_id),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id)
);

CREATE TABLE one_on_ones (
    org_id       BIGINT NOT NULL REFERENCES organisations (org_id),
    id           BIGINT NOT NULL,
    rep_id       BIGINT NOT NULL,
    held_by      BIGINT NOT NULL,
    held_at      TIMESTAMPTZ NOT NULL,
    period       TEXT    NOT NULL,
    -- The rep's headline KPIs and flags at that moment (JSON), and the full scorecard.
    snapshot     TEXT    NOT NULL,
    scorecard    TEXT    NOT NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id),
    FOREIGN KEY (org_id, held_by) REFERENCES users (org_id, id)
);
CREATE INDEX one_on_ones_by_rep ON one_on_ones (org_id, rep_id, held_at);

CREATE TABLE one_on_one_actions (
    org_id         BIGINT NOT NULL REFERENCES organisations (org_id),
    id             BIGINT NOT NULL,
    one_on_one_id  BIGINT NOT NULL,
    rep_id         BIGINT NOT NULL,
    description    TEXT    NOT NULL,
    owner          TEXT    NOT NULL CHECK (owner IN ('rep', 'manager')),
    due_on         DATE,
    done_at        TIMESTAMPTZ,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, one_on_one_id) REFERENCES one_on_ones (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id)
);
CREATE INDEX one_on_one_actions_by_rep ON one_on_one_actions (org_id, rep_id, done_at);

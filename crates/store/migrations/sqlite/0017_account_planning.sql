-- Account planning: the decision-making process of an account (its steps in order, who decides
-- each, by when and whether it is done; the criteria; the expected decision date) on the account
-- map, and the objectives of a territory plan measured: each linked to a KPI of the rep over the
-- plan's year, or to one of the plan's key accounts, with a target in the KPI's unit (cents for
-- revenue, margin and an account's revenue; a count otherwise).

CREATE TABLE account_decision_processes (
    org_id                INTEGER NOT NULL REFERENCES organisations (org_id),
    account_id            INTEGER NOT NULL,
    -- The decision criteria, a JSON array of texts, most important first.
    criteria              TEXT    NOT NULL DEFAULT '[]',
    expected_decision_on  TEXT,
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (org_id, account_id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);

CREATE TABLE account_decision_steps (
    org_id      INTEGER NOT NULL REFERENCES organisations (org_id),
    account_id  INTEGER NOT NULL,
    position    INTEGER NOT NULL CHECK (position >= 0),
    name        TEXT    NOT NULL,
    decider     TEXT    NOT NULL DEFAULT '',
    due_on      TEXT,
    done        INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    PRIMARY KEY (org_id, account_id, position),
    FOREIGN KEY (org_id, account_id) REFERENCES account_decision_processes (org_id, account_id) ON DELETE CASCADE
);

CREATE TABLE territory_plan_objectives (
    org_id       INTEGER NOT NULL REFERENCES organisations (org_id),
    plan_id      INTEGER NOT NULL,
    position     INTEGER NOT NULL CHECK (position >= 0),
    description  TEXT    NOT NULL,
    -- Exactly one of the two: the KPI measured, or the key account whose revenue is.
    kpi          TEXT    CHECK (kpi IN ('revenue', 'margin', 'deals', 'first_appointments', 'appointments_set',
                                        'field_visits', 'demos', 'estimates', 'cold_calls')),
    account_id   INTEGER,
    target       INTEGER NOT NULL CHECK (target >= 0),
    PRIMARY KEY (org_id, plan_id, position),
    CHECK ((kpi IS NULL) <> (account_id IS NULL)),
    FOREIGN KEY (org_id, plan_id) REFERENCES territory_plans (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);

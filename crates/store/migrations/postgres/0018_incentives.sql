-- Incentives (docs/INCENTIVES.md): a year's commission plans and contests as saved from the plans
-- file, the plans' assignments to reps, opportunity splits, and the statements' lifecycle. A
-- provisional statement is computed live and never stored; an approved or locked one keeps what
-- was computed, and a locked one never changes again (the trigger below refuses it).

-- The year's plans file as saved, with reps and product lines as the bundle's external ids: plans
-- and contests of a year are replaced as a whole.
CREATE TABLE incentive_years (
    org_id       BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year  BIGINT NOT NULL,
    plans_json   TEXT    NOT NULL,
    saved_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, fiscal_year)
);

CREATE TABLE incentive_plans (
    org_id       BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year  BIGINT NOT NULL,
    position     INTEGER NOT NULL CHECK (position >= 0),
    name         TEXT    NOT NULL,
    PRIMARY KEY (org_id, fiscal_year, position),
    FOREIGN KEY (org_id, fiscal_year) REFERENCES incentive_years (org_id, fiscal_year) ON DELETE CASCADE
);

CREATE TABLE plan_assignments (
    org_id       BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year  BIGINT NOT NULL,
    position     INTEGER NOT NULL,
    rep_id       BIGINT NOT NULL,
    from_on      DATE    NOT NULL,
    to_on        DATE,
    PRIMARY KEY (org_id, fiscal_year, position, rep_id, from_on),
    FOREIGN KEY (org_id, fiscal_year, position) REFERENCES incentive_plans (org_id, fiscal_year, position) ON DELETE CASCADE,
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id)
);
CREATE INDEX plan_assignments_by_rep ON plan_assignments (org_id, rep_id, fiscal_year);

CREATE TABLE contests (
    org_id       BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year  BIGINT NOT NULL,
    position     INTEGER NOT NULL CHECK (position >= 0),
    name         TEXT    NOT NULL,
    start_on     DATE    NOT NULL,
    end_on       DATE    NOT NULL,
    PRIMARY KEY (org_id, fiscal_year, position),
    FOREIGN KEY (org_id, fiscal_year) REFERENCES incentive_years (org_id, fiscal_year) ON DELETE CASCADE
);

-- Who shares a won opportunity's credit, in whole percent; the shares of one opportunity add to
-- 100. A bundle file, so it has the bundle's external id (its natural key) and soft deletion.
CREATE TABLE opportunity_splits (
    org_id          BIGINT NOT NULL REFERENCES organisations (org_id),
    id              BIGINT NOT NULL,
    external_id     TEXT    NOT NULL,
    opportunity_id  BIGINT NOT NULL,
    rep_id          BIGINT NOT NULL,
    share_pct       INTEGER NOT NULL CHECK (share_pct BETWEEN 1 AND 100),
    deleted_at      TIMESTAMPTZ,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX opportunity_splits_by_external_id ON opportunity_splits (org_id, external_id);
CREATE INDEX opportunity_splits_by_opportunity ON opportunity_splits (org_id, opportunity_id);

-- A statement once approved (by the rep's manager) or locked (paid): the computed statement as
-- JSON (per component credited, quota, attainment, earnings, lines; adjustments, awards, draw) and
-- what it pays.
CREATE TABLE statements (
    org_id          BIGINT NOT NULL REFERENCES organisations (org_id),
    rep_id          BIGINT NOT NULL,
    period          TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('approved', 'locked')),
    statement_json  TEXT    NOT NULL,
    payable_cents   BIGINT NOT NULL,
    approved_by     BIGINT,
    approved_at     TIMESTAMPTZ,
    locked_by       BIGINT,
    locked_at       TIMESTAMPTZ,
    PRIMARY KEY (org_id, rep_id, period),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id)
);

CREATE FUNCTION refuse_locked_statement_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'locked' THEN
        RAISE EXCEPTION 'a locked statement never changes';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER statements_locked_stay BEFORE UPDATE OR DELETE ON statements
FOR EACH ROW EXECUTE FUNCTION refuse_locked_statement_change();

-- A change to a rep's pay decided outside the plan's computation (a dispute accepted), landing on
-- the statement of `period`; the adjustments a locked statement's changed inputs cause are
-- computed live and kept in the next locked statement's JSON.
CREATE TABLE statement_adjustments (
    org_id          BIGINT NOT NULL REFERENCES organisations (org_id),
    id              BIGINT NOT NULL,
    rep_id          BIGINT NOT NULL,
    period          TEXT    NOT NULL,
    opportunity_id  BIGINT,
    cause           TEXT    NOT NULL CHECK (cause IN ('dispute', 'manual')),
    note            TEXT    NOT NULL,
    amount_cents    BIGINT NOT NULL,
    dispute_id      BIGINT,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id)
);
CREATE INDEX statement_adjustments_by_rep ON statement_adjustments (org_id, rep_id, period);

CREATE TABLE statement_disputes (
    org_id           BIGINT NOT NULL REFERENCES organisations (org_id),
    id               BIGINT NOT NULL,
    rep_id           BIGINT NOT NULL,
    period           TEXT    NOT NULL,
    line             TEXT    NOT NULL,
    comment          TEXT    NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'rejected')),
    resolution_note  TEXT,
    resolved_by      BIGINT,
    resolved_at      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id)
);
CREATE INDEX statement_disputes_by_rep ON statement_disputes (org_id, rep_id, period);

-- A contest's award to a rep, decided on the contest's end date: money, a text, or both.
CREATE TABLE contest_awards (
    org_id        BIGINT NOT NULL REFERENCES organisations (org_id),
    fiscal_year   BIGINT NOT NULL,
    contest       BIGINT NOT NULL,
    rep_id        BIGINT NOT NULL,
    place         INTEGER,
    amount_cents  BIGINT NOT NULL DEFAULT 0,
    prize_text    TEXT,
    period        TEXT    NOT NULL,
    PRIMARY KEY (org_id, fiscal_year, contest, rep_id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id)
);

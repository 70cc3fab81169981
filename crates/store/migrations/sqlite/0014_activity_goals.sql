-- Activity goals are quotas of the work that leads to revenue: cold calls, call-backs,
-- conversations, appointments set, field visits and proposals join the metrics a quota may have
-- (first appointments already were one), set per ISO week (period 'YYYY-Www') or per month.
-- SQLite cannot change a CHECK in place: the table is rebuilt with its rows, keys and indexes.
CREATE TABLE quotas_with_goals (
    org_id           INTEGER NOT NULL REFERENCES organisations (org_id),
    id               INTEGER NOT NULL,
    external_id      TEXT    NOT NULL,
    rep_id           INTEGER NOT NULL,
    period           TEXT    NOT NULL,
    period_start     TEXT    NOT NULL,
    period_end       TEXT    NOT NULL,
    metric           TEXT    NOT NULL CHECK (metric IN ('revenue', 'margin', 'deals', 'estimates', 'first_appointments', 'cold_calls', 'call_backs',
                                              'conversations', 'appointments_set', 'field_visits', 'proposals')),
    product_line_id  INTEGER,
    target           INTEGER NOT NULL CHECK (target >= 0),
    deleted_at       INTEGER,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, product_line_id) REFERENCES product_lines (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO quotas_with_goals (org_id, id, external_id, rep_id, period, period_start, period_end, metric,
    product_line_id, target, deleted_at)
SELECT org_id, id, external_id, rep_id, period, period_start, period_end, metric, product_line_id, target, deleted_at
FROM quotas;
DROP TABLE quotas;
ALTER TABLE quotas_with_goals RENAME TO quotas;
CREATE UNIQUE INDEX quotas_by_external_id ON quotas (org_id, external_id);
CREATE INDEX quotas_by_period ON quotas (org_id, period_start);
CREATE INDEX quotas_by_rep ON quotas (org_id, rep_id, period_start);

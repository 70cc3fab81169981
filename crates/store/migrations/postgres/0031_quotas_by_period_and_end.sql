-- The quotas overlapping a period are read from the few days quotas start on, each day's from the
-- period's start on: the end of a quota belongs in the key, as on SQLite, so that the quotas that
-- ended before the period are skipped rather than read and filtered (three in four of a year's
-- monthly quotas, for a quarter).
DROP INDEX quotas_by_period;
CREATE INDEX quotas_by_period ON quotas (org_id, period_start, period_end)
    INCLUDE (rep_id, metric, product_line_id, target, deleted_at);

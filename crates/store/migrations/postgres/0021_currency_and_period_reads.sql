-- CRM currency and gateway -> won from the rollups, and the whole organisation's cells read in
-- period order.
--
-- Each opportunity's last activity (the latest of its activities not deleted), kept by every write
-- of an activity and by the rollup rebuild. An open opportunity's cells are filed by it (grain
-- 'open_activity', the day of the last activity, 1970-01-01 when it has none) and by its expected
-- close (grain 'open_close'), counted in `open_opportunities`: the open opportunities stale or past
-- due as of a day are the cells before it. The closes after the gateway are counted in the dated
-- cells like the closes after the proposal. A demo held on an opportunity of a product line is
-- counted in the line's cell of grains of their own ('demo_day', 'demo_week', 'demo_month',
-- 'demo_quarter'), so the line cells of the calendar grains still hold no activity.
--
-- The index by period holds the cells' values, so a read of every rep's cells of a period is one
-- range of it rather than a seek into each rep's cells.
--
-- The indexes the scorecard's remaining base-row reads go through hold every column they take, so
-- that no row is looked up: the quotas overlapping a period and the feedback received in it (of
-- everyone, and of a few reps or accounts), and (on SQLite) the open opportunities. On PostgreSQL an index holding the stage would keep a stage move
-- from updating the row in place, so the open pipeline's read visits the table there.
--
-- PostgreSQL holds at most 32 columns in an index, so the calendar grains' values and the other
-- grains' are in two indexes, each covering its grains (the reads name their grain).

ALTER TABLE opportunities ADD COLUMN last_activity_at TIMESTAMPTZ;
UPDATE opportunities o SET last_activity_at = a.latest
FROM (SELECT org_id, opportunity_id, MAX(occurred_at) AS latest FROM activities
      WHERE opportunity_id IS NOT NULL AND deleted_at IS NULL GROUP BY 1, 2) a
WHERE o.org_id = a.org_id AND o.id = a.opportunity_id;

ALTER TABLE rollup_cells
    ADD COLUMN closed_after_gateway BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN won_after_gateway BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN open_opportunities BIGINT NOT NULL DEFAULT 0;

CREATE INDEX rollup_cells_by_period ON rollup_cells (org_id, grain, day, rep_id, product_line_id)
INCLUDE (
    won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal, won_after_proposal,
    closed_after_gateway, won_after_gateway, first_appointments, first_appointments_to_gateway,
    first_appointments_to_proposal, first_appointments_top_level, cold_calls, call_backs, emails,
    appointments, field_visits, demos, meetings, events, conversations, appointments_set,
    estimates, company_leads, company_leads_touched_in_time, company_leads_untouched)
WHERE grain IN ('day', 'week', 'month', 'quarter');
CREATE INDEX rollup_cells_standing ON rollup_cells (org_id, grain, day, rep_id, product_line_id)
INCLUDE (contacts, complete_contacts, open_opportunities, demos)
WHERE grain IN ('state', 'open_activity', 'open_close', 'demo_day', 'demo_week', 'demo_month', 'demo_quarter');

DROP INDEX quotas_by_period;
CREATE INDEX quotas_by_period ON quotas (org_id, period_start)
    INCLUDE (period_end, rep_id, metric, product_line_id, target, deleted_at);
DROP INDEX quotas_by_rep;
CREATE INDEX quotas_by_rep ON quotas (org_id, rep_id, period_start)
    INCLUDE (period_end, metric, product_line_id, target, deleted_at);
DROP INDEX feedback_by_account;
CREATE INDEX feedback_by_account ON feedback (org_id, account_id, received_on) INCLUDE (score, deleted_at);
DROP INDEX feedback_by_received;
CREATE INDEX feedback_by_received ON feedback (org_id, received_on) INCLUDE (account_id, score, deleted_at);

-- The cells so far: the closes after the gateway by day, then summed into the coarser grains.
UPDATE rollup_cells c SET closed_after_gateway = g.closed, won_after_gateway = g.won
FROM (SELECT org_id, owner_id, COALESCE(product_line_id, 0) AS line, (closed_at AT TIME ZONE 'UTC')::date AS day,
             COUNT(*) AS closed, COUNT(*) FILTER (WHERE status = 'won') AS won
      FROM opportunities
      WHERE status IN ('won', 'lost') AND deleted_at IS NULL AND (gateway_at IS NOT NULL OR proposal_at IS NOT NULL)
      GROUP BY 1, 2, 3, 4) g
WHERE c.org_id = g.org_id AND c.rep_id = g.owner_id AND c.grain = 'day' AND c.day = g.day
  AND c.product_line_id = g.line;
UPDATE rollup_cells c SET closed_after_gateway = g.closed, won_after_gateway = g.won
FROM (SELECT org_id, rep_id, product_line_id, grains.grain, date_trunc(grains.grain, day::timestamp)::date AS day,
             SUM(closed_after_gateway) AS closed, SUM(won_after_gateway) AS won
      FROM rollup_cells CROSS JOIN (VALUES ('week'), ('month'), ('quarter')) grains (grain)
      WHERE rollup_cells.grain = 'day' AND closed_after_gateway <> 0
      GROUP BY 1, 2, 3, 4, 5) g
WHERE c.org_id = g.org_id AND c.rep_id = g.rep_id AND c.grain = g.grain AND c.day = g.day
  AND c.product_line_id = g.product_line_id;
UPDATE rollup_cells c SET closed_after_gateway = g.closed, won_after_gateway = g.won
FROM (SELECT org_id, day, product_line_id, SUM(closed_after_gateway) AS closed, SUM(won_after_gateway) AS won
      FROM rollup_cells WHERE grain = 'month' AND closed_after_gateway <> 0
      GROUP BY 1, 2, 3) g
WHERE c.org_id = g.org_id AND c.rep_id = 0 AND c.grain = 'org_month' AND c.day = g.day
  AND c.product_line_id = g.product_line_id;

-- The open opportunities' cells.
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, open_opportunities)
SELECT org_id, owner_id, 'open_activity', COALESCE((last_activity_at AT TIME ZONE 'UTC')::date, DATE '1970-01-01'),
       COALESCE(product_line_id, 0), COUNT(*)
FROM opportunities WHERE status = 'open' AND deleted_at IS NULL
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, open_opportunities)
SELECT org_id, owner_id, 'open_close', expected_close_on, COALESCE(product_line_id, 0), COUNT(*)
FROM opportunities WHERE status = 'open' AND deleted_at IS NULL AND expected_close_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;

-- The demos on each product line's opportunities so far, by day, then by week, month and quarter.
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, demos)
SELECT a.org_id, a.rep_id, 'demo_day', (a.occurred_at AT TIME ZONE 'UTC')::date, o.product_line_id, COUNT(*)
FROM activities a JOIN opportunities o ON o.org_id = a.org_id AND o.id = a.opportunity_id
WHERE a.type = 'demo' AND a.deleted_at IS NULL AND o.deleted_at IS NULL AND o.product_line_id IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, demos)
SELECT org_id, rep_id, 'demo_' || grains.grain, date_trunc(grains.grain, day::timestamp)::date, product_line_id,
       SUM(demos)
FROM rollup_cells CROSS JOIN (VALUES ('week'), ('month'), ('quarter')) grains (grain)
WHERE rollup_cells.grain = 'demo_day'
GROUP BY 1, 2, 3, 4, 5;

-- The open pipeline now is read from the rollups instead of every open opportunity: each open
-- opportunity is filed at its rep's 'state' cell of its product line too, with its amount and its
-- amount weighted by its stage's probability (rounded to the cent, as core's `weighted_amount`),
-- where the pipeline is one cell per rep and line; its cell by expected close holds its amount (the
-- pipeline due by a day). A change of a stage's probability moves the weighted amounts of the open
-- opportunities at it.
ALTER TABLE rollup_cells ADD COLUMN open_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN open_weighted INTEGER NOT NULL DEFAULT 0;

DROP INDEX rollup_cells_by_period;
CREATE INDEX rollup_cells_by_period ON rollup_cells (org_id, grain, day, rep_id, product_line_id,
    won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal, won_after_proposal,
    closed_after_gateway, won_after_gateway, first_appointments, first_appointments_to_gateway,
    first_appointments_to_proposal, first_appointments_top_level, cold_calls, call_backs, emails,
    appointments, field_visits, demos, meetings, events, conversations, appointments_set,
    estimates, company_leads, company_leads_touched_in_time, company_leads_untouched, contacts,
    complete_contacts, open_opportunities, open_amount, open_weighted);

-- The open opportunities' cells by expected close, filed again with their amounts, and the pipeline.
DELETE FROM rollup_cells WHERE grain = 'open_close';
CREATE TEMP TABLE open_now AS
SELECT o.org_id, o.owner_id, COALESCE(o.product_line_id, 0) AS line,
       o.expected_close_on, o.amount_cents AS amount, COALESCE(s.probability_bp, 0) AS probability
FROM opportunities o LEFT JOIN stages s ON s.org_id = o.org_id AND s.key = o.stage
WHERE o.status = 'open' AND o.deleted_at IS NULL;
-- An amount whose product with a probability would not fit 64 bits is multiplied in two parts.
ALTER TABLE open_now ADD COLUMN weighted INTEGER;
UPDATE open_now SET weighted = CASE WHEN amount <= 922337203685477 THEN (amount * probability + 5000) / 10000
    ELSE (amount / 10000) * probability + ((amount % 10000) * probability + 5000) / 10000 END;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, open_opportunities, open_amount)
SELECT org_id, owner_id, 'open_close', expected_close_on, line, COUNT(*), SUM(amount)
FROM open_now WHERE expected_close_on IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, open_opportunities, open_amount, open_weighted)
SELECT org_id, owner_id, 'state', '1970-01-01', line, COUNT(*), SUM(amount), SUM(weighted)
FROM open_now GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (org_id, rep_id, grain, day, product_line_id) DO UPDATE SET
    open_opportunities = excluded.open_opportunities, open_amount = excluded.open_amount,
    open_weighted = excluded.open_weighted;
DROP TABLE open_now;

-- The open pipeline now is read from the rollups instead of every open opportunity: each open
-- opportunity is filed at its rep's 'state' cell of its product line too, with its amount and its
-- amount weighted by its stage's probability (rounded to the cent, as core's `weighted_amount`),
-- where the pipeline is one cell per rep and line; its cell by expected close holds its amount (the
-- pipeline due by a day). A change of a stage's probability moves the weighted amounts of the open
-- opportunities at it.
ALTER TABLE rollup_cells
    ADD COLUMN open_amount BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN open_weighted BIGINT NOT NULL DEFAULT 0;

DROP INDEX rollup_cells_standing;
CREATE INDEX rollup_cells_standing ON rollup_cells (org_id, grain, day, rep_id, product_line_id)
INCLUDE (contacts, complete_contacts, open_opportunities, open_amount, open_weighted, demos)
WHERE grain IN ('state', 'open_activity', 'open_close', 'demo_day', 'demo_week', 'demo_month', 'demo_quarter', 'demo_year');

-- The open opportunities' cells by expected close, filed again with their amounts, and the pipeline.
DELETE FROM rollup_cells WHERE grain = 'open_close';
CREATE TEMP TABLE open_now AS
SELECT o.org_id, o.owner_id, COALESCE(o.product_line_id, 0) AS line,
       o.expected_close_on, o.amount_cents AS amount, CAST(COALESCE(s.probability_bp, 0) AS BIGINT) AS probability
FROM opportunities o LEFT JOIN stages s ON s.org_id = o.org_id AND s.key = o.stage
WHERE o.status = 'open' AND o.deleted_at IS NULL;
-- An amount whose product with a probability would not fit 64 bits is multiplied in two parts.
ALTER TABLE open_now ADD COLUMN weighted BIGINT;
UPDATE open_now SET weighted = CASE WHEN amount <= 922337203685477 THEN (amount * probability + 5000) / 10000
    ELSE (amount / 10000) * probability + ((amount % 10000) * probability + 5000) / 10000 END;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, open_opportunities, open_amount)
SELECT org_id, owner_id, 'open_close', expected_close_on, line, COUNT(*), SUM(amount)
FROM open_now WHERE expected_close_on IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, open_opportunities, open_amount, open_weighted)
SELECT org_id, owner_id, 'state', DATE '1970-01-01', line, COUNT(*), SUM(amount), SUM(weighted)
FROM open_now GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (org_id, rep_id, grain, day, product_line_id) DO UPDATE SET
    open_opportunities = excluded.open_opportunities, open_amount = excluded.open_amount,
    open_weighted = excluded.open_weighted;
DROP TABLE open_now;
-- The planner's statistics gathered now, with the state cells as they are.
ANALYZE rollup_cells;

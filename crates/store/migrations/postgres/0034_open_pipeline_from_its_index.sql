-- The open pipeline's index holds what the scorecard's and the pipeline page's reads take from an
-- open opportunity (its amount, stage, expected close and product line), so that they are read
-- from the index alone instead of visiting each open opportunity's row: the organisation's open
-- pipeline at 1,000 reps (39,126 open opportunities), 40–56 → 9–15 ms of server time.
--
-- A stage move, or an edit of those columns, then no longer updates the row in place (every index
-- of the opportunities takes a new entry): measured, a stage move's time did not change beyond its
-- spread (docs/BENCHMARKS.md).
DROP INDEX opportunities_open_pipeline;
CREATE INDEX opportunities_open_pipeline ON opportunities (org_id, owner_id)
    INCLUDE (amount_cents, stage, expected_close_on, product_line_id)
    WHERE status = 'open' AND deleted_at IS NULL;

-- Rollup cells keyed by rep first: a rep's cells (and a team's) are one range of the key, and a
-- read of the whole organisation seeks each rep in turn. The index by rep is then the key itself.

ALTER TABLE rollup_cells DROP CONSTRAINT rollup_cells_pkey;
ALTER TABLE rollup_cells ADD PRIMARY KEY (org_id, rep_id, grain, day, product_line_id);
DROP INDEX rollup_cells_by_rep;

-- An organisation's revision: raised by every write that changes a KPI (a rollup delta, a rebuild,
-- an import, a setting), so that a reader can keep what it computed until the revision moves.
ALTER TABLE organisations ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

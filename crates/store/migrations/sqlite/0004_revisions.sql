-- An organisation's revisions, so that a reader can keep what it computed until they move: `revision`
-- is raised by every write that changes a KPI (a rollup delta, a rebuild, an import, a setting),
-- `directory_revision` by what can change who reports to whom (an import, a rebuild).
ALTER TABLE organisations ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN directory_revision INTEGER NOT NULL DEFAULT 0;

-- The revision of the organisation's history: raised by a write that changes a KPI of a month
-- before the current one (a backdated activity, an edited past deal), a rebuild or an import. What
-- is learnt from whole past months (the seasonality) stays valid while it stands still, however
-- much is written today.
ALTER TABLE organisations ADD COLUMN history_revision INTEGER NOT NULL DEFAULT 0;

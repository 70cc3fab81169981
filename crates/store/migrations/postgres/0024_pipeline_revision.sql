-- The revision of what the data forecast reads: the opportunities, their stage history, the stages
-- and the settings. Activities, feedback, estimates, goals and quotas move the data revision but not
-- this one, so the kept forecast outlives the activities reps log all day. The kept rows were keyed
-- by the data revision and cannot be compared with the new one: they are dropped and computed again.
ALTER TABLE organisations ADD COLUMN pipeline_revision BIGINT NOT NULL DEFAULT 0;
DELETE FROM forecast_expected;
ALTER TABLE forecast_expected RENAME COLUMN revision TO pipeline_revision;

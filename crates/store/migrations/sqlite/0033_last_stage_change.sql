-- Each opportunity's last stage change (the latest of its stage changes not deleted), kept by every
-- write of a stage change and by the rollup rebuild, so that the stage entries of a team's period
-- are sought only in the opportunities of its reps that changed stage since the period began,
-- rather than in the whole stage history of every opportunity they own.
ALTER TABLE opportunities ADD COLUMN last_stage_change_at INTEGER;
UPDATE opportunities SET last_stage_change_at = (
    SELECT MAX(s.changed_at) FROM stage_changes s
    WHERE s.org_id = opportunities.org_id AND s.opportunity_id = opportunities.id AND s.deleted_at IS NULL);

CREATE INDEX opportunities_by_owner_stage_change ON opportunities (org_id, owner_id, last_stage_change_at);

-- Each opportunity's last stage change (the latest of its stage changes not deleted), kept by every
-- write of a stage change and by the rollup rebuild, so that the stage entries of a team's period
-- are sought only in the opportunities of its reps that changed stage since the period began,
-- rather than in the whole stage history of every opportunity they own.
--
-- No index holds it on PostgreSQL: the owner's index finds a team's opportunities, and the column
-- is read from their rows.
ALTER TABLE opportunities ADD COLUMN last_stage_change_at TIMESTAMPTZ;
UPDATE opportunities o SET last_stage_change_at = s.latest
FROM (SELECT org_id, opportunity_id, MAX(changed_at) AS latest FROM stage_changes
      WHERE deleted_at IS NULL GROUP BY 1, 2) s
WHERE o.org_id = s.org_id AND o.id = s.opportunity_id;

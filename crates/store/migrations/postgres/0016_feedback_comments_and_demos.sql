-- Feedback is also entered by hand (on the account's page and through the API), with what the
-- customer said beside the score.
ALTER TABLE feedback ADD COLUMN comment TEXT;

-- The demos per product line standard counts each rep's demos of a period through their
-- opportunities' lines: demos are a small share of the activities, so an index of them alone
-- reads a quarter of a 1,000-rep organisation without walking its cold calls and emails.
CREATE INDEX activities_demos_by_rep ON activities (org_id, rep_id, occurred_at)
    WHERE type = 'demo' AND deleted_at IS NULL;

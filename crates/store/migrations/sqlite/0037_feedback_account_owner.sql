-- Customer satisfaction counts the feedback received in a period on each rep's accounts: their
-- owners now, not the rep a score was given to (`rep_id`). Each score keeps its account's owner
-- (`account_owner_id`), set by every write of a score, by every write of an account (which may
-- change its owner) and by the rollup rebuild, so that the period's scores are one range of an
-- index by day rather than a look-up of each score's account. The index of the accounts by id with
-- their names (0029) is left for the names of the accounts found unhappy, the only ones a report names.
ALTER TABLE feedback ADD COLUMN account_owner_id INTEGER;
UPDATE feedback SET account_owner_id = (
    SELECT a.owner_id FROM accounts a WHERE a.org_id = feedback.org_id AND a.id = feedback.account_id);

DROP INDEX feedback_by_received;
CREATE INDEX feedback_by_received
    ON feedback (org_id, received_on, account_owner_id, account_id, score, deleted_at);
CREATE INDEX feedback_by_account_owner
    ON feedback (org_id, account_owner_id, received_on, account_id, score, deleted_at);

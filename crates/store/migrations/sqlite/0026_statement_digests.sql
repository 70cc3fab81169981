-- What the months after a kept statement read of it (per component what it paid and the period it
-- measured with its deals' credits, the adjustments after a lock, the draw's balance), written
-- with the statement when it is approved: a later year reads these, not each statement's JSON.
-- Statements kept before have none and are read from their JSON.
ALTER TABLE statements ADD COLUMN digest TEXT;

-- Whether an earlier year has a locked statement is asked by every month's statements: answered
-- from this index, not by reading every kept statement.
CREATE INDEX statements_by_state ON statements (org_id, state, period);

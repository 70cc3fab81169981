-- The satisfaction scores of a period are read with their account's owner and name, one account
-- sought per score: from this index alone rather than from the primary key and then the table.
-- It starts with the id so that a few reps' accounts are still found through their owner (SQLite
-- would otherwise scan the organisation's accounts in this index, as it covers the read).
CREATE INDEX accounts_owner_and_name ON accounts (id, org_id, owner_id, name);

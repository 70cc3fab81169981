-- The satisfaction scores of a period are read with their account's owner and name, one account
-- sought per score: from this index alone rather than from the primary key and then the table.
CREATE INDEX accounts_owner_and_name ON accounts (org_id, id) INCLUDE (owner_id, name);

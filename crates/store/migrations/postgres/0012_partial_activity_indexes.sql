-- Two activities in three (the cold calls, most emails) have no opportunity and no contact. The
-- indexes that find an opportunity's or a contact's activities now leave those rows out: every
-- lookup through them names an opportunity or a contact (`opportunity_id = ?` implies it is not
-- null, so both engines still choose them), and a bulk load builds them from a third of the rows
-- (activities of 11 M rows: 14 s for the opportunity index on both engines, 3 s as partial).
DROP INDEX activities_by_opportunity;
CREATE INDEX activities_by_opportunity ON activities (org_id, opportunity_id, occurred_at, deleted_at)
    WHERE opportunity_id IS NOT NULL;
DROP INDEX activities_by_contact;
CREATE INDEX activities_by_contact ON activities (org_id, contact_id) WHERE contact_id IS NOT NULL;

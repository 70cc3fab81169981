-- Indexes that answer the scorecards' base-row reads without visiting the rows: the cycle days of
-- the deals a rep won in a period (for the whole organisation, rep by rep), and whether an open
-- opportunity had an activity in the last days (CRM currency). The first replaces the index of the
-- open opportunities by owner, of which it is an extension.

CREATE INDEX opportunities_by_status_owner
    ON opportunities (org_id, status, owner_id, closed_at, product_line_id, created_at, deleted_at);
DROP INDEX opportunities_open;

DROP INDEX activities_by_opportunity;
CREATE INDEX activities_by_opportunity ON activities (org_id, opportunity_id, occurred_at, deleted_at);

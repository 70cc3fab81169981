-- The won deals' index holds their creation too, so that the organisation's won deals of a period,
-- with their sales cycles (close − creation), are read from it alone, joined to the reps by hash:
-- without it, the scorecard sought each rep's won deals one rep at a time in the index by owner.
DROP INDEX opportunities_won_by_close;
CREATE INDEX opportunities_won_by_close ON opportunities (org_id, status, closed_at, owner_id, amount_cents)
    INCLUDE (created_at)
    WHERE status = 'won' AND deleted_at IS NULL;

-- A month's statements read a span of the organisation's won deals and its quotas: partial
-- indexes holding every column those reads take answer them without visiting the tables.
CREATE INDEX opportunities_won_credit ON opportunities
    (org_id, closed_at, id, owner_id, amount_cents, margin_cents, product_line_id, external_id, name)
    WHERE status = 'won' AND deleted_at IS NULL;
CREATE INDEX quotas_of_statements ON quotas
    (org_id, period_start, period_end, metric, rep_id, product_line_id, period, target)
    WHERE deleted_at IS NULL;

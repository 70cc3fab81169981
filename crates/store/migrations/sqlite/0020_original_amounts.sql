-- The amount and currency an opportunity was recorded in by the CRM it was imported from, when
-- that differs from the organisation's currency; amount_cents holds the converted amount.
ALTER TABLE opportunities ADD COLUMN original_amount_cents INTEGER;
ALTER TABLE opportunities ADD COLUMN original_currency TEXT;

-- The method: "whatever your gateway is, attach business rules and definitions to it and measure
-- it". Each stage and gateway type carries the definition a rep reads when choosing it and the
-- business rules that decide when a deal may be put there; a gateway type also says how it is
-- evaluated (side by side with the competition, or on the customer's solution) and may be retired:
-- kept for the opportunities that name it, no longer offered for new ones.
ALTER TABLE stages ADD COLUMN definition TEXT NOT NULL DEFAULT '';
ALTER TABLE stages ADD COLUMN business_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE gateway_types ADD COLUMN definition TEXT NOT NULL DEFAULT '';
ALTER TABLE gateway_types ADD COLUMN business_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE gateway_types ADD COLUMN evaluation TEXT CHECK (evaluation IN ('side_by_side', 'solution_based'));
ALTER TABLE gateway_types ADD COLUMN retired_at TIMESTAMPTZ;

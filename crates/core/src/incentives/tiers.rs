//! Commission tiers (`INCENTIVES.md` §2): retroactive and marginal rates over attainment.

use super::plan::{Tier, TierMode};
use rust_decimal::Decimal;

/// The rate of the last tier whose `from` ≤ `attainment` (0 when none is reached).
pub fn rate_at(tiers: &[Tier], attainment: Decimal) -> Decimal {
    tiers.iter().take_while(|tier| tier.from <= attainment).last().map_or(Decimal::ZERO, |tier| tier.rate)
}

/// Commission on `credited` against `quota` (> 0), in cents, not yet rounded. `cents_per_unit`
/// turns a rate into cents: 1 for money metrics (credited in cents, the rate a share), 100 for
/// `deals` (credited in deals, the rate money per deal).
///
/// Marginal slices are measured in credited units, `from_i × quota` to `from_{i+1} × quota`, which
/// is the spec's Σ rate_i × (min(a, from_{i+1}) − from_i)⁺ × quota without dividing first. Amounts
/// beyond what a decimal holds saturate (and the cent amount with them) rather than fail.
pub fn commission(
    mode: TierMode,
    tiers: &[Tier],
    credited: Decimal,
    quota: Decimal,
    cents_per_unit: Decimal,
) -> Decimal {
    match mode {
        TierMode::Retroactive => {
            credited.saturating_mul(rate_at(tiers, credited / quota)).saturating_mul(cents_per_unit)
        }
        TierMode::Marginal => {
            let mut total = Decimal::ZERO;
            for (index, tier) in tiers.iter().enumerate() {
                let low = tier.from * quota;
                let high = tiers.get(index + 1).map_or(credited, |next| credited.min(next.from * quota));
                if high > low {
                    total = total.saturating_add(tier.rate.saturating_mul(high - low));
                }
            }
            total.saturating_mul(cents_per_unit)
        }
    }
}

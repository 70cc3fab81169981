//! Draws (`INCENTIVES.md` §6): a recoverable advance or a guaranteed minimum per month.

use super::plan::DrawKind;
use serde::Serialize;

/// How a month's draw settled against the month's earnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DrawLine {
    pub kind: DrawKind,
    /// The month's draw (prorated by the days the assignment is in force).
    pub amount_cents: i64,
    /// Paid on top of the earnings to reach the draw.
    pub advanced_cents: i64,
    /// Taken from the earnings to pay back earlier advances of the year (recoverable only).
    pub recovered_cents: i64,
    /// Advances of the year not yet recovered, after this month.
    pub balance_after_cents: i64,
}

impl DrawLine {
    /// What the statement pays: the earnings, plus the advance, less the recovery.
    pub fn payable(&self, earnings_cents: i64) -> i64 {
        earnings_cents.saturating_add(self.advanced_cents).saturating_sub(self.recovered_cents)
    }
}

/// Settles a month's draw of `amount_cents` against `earnings_cents`, with `balance_before_cents`
/// advanced earlier in the year and not yet recovered.
///
/// Both kinds pay at least the draw: `advanced` = (draw − earnings)⁺. A recoverable draw adds the
/// advance to the balance and, in a month earning more than the draw, recovers from the excess
/// (never taking the pay below the draw); with no draw this month (`amount_cents` 0) it recovers
/// from the earnings. A guaranteed draw recovers nothing and leaves an earlier balance as it is.
pub fn settle_draw(kind: DrawKind, amount_cents: i64, earnings_cents: i64, balance_before_cents: i64) -> DrawLine {
    let advanced_cents = if amount_cents > 0 { amount_cents.saturating_sub(earnings_cents).max(0) } else { 0 };
    let (recovered_cents, balance_after_cents) = match kind {
        DrawKind::Guaranteed => (0, balance_before_cents),
        DrawKind::Recoverable => {
            let excess = earnings_cents.saturating_sub(amount_cents).max(0);
            let recovered = excess.min(balance_before_cents.max(0));
            (recovered, balance_before_cents.saturating_add(advanced_cents).saturating_sub(recovered))
        }
    };
    DrawLine { kind, amount_cents, advanced_cents, recovered_cents, balance_after_cents }
}

//! Per-deal statement lines (`INCENTIVES.md` §2): each won deal's share of its component's
//! earnings, pro rata to its credit, the rounding remainder on the largest line.

use super::credit::CreditedDeal;
use super::plan::Metric;
use super::{round_half_away, to_cents};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// One deal on a component period: what it credited and its share of the earnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealLine {
    pub opportunity_id: i64,
    pub rep_id: i64,
    pub closed_on: NaiveDate,
    /// Cents for money metrics, deals for `deals`.
    #[serde(serialize_with = "super::exact::serialize")]
    pub credited: Decimal,
    pub earnings_cents: i64,
}

/// Shares `total_cents` out over `deals` pro rata to their credit toward `metric`. Each share is
/// rounded half away from zero; what the rounded shares miss or exceed goes to the line with the
/// largest credit (the first such line in the given order on a tie), so the lines add up to the
/// total exactly. With nothing credited, the largest (first) line carries the total.
pub fn deal_lines(deals: &[&CreditedDeal], metric: Metric, total_cents: i64) -> Vec<DealLine> {
    let credits: Vec<Decimal> = deals.iter().map(|deal| deal.credit(metric)).collect();
    let credited: Decimal = credits.iter().sum();
    let total = Decimal::from(total_cents);
    let mut lines: Vec<DealLine> = deals
        .iter()
        .zip(&credits)
        .map(|(deal, &credit)| DealLine {
            opportunity_id: deal.opportunity_id,
            rep_id: deal.rep_id,
            closed_on: deal.closed_on,
            credited: credit,
            earnings_cents: if credited.is_zero() || total.is_zero() {
                0
            } else {
                to_cents(round_half_away(total * (credit / credited)))
            },
        })
        .collect();
    // Counted in i128: rounded shares of a saturated total may add up to just past i64.
    let remainder = i128::from(total_cents) - lines.iter().map(|line| i128::from(line.earnings_cents)).sum::<i128>();
    let mut largest: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        if largest.is_none_or(|best| line.credited > credits[best]) {
            largest = Some(index);
        }
    }
    if let Some(line) = largest.and_then(|index| lines.get_mut(index)) {
        let corrected = i128::from(line.earnings_cents) + remainder;
        line.earnings_cents = i64::try_from(corrected).unwrap_or(if corrected < 0 { i64::MIN } else { i64::MAX });
    }
    lines
}

//! Outcome KPIs (`KPIS.md`: outcome) from a period's tally.

use super::{Tally, ratio};
use crate::Money;

/// Revenue, margin, deals, win rate, average revenue per sale and mean cycle length of a period.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Outcome {
    #[serde(rename = "revenue_cents")]
    pub revenue: Money,
    #[serde(rename = "margin_cents")]
    pub margin: Money,
    pub deals: i64,
    /// won ÷ (won + lost).
    pub win_rate: Option<f64>,
    /// revenue ÷ deals, in cents.
    #[serde(rename = "average_revenue_per_sale_cents")]
    pub average_revenue_per_sale: Option<f64>,
    /// Mean of close date − creation date over the won opportunities.
    pub mean_cycle_days: Option<f64>,
}

impl Outcome {
    pub fn of(tally: &Tally) -> Outcome {
        Outcome {
            revenue: Money::from_cents(tally.won_amount),
            margin: Money::from_cents(tally.won_margin),
            deals: tally.won,
            win_rate: ratio(tally.won, tally.won + tally.lost),
            average_revenue_per_sale: ratio(tally.won_amount, tally.won),
            mean_cycle_days: ratio(tally.won_cycle_days, tally.won),
        }
    }
}

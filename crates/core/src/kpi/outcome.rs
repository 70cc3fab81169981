//! Outcome KPIs (`KPIS.md`: outcome) from a period's tally.

use super::{Tally, ratio};
use crate::Money;

/// Revenue, margin, deals, win rate, average revenue per sale and mean cycle length of a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub revenue: Money,
    pub margin: Money,
    pub deals: i64,
    /// won ÷ (won + lost).
    pub win_rate: Option<f64>,
    /// revenue ÷ deals, in cents.
    pub average_revenue_per_sale: Option<f64>,
    /// Mean of close date − creation date over the won opportunities.
    pub mean_cycle_days: Option<f64>,
}

impl Outcome {
    pub fn of(tally: &Tally) -> Outcome {
        Outcome {
            revenue: tally.won_amount,
            margin: tally.won_margin,
            deals: tally.won,
            win_rate: ratio(tally.won, tally.won + tally.lost),
            average_revenue_per_sale: ratio(tally.won_amount.cents(), tally.won),
            mean_cycle_days: ratio(tally.won_cycle_days, tally.won),
        }
    }
}

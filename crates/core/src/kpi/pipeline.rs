//! Pipeline KPIs (`KPIS.md`: pipeline): what is open as of a day, and what it is worth.

use crate::Money;
use serde::Serialize;

/// One open opportunity as the pipeline sees it, as of the evaluation day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOpportunity {
    pub amount: Money,
    /// The win probability of its stage as of the evaluation day, in basis points.
    pub probability_bp: u32,
    /// Whether its expected close date is on or before the last day of the period.
    pub due_in_period: bool,
}

/// Open pipeline, its weighted value and its coverage of the remaining quota, and its velocity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub open_opportunities: i64,
    #[serde(rename = "pipeline_cents")]
    pub pipeline: Money,
    /// Σ amount × stage probability, rounded half away from zero to the cent per opportunity.
    #[serde(rename = "weighted_pipeline_cents")]
    pub weighted: Money,
    /// Open pipeline expected to close by the end of the period.
    #[serde(rename = "pipeline_due_in_period_cents")]
    pub due_in_period: Money,
    /// pipeline due in the period ÷ remaining revenue quota.
    pub coverage: Option<f64>,
    /// open opportunities × win rate × average revenue per sale ÷ sales-cycle days, in cents per day,
    /// with the rates of the trailing 12 months.
    pub velocity_cents_per_day: Option<f64>,
}

/// Trailing-12-month rates the velocity uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VelocityRates {
    pub win_rate: Option<f64>,
    pub average_revenue_per_sale: Option<f64>,
    pub mean_cycle_days: Option<f64>,
}

impl Pipeline {
    pub fn of(open: &[OpenOpportunity], remaining_quota: Option<Money>, rates: VelocityRates) -> Pipeline {
        let pipeline: Money = open.iter().map(|o| o.amount).sum();
        let weighted = open.iter().map(|o| weighted_amount(o.amount, o.probability_bp)).sum();
        let due_in_period: Money = open.iter().filter(|o| o.due_in_period).map(|o| o.amount).sum();
        let coverage = remaining_quota
            .filter(|r| r.cents() > 0)
            .map(|remaining| due_in_period.cents() as f64 / remaining.cents() as f64);
        let count = open.len() as i64;
        let velocity = match (rates.win_rate, rates.average_revenue_per_sale, rates.mean_cycle_days) {
            (Some(win), Some(arps), Some(days)) if days > 0.0 => Some(count as f64 * win * arps / days),
            _ => None,
        };
        Pipeline {
            open_opportunities: count,
            pipeline,
            weighted,
            due_in_period,
            coverage,
            velocity_cents_per_day: velocity,
        }
    }
}

/// amount × probability, exact in integers, rounded half away from zero to the cent.
pub fn weighted_amount(amount: Money, probability_bp: u32) -> Money {
    let scaled = i128::from(amount.cents()) * i128::from(probability_bp);
    let rounded = (scaled + scaled.signum() * 5_000) / 10_000;
    Money::from_cents(i64::try_from(rounded).unwrap_or(i64::MAX))
}

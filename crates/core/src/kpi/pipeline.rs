//! Pipeline KPIs (`KPIS.md`: pipeline): what is open as of a day, and what it is worth.

use crate::Money;
use serde::Serialize;

/// The open opportunities as the pipeline sees them as of the evaluation day, summed: what every
/// pipeline KPI is computed from, and what adds up across reps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenPipeline {
    pub opportunities: i64,
    pub amount: Money,
    /// Σ amount × the win probability of its stage as of the evaluation day, each rounded to the
    /// cent ([`weighted_amount`]).
    pub weighted: Money,
    /// Σ amount of those whose expected close date is on or before the last day of the period.
    pub due_in_period: Money,
}

impl OpenPipeline {
    /// One open opportunity: its amount, its stage's win probability in basis points, and whether
    /// it is expected to close by the end of the period.
    pub fn one(amount: Money, probability_bp: u32, due_in_period: bool) -> OpenPipeline {
        OpenPipeline {
            opportunities: 1,
            amount,
            weighted: weighted_amount(amount, probability_bp),
            due_in_period: if due_in_period { amount } else { Money::ZERO },
        }
    }
}

impl std::ops::AddAssign for OpenPipeline {
    fn add_assign(&mut self, other: OpenPipeline) {
        self.opportunities += other.opportunities;
        self.amount += other.amount;
        self.weighted += other.weighted;
        self.due_in_period += other.due_in_period;
    }
}

impl std::iter::Sum for OpenPipeline {
    fn sum<I: Iterator<Item = OpenPipeline>>(parts: I) -> OpenPipeline {
        let mut total = OpenPipeline::default();
        for part in parts {
            total += part;
        }
        total
    }
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
    pub fn of(open: &OpenPipeline, remaining_quota: Option<Money>, rates: VelocityRates) -> Pipeline {
        let OpenPipeline { opportunities: count, amount: pipeline, weighted, due_in_period } = *open;
        let coverage = remaining_quota
            .filter(|r| r.cents() > 0)
            .map(|remaining| due_in_period.cents() as f64 / remaining.cents() as f64);
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

/// amount × probability, exact in integers, rounded half away from zero to the cent. Each open
/// opportunity's is kept in its rollup cells (`open_contribution`); the store sums a rep's open
/// pipeline as of a past day with the same rule in SQL (`queries::open_pipeline`), pinned to this
/// one by its tests.
pub fn weighted_amount(amount: Money, probability_bp: u32) -> Money {
    let scaled = i128::from(amount.cents()) * i128::from(probability_bp);
    let rounded = (scaled + scaled.signum() * 5_000) / 10_000;
    Money::from_cents(i64::try_from(rounded).unwrap_or(i64::MAX))
}

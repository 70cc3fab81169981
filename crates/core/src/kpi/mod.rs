//! The KPI engine's arithmetic (`KPIS.md`): what each fact contributes to the rollup cells, and
//! the KPIs computed from summed cells. Pure: the store sums the cells, this module defines them.

mod activity;
mod activity_goals;
mod funnel;
mod magic;
mod outcome;
mod peers;
mod pipeline;
mod scorecard;
mod tally;

pub use activity::Activity;
pub use activity_goals::{GoalAttainment, activity_goals, goals_met};
pub use funnel::Funnel;
pub use magic::{
    BarometerInputs, BarometerWeek, MIN_CLOSED_DEALS_FOR_OWN_RATES, MagicInputs, MagicNumber, RateSource, WeekFacts,
    barometer, barometer_weeks, working_share,
};
pub use outcome::Outcome;
pub use peers::PeerComparison;
pub use pipeline::{OpenPipeline, Pipeline, VelocityRates, weighted_amount};
pub use scorecard::{Attainment, Quotas, Scorecard, ScorecardFacts, median};
pub use tally::{
    LEAD_FOLLOW_UP_HOURS, OpenStanding, OpportunityFacts, Tally, activity_contribution, contact_contribution,
    contribution, estimate_contribution, lead_contribution, line_demo_contribution, open_contribution,
};

/// `numerator ÷ denominator`, undefined (`None`) when the denominator is 0 (`KPIS.md`: a ratio
/// whose denominator is 0 is undefined, shown as "–", never 0).
pub fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

#[cfg(test)]
mod tests;

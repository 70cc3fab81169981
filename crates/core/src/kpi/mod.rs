//! The KPI engine's arithmetic (`KPIS.md`): what each fact contributes to the rollup cells, and
//! the KPIs computed from summed cells. Pure: the store sums the cells, this module defines them.

mod funnel;
mod outcome;
mod tally;

pub use funnel::Funnel;
pub use outcome::Outcome;
pub use tally::{OpportunityFacts, Tally, contribution};

/// `numerator ÷ denominator`, undefined (`None`) when the denominator is 0 (`KPIS.md`: a ratio
/// whose denominator is 0 is undefined, shown as "–", never 0).
pub fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

#[cfg(test)]
mod tests;

//! Coaching beyond the scorecard (`PRODUCT.md` §5, §6): the territory plan's workflow, the account
//! map's gaps and coverage, and what changed between two 1:1 sessions.

mod account_map;
mod decision;
mod objectives;
mod one_on_one;
mod workflow;

pub use account_map::{
    AccountGaps, KeyAccountCoverage, MappedContact, ROLE_WEIGHTS, UNTOUCHED_AFTER_DAYS, coverage_score, gaps,
    gaps_within, is_covered, is_covered_within, key_account_coverage, key_account_coverage_within,
};
pub use decision::{DecisionProcess, DecisionStep};
pub use objectives::{ObjectiveKpi, Progress, progress, year_elapsed};
pub use one_on_one::{ActionOwner, KpiChange, Snapshot, changes};
pub use workflow::{Actor, PlanStatus, Step, WorkflowError, advance};

#[cfg(test)]
mod tests;

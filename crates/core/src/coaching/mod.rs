//! Coaching beyond the scorecard (`PRODUCT.md` §5, §6): the territory plan's workflow, the account
//! map's gaps and coverage, and what changed between two 1:1 sessions.

mod account_map;
mod one_on_one;
mod workflow;

pub use account_map::{AccountGaps, MappedContact, UNTOUCHED_AFTER_DAYS, gaps, is_covered, key_account_coverage};
pub use one_on_one::{ActionOwner, KpiChange, Snapshot, changes};
pub use workflow::{Actor, PlanStatus, Step, WorkflowError, advance};

#[cfg(test)]
mod tests;

//! Planning: a company plan allocated top-down into quotas that sum to it exactly, phased by month
//! with the seasonality learnt from history, and the goal-setting assistant's realistic goals and
//! plan risk (`PRODUCT.md` §2).

mod allocation;
mod future;
mod goals;
mod plan;
mod seasonality;

pub use allocation::{allocate, phase};
pub use future::{
    FutureError, change_from, first_open_month, keep_months_past, keep_realistic_goals, phase_from, unallocated,
};
pub use goals::{Distribution, PlanRisk, RepGoal, active_months, goal_sheet, percentile, plan_risk, suggest_goals};
pub use plan::{Allocation, Basis, RepHistory, RepQuota, allocate_plan};
pub use seasonality::{MonthlyIndex, monthly_index};

#[cfg(test)]
mod tests;

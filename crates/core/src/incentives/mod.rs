//! The incentives engine (`INCENTIVES.md` §1–§6): commission plans, statements, clawbacks,
//! contests and draws, computed in exact decimals over credited deals, quotas and the plan.
//!
//! Money is integer cents; attainment, rates and shares are exact decimals; a computed amount is
//! rounded once, to the cent, half away from zero. The store gathers the inputs
//! ([`CreditedDeal`], [`QuotaEntry`], [`PriorStatements`]) and keeps what is locked; everything here
//! is a pure function of them. The choices the spec leaves open are in `docs/INCENTIVES.md`.

mod clawback;
mod component;
mod contest;
mod credit;
mod curve;
mod draw;
pub mod exact;
mod lines;
mod plan;
mod plan_shape;
mod plans_file;
mod statement;
mod tiers;
mod whatif;

pub use clawback::{Adjustment, AdjustmentCause, LockedLine, LockedPeriod, after_window};
pub use component::{
    ComponentInput, ComponentPeriod, DealCredit, Earned, Measured, NoPay, compute_component, credit_lines,
    deal_credits, earn, measure,
};
pub use contest::{ContestAward, Standing, decide_awards, ranked};
pub use credit::{CreditedDeal, QuotaEntry, days_in_force, pieces_in_force, quota_for};
pub use curve::payout;
pub use draw::{DrawLine, settle_draw};
pub use lines::{DealLine, deal_lines};
pub use plan::{
    Assignment, Award, Component, ComponentKind, Contest, ContestKpi, Credit, CurvePoint, Draw, DrawKind, Measure,
    Metric, Participants, Plan, PlanPeriod, PlansFile, Prize, Tier, TierMode, year_bounds,
};
pub use plans_file::{MAX_CENTS, MAX_CLAWBACK_DAYS, MAX_DECIMAL, Problem, check, read_plans_file};
pub use statement::{
    ComponentLine, ComponentRef, DrawSpan, EarlierYear, PriorStatements, RepPlan, Statement, StatementInput,
    adjustments_after_lock, assignments_by_rep, component_measure, component_period, component_window,
    compute_statement, plans_of, rep_plans,
};
pub use tiers::{commission, rate_at};
pub use whatif::{NextStep, WhatIf, next_step, what_if_close, what_ifs_close};

pub use rust_decimal::Decimal;

use rust_decimal::RoundingStrategy;

/// `value` rounded to a whole number (of cents), half away from zero.
pub fn round_half_away(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
}

/// A whole number of cents as `i64` (saturating: amounts a plans file allows never reach it).
pub fn to_cents(value: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    round_half_away(value).to_i64().unwrap_or(if value.is_sign_negative() { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests;

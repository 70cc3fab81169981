//! Clawbacks (`INCENTIVES.md` §4) and the adjustment lines a statement carries.

use super::{round_half_away, to_cents};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Why an adjustment line is on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentCause {
    /// A deal paid on a locked statement is no longer won, or its credit fell.
    Clawback,
    /// Another change to a locked statement's inputs (a deal edited or reassigned).
    DealChanged,
    /// A dispute the manager accepted.
    Dispute,
    /// Entered by hand.
    Manual,
}

/// One adjustment on a statement: an amount (negative: charged back), the deal it names if any,
/// and the cause in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<i64>,
    pub cause: AdjustmentCause,
    pub amount_cents: i64,
    pub note: String,
}

/// A deal line paid on a locked statement, with what the deal credits now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaidDeal {
    pub opportunity_id: i64,
    /// The plan and component the line was paid on.
    pub plan: String,
    pub component_key: String,
    pub closed_on: NaiveDate,
    /// The day the deal stopped being won or its amount fell.
    pub changed_on: NaiveDate,
    /// What the deal credited on the locked statement, and what it credits now (0 if not won).
    #[serde(serialize_with = "super::exact::serialize")]
    pub credited_then: Decimal,
    #[serde(serialize_with = "super::exact::serialize")]
    pub credited_now: Decimal,
    /// The line's earnings on the locked statement.
    pub earned_cents: i64,
}

impl PaidDeal {
    /// What the deal credits less than it did on the locked statement (0 when it did not fall).
    pub fn credit_lost(&self) -> Decimal {
        (self.credited_then - self.credited_now.max(Decimal::ZERO)).max(Decimal::ZERO)
    }
}

/// Whether the deal changed more than `clawback_days` after its close (never without a window).
pub(crate) fn after_window(paid: &PaidDeal, clawback_days: Option<u32>) -> bool {
    clawback_days.is_some_and(|days| (paid.changed_on - paid.closed_on).num_days() > i64::from(days))
}

/// The charge back for `paid` under a component's `clawback_days`: the line's earnings times the
/// share of its credit lost, rounded half away from zero, as a negative amount. Nothing when the
/// credit did not fall, or when `clawback_days` is set and the change came more than that many days
/// after the close.
pub fn clawback(paid: &PaidDeal, clawback_days: Option<u32>) -> Option<Adjustment> {
    if paid.credited_now >= paid.credited_then || paid.credited_then <= Decimal::ZERO {
        return None;
    }
    if after_window(paid, clawback_days) {
        return None;
    }
    let lost = paid.credit_lost() / paid.credited_then;
    let amount_cents = -to_cents(round_half_away(Decimal::from(paid.earned_cents) * lost));
    let note = if paid.credited_now <= Decimal::ZERO {
        format!("{} {}: deal no longer won", paid.plan, paid.component_key)
    } else {
        format!("{} {}: credited amount fell", paid.plan, paid.component_key)
    };
    (amount_cents != 0).then_some(Adjustment {
        opportunity_id: Some(paid.opportunity_id),
        cause: AdjustmentCause::Clawback,
        amount_cents,
        note,
    })
}

//! A statement as the operations answer it and as an approved or locked one is kept: per
//! component the credited amount, quota, attainment, earnings and deal lines; the adjustments,
//! awards and draw; and what is payable. Decimals are exact, as text (`"1.25"`); money is cents.
//! Every line names its deal (id and external id), so that every number links to what is behind it.

use serde::{Deserialize, Serialize};

/// Where a statement is in its lifecycle: provisional ones are computed live and never kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementState {
    Provisional,
    Approved,
    Locked,
}

impl StatementState {
    pub fn key(self) -> &'static str {
        match self {
            StatementState::Provisional => "provisional",
            StatementState::Approved => "approved",
            StatementState::Locked => "locked",
        }
    }
}

/// One rep's statement for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementSheet {
    pub rep_id: i64,
    pub rep_external_id: String,
    pub name: String,
    /// `YYYY-MM`.
    pub period: String,
    pub state: StatementState,
    /// Whether the month has ended (before, the statement is what the month is worth so far).
    pub month_ended: bool,
    pub components: Vec<ComponentSheet>,
    pub adjustments: Vec<AdjustmentSheet>,
    pub awards: Vec<AwardSheet>,
    /// Components due + adjustments + awards.
    pub earnings_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<DrawSheet>,
    pub payable_cents: i64,
}

/// One component of a plan on a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentSheet {
    pub plan: String,
    pub key: String,
    /// `revenue`, `margin` or `deals`.
    pub metric: String,
    /// The window measured (`2027-Q1`, or from the year's start when cumulative).
    pub window: String,
    pub cumulative: bool,
    /// Cents for money, deals otherwise.
    pub credited: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attainment: Option<String>,
    /// What the window earns in all.
    pub earnings_cents: i64,
    /// Cumulative: what earlier statements of the year paid for the component.
    pub paid_before_cents: i64,
    /// What this statement pays for it.
    pub due_cents: i64,
    /// Why it pays nothing: `no_quota`, `below_gate`, `not_in_force`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_pay: Option<String>,
    pub capped: bool,
    pub lines: Vec<LineSheet>,
}

/// A won deal's line: what it credited and its share of the component's earnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSheet {
    pub opportunity_id: i64,
    pub opportunity_external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub closed_on: String,
    pub credited: String,
    pub earnings_cents: i64,
}

/// An adjustment: a clawback, a change to a locked statement's deal, an accepted dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentSheet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity_external_id: Option<String>,
    /// The plan and component key a change after a lock trues up (`clawback`, `deal_changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_key: Option<String>,
    /// The fiscal year of that component, when earlier than the statement's (a change to a deal
    /// of a locked statement of an earlier year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal_year: Option<i32>,
    /// `clawback`, `deal_changed`, `dispute`, `manual`.
    pub cause: String,
    pub amount_cents: i64,
    pub note: String,
}

/// A contest award decided in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardSheet {
    pub contest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<u32>,
    pub value: String,
    pub amount_cents: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prizes: Vec<String>,
}

/// How the month's draw settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawSheet {
    /// `recoverable` or `guaranteed`.
    pub kind: String,
    pub amount_cents: i64,
    pub advanced_cents: i64,
    pub recovered_cents: i64,
    pub balance_after_cents: i64,
}

//! The account map: an account's buying committee, the gaps in it ("have we touched all the
//! bases?") and the key-account coverage of `KPIS.md`.

use crate::model::BuyingRole;
use chrono::NaiveDate;

/// A contact is untouched when their last activity is more than this many days before the day.
pub const UNTOUCHED_AFTER_DAYS: i64 = 90;

/// A contact of the map: their role in the buying committee and when they were last touched.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedContact {
    pub role: Option<BuyingRole>,
    /// 1–5, 5 = top.
    pub authority: Option<u8>,
    pub last_touch: Option<NaiveDate>,
}

impl MappedContact {
    /// Touched within the last 90 days up to and including `as_of`.
    pub fn is_current(&self, as_of: NaiveDate) -> bool {
        self.last_touch.is_some_and(|day| day <= as_of && (as_of - day).num_days() <= UNTOUCHED_AFTER_DAYS)
    }
}

/// What an account's map lacks.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct AccountGaps {
    pub no_decision_maker: bool,
    pub no_financial_authority: bool,
    /// A decision maker is mapped but none was touched in the last 90 days.
    pub decision_maker_untouched: bool,
    /// A financial authority is mapped but none was touched in the last 90 days.
    pub financial_authority_untouched: bool,
    /// The positions (in the given order) of contacts not touched in the last 90 days.
    pub untouched: Vec<usize>,
}

impl AccountGaps {
    pub fn is_empty(&self) -> bool {
        *self == AccountGaps::default()
    }
}

pub fn gaps(contacts: &[MappedContact], as_of: NaiveDate) -> AccountGaps {
    let with_role = |role| contacts.iter().filter(move |c| c.role == Some(role));
    let mapped = |role| with_role(role).next().is_some();
    let current = |role| with_role(role).any(|c| c.is_current(as_of));
    AccountGaps {
        no_decision_maker: !mapped(BuyingRole::DecisionMaker),
        no_financial_authority: !mapped(BuyingRole::FinancialAuthority),
        decision_maker_untouched: mapped(BuyingRole::DecisionMaker) && !current(BuyingRole::DecisionMaker),
        financial_authority_untouched: mapped(BuyingRole::FinancialAuthority)
            && !current(BuyingRole::FinancialAuthority),
        untouched: contacts.iter().enumerate().filter(|(_, c)| !c.is_current(as_of)).map(|(i, _)| i).collect(),
    }
}

/// Covered: a decision maker and a financial authority are mapped, and one of each was touched in
/// the last 90 days.
pub fn is_covered(contacts: &[MappedContact], as_of: NaiveDate) -> bool {
    let current = |role| contacts.iter().any(|c| c.role == Some(role) && c.is_current(as_of));
    current(BuyingRole::DecisionMaker) && current(BuyingRole::FinancialAuthority)
}

/// Key-account coverage: the share of the key accounts (each given by its contacts) that are
/// covered; `None` without key accounts.
pub fn key_account_coverage(accounts: &[Vec<MappedContact>], as_of: NaiveDate) -> Option<f64> {
    if accounts.is_empty() {
        return None;
    }
    let covered = accounts.iter().filter(|contacts| is_covered(contacts, as_of)).count();
    Some(covered as f64 / accounts.len() as f64)
}

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
        self.is_current_within(as_of, UNTOUCHED_AFTER_DAYS)
    }

    /// Touched within the last `window_days` days up to and including `as_of`.
    pub fn is_current_within(&self, as_of: NaiveDate, window_days: i64) -> bool {
        self.last_touch.is_some_and(|day| day <= as_of && (as_of - day).num_days() <= window_days)
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
    gaps_within(contacts, as_of, UNTOUCHED_AFTER_DAYS)
}

/// The gaps, with contacts untouched after `window_days` days.
pub fn gaps_within(contacts: &[MappedContact], as_of: NaiveDate, window_days: i64) -> AccountGaps {
    let with_role = |role| contacts.iter().filter(move |c| c.role == Some(role));
    let mapped = |role| with_role(role).next().is_some();
    let current = |role| with_role(role).any(|c| c.is_current_within(as_of, window_days));
    AccountGaps {
        no_decision_maker: !mapped(BuyingRole::DecisionMaker),
        no_financial_authority: !mapped(BuyingRole::FinancialAuthority),
        decision_maker_untouched: mapped(BuyingRole::DecisionMaker) && !current(BuyingRole::DecisionMaker),
        financial_authority_untouched: mapped(BuyingRole::FinancialAuthority)
            && !current(BuyingRole::FinancialAuthority),
        untouched: contacts
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_current_within(as_of, window_days))
            .map(|(i, _)| i)
            .collect(),
    }
}

/// Covered: a decision maker and a financial authority are mapped, and one of each was touched in
/// the last 90 days.
pub fn is_covered(contacts: &[MappedContact], as_of: NaiveDate) -> bool {
    is_covered_within(contacts, as_of, UNTOUCHED_AFTER_DAYS)
}

/// Covered, with contacts untouched after `window_days` days.
pub fn is_covered_within(contacts: &[MappedContact], as_of: NaiveDate, window_days: i64) -> bool {
    let current = |role| contacts.iter().any(|c| c.role == Some(role) && c.is_current_within(as_of, window_days));
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

/// What each buying role that matters weighs in the coverage score, out of 100: the decision
/// maker most, then who holds the budget, then those who sway and those who will use what is
/// bought. A gatekeeper opens doors but does not decide: weight 0.
pub const ROLE_WEIGHTS: [(BuyingRole, u32); 4] = [
    (BuyingRole::DecisionMaker, 40),
    (BuyingRole::FinancialAuthority, 30),
    (BuyingRole::Influencer, 15),
    (BuyingRole::User, 15),
];

/// The coverage score of an account, 0–1 ("have we touched all the bases?"): each role of
/// [`ROLE_WEIGHTS`] earns its whole weight when a contact in it was touched within the last
/// `window_days` days, half of it when one is mapped but none was touched in that window, and
/// nothing when no contact holds it. An account without contacts scores 0: nothing is mapped.
pub fn coverage_score(contacts: &[MappedContact], as_of: NaiveDate, window_days: i64) -> f64 {
    let total: u32 = ROLE_WEIGHTS.iter().map(|(_, weight)| weight).sum();
    // Half weights are kept exact by counting in halves.
    let halves: u32 = ROLE_WEIGHTS
        .iter()
        .map(|&(role, weight)| {
            let holders = || contacts.iter().filter(|c| c.role == Some(role));
            if holders().any(|c| c.is_current_within(as_of, window_days)) {
                2 * weight
            } else if holders().next().is_some() {
                weight
            } else {
                0
            }
        })
        .sum();
    f64::from(halves) / f64::from(2 * total)
}

/// The key-account coverage of a rep's territory plan.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct KeyAccountCoverage {
    /// How many key accounts the plan lists.
    pub accounts: usize,
    /// The share of them covered (`KPIS.md`: a decision maker and a financial authority mapped and
    /// touched within the window); `None` without key accounts.
    pub covered: Option<f64>,
    /// The mean of their coverage scores; `None` without key accounts.
    pub mean_score: Option<f64>,
}

impl KeyAccountCoverage {
    /// Several plans' key accounts taken together (a team's): each plan weighs by its number of
    /// key accounts, so the result is that of all their key accounts in one list.
    pub fn pooled(parts: impl IntoIterator<Item = KeyAccountCoverage>) -> KeyAccountCoverage {
        let (mut accounts, mut covered, mut scores) = (0usize, 0.0, 0.0);
        for part in parts {
            accounts += part.accounts;
            covered += part.covered.unwrap_or_default() * part.accounts as f64;
            scores += part.mean_score.unwrap_or_default() * part.accounts as f64;
        }
        let share = |sum: f64| (accounts > 0).then(|| sum / accounts as f64);
        KeyAccountCoverage { accounts, covered: share(covered), mean_score: share(scores) }
    }
}

/// The key-account coverage of the key accounts, each given by its contacts.
pub fn key_account_coverage_within(
    accounts: &[Vec<MappedContact>],
    as_of: NaiveDate,
    window_days: i64,
) -> KeyAccountCoverage {
    let count = accounts.len();
    if count == 0 {
        return KeyAccountCoverage::default();
    }
    let covered = accounts.iter().filter(|c| is_covered_within(c, as_of, window_days)).count();
    let scores: f64 = accounts.iter().map(|c| coverage_score(c, as_of, window_days)).sum();
    KeyAccountCoverage {
        accounts: count,
        covered: Some(covered as f64 / count as f64),
        mean_score: Some(scores / count as f64),
    }
}

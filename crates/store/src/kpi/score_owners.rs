//! Each satisfaction score's account owner (`account_owner_id`, migration 0037): whose score it is
//! in a report, kept on the score so that a period's scores are read without looking up each
//! one's account. Every write of a score and of an account (its owner may change) sets it on their
//! scores, and the rollup rebuild on every score where it differs.

use crate::db::Db;
use crate::derived::{self, Derived, Rows};
use crate::error::Result;
use crate::orgs::OrgId;

/// Whose scores to give their account's owner.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scored<'a> {
    /// The scores on these accounts: written, or their account's owner may have changed.
    OnAccounts(&'a [i64]),
    /// Every score of the organisation whose owner is not its account's.
    All,
}

const ACCOUNT_OWNER: Derived = Derived {
    table: "feedback",
    column: "account_owner_id",
    source: "(SELECT a.owner_id FROM accounts a WHERE a.org_id = feedback.org_id AND a.id = feedback.account_id)",
};

/// Sets the account owner of the `which` scores.
pub(crate) fn keep(db: &mut Db, org: OrgId, which: Scored<'_>) -> Result<()> {
    let rows = match which {
        Scored::OnAccounts(accounts) => Rows::Where("account_id", accounts),
        Scored::All => Rows::Differing,
    };
    derived::set(db, org, &[ACCOUNT_OWNER], rows)
}

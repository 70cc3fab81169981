//! Entering a customer's satisfaction score on an account, beside the scores a bundle imports.

use super::{permit, refuse_any};
use crate::access::Viewer;
use crate::crm::feedback::{self as repository, NewFeedback};
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result};
use crate::ids::{AccountId, FeedbackId};
use chrono::{NaiveDate, Utc};
use quotient_core::access::{self, Action, Resource};
use quotient_core::input::Refusals;

/// The longest comment, in characters.
pub const COMMENT_MAX: usize = 2_000;

/// A score a customer gave on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterFeedback {
    pub account: AccountId,
    pub received_on: NaiveDate,
    /// 0 (unhappy) … 10 (delighted).
    pub score: i64,
    /// What the customer said, if anything.
    pub comment: Option<String>,
}

/// Records a satisfaction score on an account the caller looks after ([`access::may_enter_feedback`]:
/// the account's rep, their managers, admins), filed under the account's rep, and returns its id.
/// Refused for a score outside 0–10 (`score`), a day after today (`received_on`), a comment too
/// long (`comment`) or an account out of reach (`account_id`); a second score of the same account,
/// rep and day replaces the first, as a re-import would.
pub fn enter_feedback(db: &mut Db, scope: &Viewer, command: &EnterFeedback) -> Result<FeedbackId> {
    permit(scope, Resource::Accounts, Action::Edit)?;
    let mut refusals = Refusals::new();
    if !(0..=10).contains(&command.score) {
        refusals.push(Refusal::new("score", Code::NumberOutOfRange).count("min", 0).count("max", 10));
    }
    if command.received_on > Utc::now().date_naive() {
        refusals.push(Refusal::new("received_on", Code::DateInFuture));
    }
    let comment = command.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > COMMENT_MAX) {
        refusals.push(Refusal::new("comment", Code::TooLong).count("max", COMMENT_MAX as i64));
    }
    db.transaction(|db| {
        // The account held until the score is written: an owner changed meanwhile would not be
        // given to the new score.
        let sql = format!(
            "SELECT owner_id FROM accounts WHERE org_id = ? AND id = ? AND deleted_at IS NULL{}",
            db.dialect().shared_lock()
        );
        let owner = db.query_opt(&sql, &[scope.org.value(), Value::Int(command.account.get())], |row| row.int(0))?;
        let reaches = |owner: Option<i64>| scope.reaches_everyone() || owner.is_some_and(|o| scope.reaches(o));
        let owner = match owner {
            Some(owner) if access::may_enter_feedback(scope.role, reaches(owner)) => owner,
            _ => {
                refusals.push(Refusal::new("account_id", Code::AccountOutOfReach));
                None
            }
        };
        refuse_any(std::mem::take(&mut refusals))?;
        let feedback = NewFeedback {
            account_id: command.account.get(),
            rep_id: owner,
            received_on: command.received_on,
            score: command.score,
            comment: comment.map(str::to_string),
        };
        repository::record(db, scope, &feedback).map(FeedbackId)
    })
}

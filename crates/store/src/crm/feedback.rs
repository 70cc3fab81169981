//! Satisfaction scores entered by hand (the account's page, the API): one per account, rep and
//! day — the key `feedback.csv` gives a score, so an export and re-import updates it in place —,
//! audited. The report reads them from the base rows, so the write moves the organisation's
//! revisions: the dashboards computed before it are not reused. Each score keeps its account's
//! owner (`account_owner_id`, migration 0037), whose score it is in the report.

use super::row_json;
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::score_owners::{self, Scored};
use crate::orgs::{self, Revision};
use chrono::{Datelike, NaiveDate, Utc};

/// A score to record on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewFeedback {
    pub account_id: i64,
    /// The account's rep when the score was given.
    pub rep_id: Option<i64>,
    pub received_on: NaiveDate,
    pub score: i64,
    pub comment: Option<String>,
}

const COLUMNS: &[&str] = &["account_id", "rep_id", "received_on", "score", "comment", "deleted_at"];

/// Records `feedback`, replacing the score the account already has from the same rep that day;
/// returns the feedback's id. Unchecked: `ops::feedback` decides who enters what.
pub(crate) fn record(db: &mut Db, viewer: &Viewer, feedback: &NewFeedback) -> Result<i64> {
    let org = viewer.org;
    let external_id = natural_key(db, viewer, feedback)?;
    let existing = db.query_opt(
        "SELECT id FROM feedback WHERE org_id = ? AND external_id = ?",
        &[org.value(), Value::text(&external_id)],
        |row| row.int(0),
    )?;
    let values = [
        Value::opt_int(feedback.rep_id),
        Value::Date(feedback.received_on),
        Value::Int(feedback.score),
        feedback.comment.as_deref().map_or(Value::Null, Value::text),
    ];
    let (id, before) = match existing.flatten() {
        Some(id) => {
            let before = row_json(db, org, "feedback", COLUMNS, id)?;
            let mut params = values.to_vec();
            params.extend([org.value(), Value::Int(id)]);
            db.execute(
                "UPDATE feedback SET rep_id = ?, received_on = ?, score = ?, comment = ?, deleted_at = NULL
                 WHERE org_id = ? AND id = ?",
                &params,
            )?;
            (id, before)
        }
        None => {
            let id = orgs::allocate_ids(db, org, "feedback", 1)?;
            let mut params =
                vec![org.value(), Value::Int(id), Value::owned(external_id), Value::Int(feedback.account_id)];
            params.extend(values);
            db.execute(
                "INSERT INTO feedback (org_id, id, external_id, account_id, rep_id, received_on, score, comment)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &params,
            )?;
            (id, None)
        }
    };
    score_owners::keep(db, org, Scored::OnAccounts(&[feedback.account_id]))?;
    let after = row_json(db, org, "feedback", COLUMNS, id)?;
    let action = if before.is_some() { "update" } else { "create" };
    let change = Change { user: viewer.actor(), action, entity: "feedback", entity_id: Some(id), before, after };
    audit::record(db, org, change)?;
    // A score of an earlier month changes what whole past months show.
    let today = Utc::now().date_naive();
    let this_month = today.with_day(1).unwrap_or(today);
    let kinds: &[Revision] =
        if feedback.received_on < this_month { &[Revision::Data, Revision::History] } else { &[Revision::Data] };
    orgs::bump_revisions(db, org, kinds)?;
    Ok(id)
}

/// `account|rep|day` with the account's and the rep's external ids, as the import keys a row of
/// `feedback.csv`.
fn natural_key(db: &mut Db, viewer: &Viewer, feedback: &NewFeedback) -> Result<String> {
    let external = |db: &mut Db, table: &str, id: Option<i64>| -> Result<String> {
        let Some(id) = id else { return Ok(String::new()) };
        let sql = format!("SELECT external_id FROM {table} WHERE org_id = ? AND id = ?");
        let key = db.query_opt(&sql, &[viewer.org.value(), Value::Int(id)], |row| {
            Ok(row.text(0)?.unwrap_or_default().to_string())
        })?;
        Ok(key.unwrap_or_default())
    };
    let account = external(db, "accounts", Some(feedback.account_id))?;
    let rep = external(db, "reps", feedback.rep_id)?;
    Ok(format!("{account}|{rep}|{}", feedback.received_on.format("%Y-%m-%d")))
}

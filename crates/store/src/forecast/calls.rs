//! Calls as stored: every submission and adjustment kept, the latest of each subject and kind the
//! current one.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::orgs::{self, OrgId};
use chrono::{DateTime, Utc};
use quotient_core::Period;
use quotient_core::forecast::Call;
use serde::Serialize;

quotient_core::keyed_enum! {
    /// A subject's own call, or their manager's adjustment of it.
    CallKind {
        Own => "call",
        Adjustment => "adjustment",
    }
}

/// One call as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCall {
    pub id: i64,
    pub period: String,
    /// The person the call is for: a rep, or a manager for their subtree.
    pub subject: i64,
    pub kind: CallKind,
    #[serde(flatten)]
    pub call: Call,
    pub note: String,
    /// Who submitted it: the person (a rep or manager), none for the operator.
    pub by_person: Option<i64>,
    pub submitted_at: DateTime<Utc>,
}

/// A call to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall<'a> {
    pub period: Period,
    pub subject: i64,
    pub kind: CallKind,
    pub call: Call,
    pub note: &'a str,
    pub by_person: Option<i64>,
    pub at: DateTime<Utc>,
}

const COLUMNS: &str = "id, period, subject_id, kind, commit_cents, best_case_cents, note, by_person, submitted_at";

fn read(row: &crate::db::Row) -> Result<StoredCall> {
    let kind = row.text(3)?.unwrap_or_default().parse().map_err(|_| StoreError::Decode("a call's kind".into()))?;
    Ok(StoredCall {
        id: row.int(0)?.unwrap_or_default(),
        period: row.text(1)?.unwrap_or_default().to_string(),
        subject: row.int(2)?.unwrap_or_default(),
        kind,
        call: Call { commit_cents: row.int(4)?.unwrap_or_default(), best_case_cents: row.int(5)?.unwrap_or_default() },
        note: row.text(6)?.unwrap_or_default().to_string(),
        by_person: row.int(7)?,
        submitted_at: row.timestamp(8)?.unwrap_or_default(),
    })
}

/// The current calls of a period, the latest of each subject and kind, of `subjects` (everyone for
/// none), by subject and kind.
pub fn current(db: &mut Db, org: OrgId, period: Period, subjects: Option<&[i64]>) -> Result<Vec<StoredCall>> {
    let mut calls = Vec::new();
    for chunk in super::deals::id_chunks(subjects) {
        let mut params = vec![org.value(), Value::owned(period.to_string())];
        let subjects = super::deals::ids_in("subject_id", chunk, &mut params);
        calls.extend(db.query_map(
            &format!(
                "SELECT {COLUMNS} FROM forecast_calls c WHERE org_id = ? AND period = ?{subjects} AND id = (
                    SELECT MAX(id) FROM forecast_calls l
                    WHERE l.org_id = c.org_id AND l.period = c.period AND l.subject_id = c.subject_id AND l.kind = c.kind)
                 ORDER BY subject_id, kind"
            ),
            &params,
            read,
        )?);
    }
    Ok(calls)
}

/// Every call of a period, oldest first: what was called how long before its end.
pub fn history(db: &mut Db, org: OrgId, period: Period) -> Result<Vec<StoredCall>> {
    db.query_map(
        &format!("SELECT {COLUMNS} FROM forecast_calls WHERE org_id = ? AND period = ? ORDER BY id"),
        &[org.value(), Value::owned(period.to_string())],
        read,
    )
}

/// Every call of a period for one person (theirs and the adjustments of theirs), oldest first.
pub fn history_of(db: &mut Db, org: OrgId, period: Period, subject: i64) -> Result<Vec<StoredCall>> {
    db.query_map(
        &format!("SELECT {COLUMNS} FROM forecast_calls WHERE org_id = ? AND period = ? AND subject_id = ? ORDER BY id"),
        &[org.value(), Value::owned(period.to_string()), Value::Int(subject)],
        read,
    )
}

/// The columns a call is written with, and its values in their order.
const WRITTEN: [&str; 11] = [
    "org_id",
    "id",
    "period",
    "subject_id",
    "kind",
    "commit_cents",
    "best_case_cents",
    "note",
    "by_person",
    "by_user",
    "submitted_at",
];

fn written<'a>(org: OrgId, id: i64, user: Option<i64>, call: &'a NewCall) -> [Value<'a>; 11] {
    [
        org.value(),
        Value::Int(id),
        Value::owned(call.period.to_string()),
        Value::Int(call.subject),
        Value::text(call.kind.key()),
        Value::Int(call.call.commit_cents),
        Value::Int(call.call.best_case_cents),
        Value::text(call.note),
        Value::opt_int(call.by_person),
        Value::opt_int(user),
        Value::Timestamp(call.at),
    ]
}

/// Records a call, audited. In a transaction.
pub(crate) fn record(db: &mut Db, org: OrgId, user: Option<i64>, call: &NewCall) -> Result<StoredCall> {
    let id = orgs::allocate_ids(db, org, "forecast_calls", 1)?;
    let marks = vec!["?"; WRITTEN.len()].join(", ");
    db.execute(
        &format!("INSERT INTO forecast_calls ({}) VALUES ({marks})", WRITTEN.join(", ")),
        &written(org, id, user, call),
    )?;
    let stored = StoredCall {
        id,
        period: call.period.to_string(),
        subject: call.subject,
        kind: call.kind,
        call: call.call,
        note: call.note.to_string(),
        by_person: call.by_person,
        submitted_at: call.at,
    };
    audit::record(
        db,
        org,
        Change {
            user,
            action: "create",
            entity: "forecast_calls",
            entity_id: Some(id),
            before: None,
            after: serde_json::to_value(&stored).ok(),
        },
    )?;
    Ok(stored)
}

/// Loads many past calls at once, unaudited, as an import is (the demo's history). In a transaction.
pub(crate) fn load(db: &mut Db, org: OrgId, calls: &[NewCall]) -> Result<usize> {
    if calls.is_empty() {
        return Ok(0);
    }
    let first = orgs::allocate_ids(db, org, "forecast_calls", calls.len() as i64)?;
    let mut loader = db.loader("forecast_calls", &WRITTEN, false)?;
    for (id, call) in (first..).zip(calls) {
        loader.push(&written(org, id, None, call))?;
    }
    Ok(loader.finish()? as usize)
}

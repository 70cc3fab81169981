//! Approved and locked statements as kept, and the adjustments decided outside the plan's
//! computation. A locked statement never changes: every write here refuses to touch one
//! ([`Code::StatementLocked`]), and the database's triggers refuse an update or delete of one
//! whatever writes it.

use super::inputs::listed;
use super::locked::{KeptDigest, WindowCache};
use super::sheet::{AdjustmentSheet, StatementSheet, StatementState};
use crate::audit::{self, Change};
use crate::db::{Db, Row, Value};
use crate::error::{Code, Refusal, Result, StoreError};
use crate::orgs::OrgId;
use chrono::{Datelike, NaiveDate, Utc};
use std::collections::HashSet;

/// A statement as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub rep_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    pub sheet: StatementSheet,
}

/// The kept statements of `reps` in `year`, by rep and month.
pub fn of_year(db: &mut Db, org: OrgId, reps: &HashSet<i64>, year: i32) -> Result<Vec<Kept>> {
    let mut found = Vec::new();
    let (sql, params) = of_year_read("statement_json", org, reps, year);
    db.query_each(&sql, &params, |row| {
        let rep_id = row.int(0)?.unwrap_or_default();
        if reps.contains(&rep_id) {
            found.push(kept(row)?);
        }
        Ok(())
    })?;
    Ok(found)
}

/// What the kept statements of `reps` in `year` hand the months after them, as (rep, month,
/// digest): all a later year reads of them.
pub(super) fn digests_of_year(
    db: &mut Db,
    org: OrgId,
    reps: &HashSet<i64>,
    year: i32,
) -> Result<Vec<(i64, String, KeptDigest)>> {
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    let mut windows = WindowCache::default();
    // The JSON only of a statement kept without a digest.
    let columns = "digest, CASE WHEN digest IS NULL THEN statement_json END, payable_cents";
    let (sql, params) = of_year_read(columns, org, reps, year);
    db.query_each(&sql, &params, |row| {
        let rep_id = row.int(0)?.unwrap_or_default();
        if !reps.contains(&rep_id) {
            return Ok(());
        }
        let (month, state) = (row.text(1)?.unwrap_or_default().to_string(), state_of(row)?);
        let payable = row.int(5)?;
        let digest = match row.text(3)? {
            // A digest that does not read, or disagrees with its statement's payable amount (one kept
            // by another version), gives way to the statement itself.
            Some(text) => KeptDigest::of_text(text, state, &mut windows).filter(|d| Some(d.payable_cents) == payable),
            None => Some(of_json(row.text(4)?.unwrap_or_default(), state, &mut windows)?),
        };
        match digest {
            Some(digest) => found.push((rep_id, month, digest)),
            None => unreadable.push((rep_id, month, state)),
        }
        Ok(())
    })?;
    if unreadable.is_empty() {
        return Ok(found);
    }
    for (rep_id, month, state) in unreadable {
        let json = db.query_opt(
            "SELECT statement_json FROM statements WHERE org_id = ? AND rep_id = ? AND period = ?",
            &[org.value(), Value::Int(rep_id), Value::text(&month)],
            |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
        )?;
        found.push((rep_id, month, of_json(&json.unwrap_or_default(), state, &mut windows)?));
    }
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(found)
}

fn of_json(json: &str, state: StatementState, windows: &mut WindowCache) -> Result<KeptDigest> {
    KeptDigest::of_json(json, state, windows).map_err(|e| StoreError::Decode(format!("a kept statement: {e}")))
}

/// The read of a year's kept statements of `reps` (rep, month, state, `column`): a few reps' by
/// their ids, many reps' by a range over the organisation's.
fn of_year_read(column: &str, org: OrgId, reps: &HashSet<i64>, year: i32) -> (String, Vec<Value<'static>>) {
    let (condition, ids) = match listed(reps) {
        Some((marks, ids)) => (format!(" AND rep_id IN ({marks})"), ids),
        None => (String::new(), Vec::new()),
    };
    let sql = format!(
        "SELECT rep_id, period, state, {column} FROM statements
         WHERE org_id = ? AND period >= ? AND period <= ?{condition} ORDER BY rep_id, period"
    );
    let mut params = vec![org.value(), Value::owned(format!("{year:04}-01")), Value::owned(format!("{year:04}-12"))];
    params.extend(ids);
    (sql, params)
}

/// The first fiscal year before `year` in which a statement of the organisation was locked.
pub fn first_locked_year(db: &mut Db, org: OrgId, year: i32) -> Result<Option<i32>> {
    let first = db.query_opt(
        "SELECT MIN(period) FROM statements WHERE org_id = ? AND state = 'locked' AND period < ?",
        &[org.value(), Value::owned(format!("{year:04}-01"))],
        |row| Ok(row.text(0)?.map(str::to_string)),
    )?;
    Ok(first.flatten().and_then(|period| period.get(..4)?.parse().ok()))
}

fn kept(row: &Row) -> Result<Kept> {
    let text = row.text(3)?.unwrap_or_default();
    let mut sheet: StatementSheet =
        serde_json::from_str(text).map_err(|e| StoreError::Decode(format!("a kept statement: {e}")))?;
    sheet.state = state_of(row)?;
    Ok(Kept { rep_id: row.int(0)?.unwrap_or_default(), period: row.text(1)?.unwrap_or_default().to_string(), sheet })
}

fn state_of(row: &Row) -> Result<StatementState> {
    Ok(match row.text(2)?.unwrap_or_default() {
        "locked" => StatementState::Locked,
        _ => StatementState::Approved,
    })
}

/// The kept statement of a rep's month.
pub fn get(db: &mut Db, org: OrgId, rep: i64, period: &str) -> Result<Option<Kept>> {
    db.query_opt(
        "SELECT rep_id, period, state, statement_json FROM statements WHERE org_id = ? AND rep_id = ? AND period = ?",
        &[org.value(), Value::Int(rep), Value::text(period)],
        kept,
    )
}

/// Refused ([`Code::StatementLocked`]) when the rep's statement of `period` is locked: the guard
/// of every write to a statement.
pub fn ensure_unlocked(db: &mut Db, org: OrgId, rep: i64, period: &str) -> Result<()> {
    match get(db, org, rep, period)? {
        Some(kept) if kept.sheet.state == StatementState::Locked => {
            Err(Refusal::new("period", Code::StatementLocked).into())
        }
        _ => Ok(()),
    }
}

fn json_of(sheet: &StatementSheet) -> Result<String> {
    serde_json::to_string(sheet).map_err(|e| StoreError::Decode(e.to_string()))
}

/// Keeps `sheet` as its rep's approved statement of its month (in place of an earlier approval),
/// audited. Refused when that statement is locked.
pub fn approve(db: &mut Db, org: OrgId, actor: Option<i64>, sheet: &StatementSheet) -> Result<()> {
    ensure_unlocked(db, org, sheet.rep_id, &sheet.period)?;
    let now = Value::Timestamp(Utc::now());
    db.execute(
        "INSERT INTO statements (org_id, rep_id, period, state, statement_json, digest, payable_cents, approved_by, approved_at)
         VALUES (?, ?, ?, 'approved', ?, ?, ?, ?, ?)
         ON CONFLICT (org_id, rep_id, period) DO UPDATE SET statement_json = excluded.statement_json,
             digest = excluded.digest, payable_cents = excluded.payable_cents, approved_by = excluded.approved_by,
             approved_at = excluded.approved_at",
        &[
            org.value(),
            Value::Int(sheet.rep_id),
            Value::text(&sheet.period),
            Value::owned(json_of(sheet)?),
            KeptDigest::of_sheet(sheet).to_text().map_or(Value::Null, Value::owned),
            Value::Int(sheet.payable_cents),
            Value::opt_int(actor),
            now,
        ],
    )?;
    record(db, org, actor, "approve", sheet)
}

/// Locks the rep's approved statement of `period` as it was approved, audited, and returns it.
/// Refused when it is locked already, or not approved.
pub fn lock(db: &mut Db, org: OrgId, actor: Option<i64>, rep: i64, period: &str) -> Result<StatementSheet> {
    let Some(Kept { mut sheet, .. }) = get(db, org, rep, period)? else {
        return Err(Refusal::new("period", Code::StatementNotApproved).into());
    };
    if sheet.state == StatementState::Locked {
        return Err(Refusal::new("period", Code::StatementLocked).into());
    }
    sheet.state = StatementState::Locked;
    db.execute(
        "UPDATE statements SET state = 'locked', statement_json = ?, locked_by = ?, locked_at = ?
         WHERE org_id = ? AND rep_id = ? AND period = ? AND state = 'approved'",
        &[
            Value::owned(json_of(&sheet)?),
            Value::opt_int(actor),
            Value::Timestamp(Utc::now()),
            org.value(),
            Value::Int(rep),
            Value::text(period),
        ],
    )?;
    record(db, org, actor, "lock", &sheet)?;
    Ok(sheet)
}

fn record(db: &mut Db, org: OrgId, actor: Option<i64>, action: &str, sheet: &StatementSheet) -> Result<()> {
    let after = serde_json::json!({
        "period": sheet.period,
        "state": sheet.state.key(),
        "payable_cents": sheet.payable_cents,
    });
    let change = Change {
        user: actor,
        action,
        entity: "statement",
        entity_id: Some(sheet.rep_id),
        before: None,
        after: Some(after),
    };
    audit::record(db, org, change).map(|_| ())
}

/// The month an adjustment decided now lands on: the one after the rep's latest locked
/// statement, and not before `today`'s month.
pub fn next_unlocked_month(db: &mut Db, org: OrgId, rep: i64, today: NaiveDate) -> Result<String> {
    let latest = db.query_opt(
        "SELECT MAX(period) FROM statements WHERE org_id = ? AND rep_id = ? AND state = 'locked'",
        &[org.value(), Value::Int(rep)],
        |row| Ok(row.text(0)?.map(str::to_string)),
    )?;
    let current = format!("{:04}-{:02}", today.year(), today.month());
    let after_locked = latest.flatten().and_then(|period| month_after(&period));
    Ok(after_locked.map_or(current.clone(), |after| after.max(current)))
}

fn month_after(period: &str) -> Option<String> {
    let (year, month) = period.split_once('-')?;
    let (year, month): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
    Some(if month == 12 { format!("{:04}-01", year + 1) } else { format!("{year:04}-{:02}", month + 1) })
}

/// An adjustment decided outside the plan's computation, landing on the rep's statement of
/// `period` (refused when that one is locked).
pub struct NewAdjustment<'a> {
    pub rep_id: i64,
    pub period: &'a str,
    pub opportunity_id: Option<i64>,
    pub cause: &'a str,
    pub amount_cents: i64,
    pub note: &'a str,
    pub dispute_id: Option<i64>,
}

/// Records an adjustment, audited; returns its id.
pub fn add_adjustment(db: &mut Db, org: OrgId, actor: Option<i64>, adjustment: &NewAdjustment) -> Result<i64> {
    ensure_unlocked(db, org, adjustment.rep_id, adjustment.period)?;
    let id = crate::orgs::insert_with_new_id(
        db,
        org,
        "statement_adjustments",
        "INSERT INTO statement_adjustments (org_id, id, rep_id, period, opportunity_id, cause, note, amount_cents, dispute_id, created_at)
         SELECT ?, allocated.id, ?, ?, ?, ?, ?, ?, ?, ? FROM allocated RETURNING id",
        vec![
            org.value(),
            Value::Int(adjustment.rep_id),
            Value::text(adjustment.period),
            Value::opt_int(adjustment.opportunity_id),
            Value::text(adjustment.cause),
            Value::text(adjustment.note),
            Value::Int(adjustment.amount_cents),
            Value::opt_int(adjustment.dispute_id),
            Value::Timestamp(Utc::now()),
        ],
    )?
    .ok_or_else(|| StoreError::Decode("the adjustment was not written".into()))?;
    let after = serde_json::json!({
        "rep_id": adjustment.rep_id,
        "period": adjustment.period,
        "opportunity_id": adjustment.opportunity_id,
        "amount_cents": adjustment.amount_cents,
        "note": adjustment.note,
    });
    let change = Change {
        user: actor,
        action: "create",
        entity: "statement_adjustment",
        entity_id: Some(id),
        before: None,
        after: Some(after),
    };
    audit::record(db, org, change)?;
    Ok(id)
}

/// The adjustments recorded for `reps` landing in `year`, as (rep, month, adjustment).
pub fn adjustments_of_year(
    db: &mut Db,
    org: OrgId,
    reps: &HashSet<i64>,
    year: i32,
) -> Result<Vec<(i64, String, AdjustmentSheet)>> {
    let mut found = Vec::new();
    db.query_each(
        "SELECT a.rep_id, a.period, a.opportunity_id, o.external_id, a.cause, a.amount_cents, a.note FROM statement_adjustments a
         LEFT JOIN opportunities o ON o.org_id = a.org_id AND o.id = a.opportunity_id
         WHERE a.org_id = ? AND a.period >= ? AND a.period <= ? ORDER BY a.id",
        &[org.value(), Value::owned(format!("{year:04}-01")), Value::owned(format!("{year:04}-12"))],
        |row| {
            let rep = row.int(0)?.unwrap_or_default();
            if reps.contains(&rep) {
                found.push((
                    rep,
                    row.text(1)?.unwrap_or_default().to_string(),
                    AdjustmentSheet {
                        opportunity_id: row.int(2)?,
                        opportunity_external_id: row.text(3)?.map(str::to_string),
                        plan: None,
                        component_key: None,
                        fiscal_year: None,
                        cause: row.text(4)?.unwrap_or_default().to_string(),
                        amount_cents: row.int(5)?.unwrap_or_default(),
                        note: row.text(6)?.unwrap_or_default().to_string(),
                    },
                ));
            }
            Ok(())
        },
    )?;
    Ok(found)
}

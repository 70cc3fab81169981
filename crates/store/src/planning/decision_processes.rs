//! The decision-making process of an account on its map: steps, criteria and the expected
//! decision date (`quotient_core::coaching::DecisionProcess`), read and written whole.

use crate::access::Viewer;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::Utc;
use quotient_core::coaching::{DecisionProcess, DecisionStep};

/// The process of `account` (empty when none was recorded). Unscoped: callers have checked the
/// account is within reach.
pub fn load(db: &mut Db, org: OrgId, account: i64) -> Result<DecisionProcess> {
    let key = [org.value(), Value::Int(account)];
    let head = db.query_opt(
        "SELECT criteria, expected_decision_on FROM account_decision_processes WHERE org_id = ? AND account_id = ?",
        &key,
        |row| Ok((row.text(0)?.unwrap_or("[]").to_string(), row.date(1)?)),
    )?;
    let Some((criteria, expected_decision_on)) = head else { return Ok(DecisionProcess::default()) };
    let steps = db.query_map(
        "SELECT name, decider, due_on, done FROM account_decision_steps
         WHERE org_id = ? AND account_id = ? ORDER BY position",
        &key,
        |row| {
            Ok(DecisionStep {
                name: row.text(0)?.unwrap_or_default().to_string(),
                decider: row.text(1)?.unwrap_or_default().to_string(),
                due_on: row.date(2)?,
                done: row.int(3)?.unwrap_or_default() != 0,
            })
        },
    )?;
    Ok(DecisionProcess { steps, criteria: serde_json::from_str(&criteria).unwrap_or_default(), expected_decision_on })
}

/// Replaces the process of `account` with `process`; audited with the process before and after.
/// Unchecked: `ops::coaching` decides who writes it, and what it may hold.
pub(crate) fn write(db: &mut Db, viewer: &Viewer, account: i64, process: &DecisionProcess) -> Result<()> {
    let org = viewer.org;
    let before = load(db, org, account)?;
    let existed = db.query_i64(
        "SELECT COUNT(*) FROM account_decision_processes WHERE org_id = ? AND account_id = ?",
        &[org.value(), Value::Int(account)],
    )? > 0;
    let criteria = serde_json::to_string(&process.criteria).unwrap_or_else(|_| "[]".into());
    db.execute(
        "INSERT INTO account_decision_processes (org_id, account_id, criteria, expected_decision_on, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id, account_id) DO UPDATE
         SET criteria = excluded.criteria, expected_decision_on = excluded.expected_decision_on,
             updated_at = excluded.updated_at",
        &[
            org.value(),
            Value::Int(account),
            Value::owned(criteria),
            process.expected_decision_on.map_or(Value::Null, Value::Date),
            Value::Timestamp(Utc::now()),
        ],
    )?;
    db.execute(
        "DELETE FROM account_decision_steps WHERE org_id = ? AND account_id = ?",
        &[org.value(), Value::Int(account)],
    )?;
    for (position, step) in process.steps.iter().enumerate() {
        db.execute(
            "INSERT INTO account_decision_steps (org_id, account_id, position, name, decider, due_on, done)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                org.value(),
                Value::Int(account),
                Value::Int(position as i64),
                Value::text(&step.name),
                Value::text(&step.decider),
                step.due_on.map_or(Value::Null, Value::Date),
                Value::Int(i64::from(step.done)),
            ],
        )?;
    }
    let image = |p: &DecisionProcess| serde_json::to_value(p).ok();
    let action = if existed { "update" } else { "create" };
    super::audit(
        db,
        viewer,
        action,
        "decision_process",
        account,
        existed.then(|| image(&before)).flatten(),
        image(process),
    )
}

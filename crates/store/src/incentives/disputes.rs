//! Disputes of statement lines: opened by the rep with a comment, resolved by the manager —
//! accepted with an adjustment on the rep's next unlocked statement, or rejected — with a note.
//! Every step is audited.

use super::statements::{self, NewAdjustment};
use crate::audit::{self, Change};
use crate::db::{Db, Row, Value};
use crate::error::{Result, StoreError};
use crate::ops::incentives::Resolution;
use crate::orgs::{self, OrgId};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeState {
    Open,
    Accepted,
    Rejected,
}

/// A dispute as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispute {
    pub id: i64,
    pub rep_id: i64,
    /// The statement's month, `YYYY-MM`.
    pub period: String,
    pub line: String,
    pub comment: String,
    pub state: DisputeState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_note: Option<String>,
    /// Accepted: the adjustment made, and the month it lands on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment_cents: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment_period: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "d.id, d.rep_id, d.period, d.line, d.comment, d.state, d.resolution_note, a.amount_cents, a.period, d.created_at";
const FROM: &str = "FROM statement_disputes d
     LEFT JOIN statement_adjustments a ON a.org_id = d.org_id AND a.dispute_id = d.id";

fn dispute(row: &Row) -> Result<Dispute> {
    Ok(Dispute {
        id: row.int(0)?.unwrap_or_default(),
        rep_id: row.int(1)?.unwrap_or_default(),
        period: row.text(2)?.unwrap_or_default().to_string(),
        line: row.text(3)?.unwrap_or_default().to_string(),
        comment: row.text(4)?.unwrap_or_default().to_string(),
        state: match row.text(5)?.unwrap_or_default() {
            "accepted" => DisputeState::Accepted,
            "rejected" => DisputeState::Rejected,
            _ => DisputeState::Open,
        },
        resolution_note: row.text(6)?.map(str::to_string),
        adjustment_cents: row.int(7)?,
        adjustment_period: row.text(8)?.map(str::to_string),
        created_at: row.timestamp(9)?.unwrap_or_default(),
    })
}

/// Opens a dispute of a line of the rep's statement of `period`, audited.
pub fn open(
    db: &mut Db,
    org: OrgId,
    actor: Option<i64>,
    rep: i64,
    period: &str,
    line: &str,
    comment: &str,
) -> Result<Dispute> {
    let id = orgs::insert_with_new_id(
        db,
        org,
        "statement_disputes",
        "INSERT INTO statement_disputes (org_id, id, rep_id, period, line, comment, state, created_at)
         SELECT ?, allocated.id, ?, ?, ?, ?, 'open', ? FROM allocated RETURNING id",
        vec![
            org.value(),
            Value::Int(rep),
            Value::text(period),
            Value::text(line),
            Value::text(comment),
            Value::Timestamp(Utc::now()),
        ],
    )?
    .ok_or_else(|| StoreError::Decode("the dispute was not written".into()))?;
    let opened = get(db, org, id)?.ok_or_else(|| StoreError::NotFound(format!("dispute {id}")))?;
    record(db, org, actor, "dispute", None, &opened)?;
    Ok(opened)
}

/// A dispute by id.
pub fn get(db: &mut Db, org: OrgId, id: i64) -> Result<Option<Dispute>> {
    db.query_opt(
        &format!("SELECT {COLUMNS} {FROM} WHERE d.org_id = ? AND d.id = ?"),
        &[org.value(), Value::Int(id)],
        dispute,
    )
}

/// The disputes of the statements of a month, oldest first.
pub fn of_month(db: &mut Db, org: OrgId, period: &str) -> Result<Vec<Dispute>> {
    db.query_map(
        &format!("SELECT {COLUMNS} {FROM} WHERE d.org_id = ? AND d.period = ? ORDER BY d.id"),
        &[org.value(), Value::text(period)],
        dispute,
    )
}

/// Resolves an open dispute with the manager's note, audited; an accepted one with its adjustment
/// landing on the statement of `landing`.
pub fn resolve(
    db: &mut Db,
    org: OrgId,
    actor: Option<i64>,
    open: &Dispute,
    resolution: Resolution,
    note: &str,
    landing: Option<&str>,
) -> Result<Dispute> {
    let state = match resolution {
        Resolution::Accept { .. } => "accepted",
        Resolution::Reject => "rejected",
    };
    db.execute(
        "UPDATE statement_disputes SET state = ?, resolution_note = ?, resolved_by = ?, resolved_at = ?
         WHERE org_id = ? AND id = ? AND state = 'open'",
        &[
            Value::text(state),
            Value::text(note),
            Value::opt_int(actor),
            Value::Timestamp(Utc::now()),
            org.value(),
            Value::Int(open.id),
        ],
    )?;
    if let (Resolution::Accept { amount_cents }, Some(period)) = (resolution, landing) {
        let opportunity = db
            .query_opt(
                "SELECT id FROM opportunities WHERE org_id = ? AND external_id = ?",
                &[org.value(), Value::text(&open.line)],
                |row| row.int(0),
            )?
            .flatten();
        let adjustment = NewAdjustment {
            rep_id: open.rep_id,
            period,
            opportunity_id: opportunity,
            cause: "dispute",
            amount_cents,
            note,
            dispute_id: Some(open.id),
        };
        statements::add_adjustment(db, org, actor, &adjustment)?;
    }
    let resolved = get(db, org, open.id)?.ok_or_else(|| StoreError::NotFound(format!("dispute {}", open.id)))?;
    record(db, org, actor, "resolve", Some(open), &resolved)?;
    Ok(resolved)
}

fn record(
    db: &mut Db,
    org: OrgId,
    actor: Option<i64>,
    action: &str,
    before: Option<&Dispute>,
    after: &Dispute,
) -> Result<()> {
    let json = |d: &Dispute| serde_json::to_value(d).unwrap_or(serde_json::Value::Null);
    let change = Change {
        user: actor,
        action,
        entity: "statement_dispute",
        entity_id: Some(after.id),
        before: before.map(json),
        after: Some(json(after)),
    };
    audit::record(db, org, change).map(|_| ())
}

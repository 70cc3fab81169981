//! 1:1 sessions: a manager and a rep, the rep's headline KPIs and flags frozen when it opens, notes,
//! and actions with owners and due dates that stay open until done, so the next 1:1 starts from
//! them and from the change in each KPI.

use crate::access::Viewer;
use crate::db::{Db, Row, Value};
use crate::error::{Result, StoreError};
use crate::kpi::Card;
use crate::orgs::OrgId;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::access;
use quotient_core::coaching::{ActionOwner, KpiChange, Snapshot, changes};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ActionItem {
    pub id: i64,
    pub one_on_one_id: i64,
    pub description: String,
    pub owner: ActionOwner,
    pub due_on: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
}

/// An action agreed in a 1:1, as the operation that adds it has read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub description: String,
    pub owner: ActionOwner,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OneOnOne {
    pub id: i64,
    pub rep_id: i64,
    pub held_by: String,
    pub held_at: DateTime<Utc>,
    pub period: String,
    pub snapshot: Snapshot,
    /// The scorecard as it was (the report's JSON).
    pub scorecard: serde_json::Value,
    pub notes: String,
    pub actions: Vec<ActionItem>,
    /// Each KPI against the previous 1:1 with the rep; empty for the first.
    pub changes: Vec<KpiChange>,
    pub previous_at: Option<DateTime<Utc>>,
    /// Actions of earlier 1:1s still open.
    pub carried_over: Vec<ActionItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: i64,
    pub held_at: DateTime<Utc>,
    pub held_by: String,
    pub open_actions: i64,
}

const ACTION_COLUMNS: &str = "id, one_on_one_id, description, owner, due_on, done_at";

fn action(row: &Row) -> Result<ActionItem> {
    Ok(ActionItem {
        id: row.int(0)?.unwrap_or_default(),
        one_on_one_id: row.int(1)?.unwrap_or_default(),
        description: row.text(2)?.unwrap_or_default().to_string(),
        owner: owner(row.text(3)?)?,
        due_on: row.date(4)?,
        done_at: row.timestamp(5)?,
    })
}

fn owner(text: Option<&str>) -> Result<ActionOwner> {
    let text = text.unwrap_or_default();
    text.parse().map_err(|_| StoreError::Decode(format!("'{text}' owns no 1:1 action")))
}

fn decode<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Result<T> {
    serde_json::from_str(text.unwrap_or("null")).map_err(|e| StoreError::Decode(e.to_string()))
}

/// Whether the viewer holds 1:1s with `rep`: opens them, writes them, ticks any action off.
pub fn holds(viewer: &Viewer, rep: i64) -> bool {
    access::holds_one_on_ones(viewer.role, viewer.reaches(rep), viewer.rep_id == Some(rep))
}

/// Whether the viewer may tick off (or reopen) an action of a 1:1 with `rep` owned by `owner`.
pub fn may_tick(viewer: &Viewer, rep: i64, owner: ActionOwner) -> bool {
    access::may_tick_one_on_one_action(viewer.role, viewer.reaches(rep), viewer.rep_id == Some(rep), owner)
}

/// Opens a 1:1 with `rep`, held by the viewer, freezing `card` (the rep's scorecard now, for
/// `period`); audited. Unchecked: `ops::coaching` decides who holds a 1:1.
pub(crate) fn open(db: &mut Db, viewer: &Viewer, rep: i64, period: &str, card: &Card) -> Result<i64> {
    let snapshot =
        serde_json::to_string(&Snapshot::of(&card.scorecard)).map_err(|e| StoreError::Decode(e.to_string()))?;
    let scorecard = serde_json::to_string(card).map_err(|e| StoreError::Decode(e.to_string()))?;
    let org = viewer.org;
    let id = crate::orgs::allocate_ids(db, org, "one_on_ones", 1)?;
    db.execute(
        "INSERT INTO one_on_ones (org_id, id, rep_id, held_by, held_at, period, snapshot, scorecard, notes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
        &[
            org.value(),
            Value::Int(id),
            Value::Int(rep),
            Value::Int(viewer.user),
            Value::Timestamp(Utc::now()),
            Value::text(period),
            Value::text(&snapshot),
            Value::text(&scorecard),
        ],
    )?;
    super::audit(
        db,
        viewer,
        "create",
        "one_on_one",
        id,
        None,
        Some(serde_json::json!({ "rep_id": rep, "period": period })),
    )?;
    Ok(id)
}

/// The rep's 1:1s within the viewer's reach, newest first.
pub fn list(db: &mut Db, viewer: &Viewer, rep: i64) -> Result<Vec<Summary>> {
    if !viewer.reaches(rep) {
        return Ok(vec![]);
    }
    db.query_map(
        "SELECT s.id, s.held_at, u.name,
                (SELECT COUNT(*) FROM one_on_one_actions a
                  WHERE a.org_id = s.org_id AND a.one_on_one_id = s.id AND a.done_at IS NULL)
         FROM one_on_ones s JOIN users u ON u.org_id = s.org_id AND u.id = s.held_by
         WHERE s.org_id = ? AND s.rep_id = ? ORDER BY s.held_at DESC, s.id DESC LIMIT 100",
        &[viewer.org.value(), Value::Int(rep)],
        |row| {
            Ok(Summary {
                id: row.int(0)?.unwrap_or_default(),
                held_at: row.timestamp(1)?.unwrap_or_default(),
                held_by: row.text(2)?.unwrap_or_default().to_string(),
                open_actions: row.int(3)?.unwrap_or_default(),
            })
        },
    )
}

/// A 1:1 within the viewer's reach, with its actions, the change since the previous one and the
/// actions of earlier ones still open.
pub fn find(db: &mut Db, viewer: &Viewer, id: i64) -> Result<Option<OneOnOne>> {
    let org = viewer.org;
    let session = db.query_opt(
        "SELECT s.rep_id, u.name, s.held_at, s.period, s.snapshot, s.scorecard, s.notes
         FROM one_on_ones s JOIN users u ON u.org_id = s.org_id AND u.id = s.held_by
         WHERE s.org_id = ? AND s.id = ?",
        &[org.value(), Value::Int(id)],
        |row| {
            Ok(OneOnOne {
                id,
                rep_id: row.int(0)?.unwrap_or_default(),
                held_by: row.text(1)?.unwrap_or_default().to_string(),
                held_at: row.timestamp(2)?.unwrap_or_default(),
                period: row.text(3)?.unwrap_or_default().to_string(),
                snapshot: decode(row.text(4)?)?,
                scorecard: decode(row.text(5)?)?,
                notes: row.text(6)?.unwrap_or_default().to_string(),
                actions: vec![],
                changes: vec![],
                previous_at: None,
                carried_over: vec![],
            })
        },
    )?;
    let Some(mut session) = session.filter(|s| viewer.reaches(s.rep_id)) else { return Ok(None) };
    let rep = Value::Int(session.rep_id);
    let previous = db.query_opt(
        "SELECT held_at, snapshot FROM one_on_ones WHERE org_id = ? AND rep_id = ? AND (held_at < ? OR (held_at = ? AND id < ?))
         ORDER BY held_at DESC, id DESC LIMIT 1",
        &[
            org.value(),
            rep.clone(),
            Value::Timestamp(session.held_at),
            Value::Timestamp(session.held_at),
            Value::Int(id),
        ],
        |row| Ok((row.timestamp(0)?, decode::<Snapshot>(row.text(1)?)?)),
    )?;
    if let Some((at, snapshot)) = previous {
        session.changes = changes(&snapshot, &session.snapshot);
        session.previous_at = at;
    }
    session.actions = db.query_map(
        &format!("SELECT {ACTION_COLUMNS} FROM one_on_one_actions WHERE org_id = ? AND one_on_one_id = ? ORDER BY id"),
        &[org.value(), Value::Int(id)],
        action,
    )?;
    session.carried_over = db.query_map(
        &format!(
            "SELECT {ACTION_COLUMNS} FROM one_on_one_actions WHERE org_id = ? AND rep_id = ? AND one_on_one_id < ?
             AND done_at IS NULL ORDER BY due_on, id"
        ),
        &[org.value(), rep, Value::Int(id)],
        action,
    )?;
    Ok(Some(session))
}

/// The rep of 1:1 `id` (unscoped: the operations decide who may act on it).
pub(crate) fn rep_of(db: &mut Db, org: OrgId, id: i64) -> Result<Option<i64>> {
    db.query_opt("SELECT rep_id FROM one_on_ones WHERE org_id = ? AND id = ?", &[org.value(), Value::Int(id)], |row| {
        Ok(row.int(0)?.unwrap_or_default())
    })
}

/// An action's rep and owner, and whether it is done (unscoped, as [`rep_of`]).
pub(crate) fn action_of(db: &mut Db, org: OrgId, action: i64) -> Result<Option<(i64, ActionOwner, bool)>> {
    db.query_opt(
        "SELECT rep_id, owner, done_at FROM one_on_one_actions WHERE org_id = ? AND id = ?",
        &[org.value(), Value::Int(action)],
        |row| Ok((row.int(0)?.unwrap_or_default(), owner(row.text(1)?)?, row.timestamp(2)?.is_some())),
    )
}

/// Sets the notes of 1:1 `id`; audited. Unchecked, as [`open`].
pub(crate) fn set_notes(db: &mut Db, viewer: &Viewer, id: i64, notes: &str) -> Result<()> {
    let org = viewer.org;
    let before = db.query_opt(
        "SELECT notes FROM one_on_ones WHERE org_id = ? AND id = ?",
        &[org.value(), Value::Int(id)],
        |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
    )?;
    db.execute(
        "UPDATE one_on_ones SET notes = ? WHERE org_id = ? AND id = ?",
        &[Value::text(notes), org.value(), Value::Int(id)],
    )?;
    super::audit(
        db,
        viewer,
        "update",
        "one_on_one",
        id,
        before.map(|n| serde_json::json!({ "notes": n })),
        Some(serde_json::json!({ "notes": notes })),
    )?;
    Ok(())
}

/// Adds an action to 1:1 `id` with `rep`; audited. Unchecked, as [`open`].
pub(crate) fn add_action(db: &mut Db, viewer: &Viewer, id: i64, rep: i64, new: &NewAction) -> Result<i64> {
    let org = viewer.org;
    let action = crate::orgs::allocate_ids(db, org, "one_on_one_actions", 1)?;
    db.execute(
        "INSERT INTO one_on_one_actions (org_id, id, one_on_one_id, rep_id, description, owner, due_on)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[
            org.value(),
            Value::Int(action),
            Value::Int(id),
            Value::Int(rep),
            Value::text(&new.description),
            Value::text(new.owner.key()),
            new.due_on.map(Value::Date).unwrap_or(Value::Null),
        ],
    )?;
    super::audit(
        db,
        viewer,
        "create",
        "one_on_one_action",
        action,
        None,
        Some(serde_json::json!({ "description": new.description, "owner": new.owner, "due_on": new.due_on })),
    )?;
    Ok(action)
}

/// Marks an action done (or open again); audited. Unchecked, as [`open`].
pub(crate) fn set_done(db: &mut Db, viewer: &Viewer, action: i64, was_done: bool, done: bool) -> Result<()> {
    let org = viewer.org;
    let done_at = if done { Value::Timestamp(Utc::now()) } else { Value::Null };
    db.execute(
        "UPDATE one_on_one_actions SET done_at = ? WHERE org_id = ? AND id = ?",
        &[done_at, org.value(), Value::Int(action)],
    )?;
    super::audit(
        db,
        viewer,
        if done { "complete" } else { "reopen" },
        "one_on_one_action",
        action,
        Some(serde_json::json!({ "done": was_done })),
        Some(serde_json::json!({ "done": done })),
    )?;
    Ok(())
}

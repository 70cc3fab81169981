//! The audit history: who changed what and when, with the values before and after.

use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::orgs::{self, OrgId};
use chrono::{DateTime, Utc};

/// A change to record. `user` is `None` for changes made from the command line.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub user: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Records a change; call it in the transaction that makes the change.
pub fn record(db: &mut Db, org: OrgId, change: Change) -> Result<i64> {
    let json = |value: Option<serde_json::Value>| value.map(|v| Value::owned(v.to_string())).unwrap_or(Value::Null);
    let id = orgs::insert_with_new_id(
        db,
        org,
        "audit_log",
        "INSERT INTO audit_log (org_id, id, at, user_id, action, entity, entity_id, before_json, after_json)
         SELECT ?, allocated.id, ?, ?, ?, ?, ?, ?, ? FROM allocated RETURNING id",
        vec![
            org.value(),
            Value::Timestamp(Utc::now()),
            Value::opt_int(change.user),
            Value::text(change.action),
            Value::text(change.entity),
            Value::opt_int(change.entity_id),
            json(change.before),
            json(change.after),
        ],
    )?;
    id.ok_or_else(|| StoreError::Decode("the audit entry was not written".into()))
}

/// The history of one row, oldest first.
pub fn history(db: &mut Db, org: OrgId, entity: &str, entity_id: i64) -> Result<Vec<Entry>> {
    db.query_map(
        "SELECT id, at, user_id, action, entity, entity_id, before_json, after_json FROM audit_log
         WHERE org_id = ? AND entity = ? AND entity_id = ? ORDER BY id",
        &[org.value(), Value::text(entity), Value::Int(entity_id)],
        entry,
    )
}

/// The latest `limit` changes of every row of an entity, latest first.
pub fn latest(db: &mut Db, org: OrgId, entity: &str, limit: i64) -> Result<Vec<Entry>> {
    db.query_map(
        "SELECT id, at, user_id, action, entity, entity_id, before_json, after_json FROM audit_log
         WHERE org_id = ? AND entity = ? ORDER BY id DESC LIMIT ?",
        &[org.value(), Value::text(entity), Value::Int(limit)],
        entry,
    )
}

fn entry(row: &crate::db::Row<'_>) -> Result<Entry> {
    let json = |index| -> Result<Option<serde_json::Value>> {
        row.text(index)?.map(|t| serde_json::from_str(t).map_err(|e| StoreError::Decode(e.to_string()))).transpose()
    };
    Ok(Entry {
        id: row.int(0)?.unwrap_or_default(),
        at: row.timestamp(1)?.unwrap_or_default(),
        user: row.int(2)?,
        action: row.text(3)?.unwrap_or_default().to_string(),
        entity: row.text(4)?.unwrap_or_default().to_string(),
        entity_id: row.int(5)?,
        before: json(6)?,
        after: json(7)?,
    })
}

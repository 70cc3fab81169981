//! Writes common to every kind of organisation record: soft deletion and restoring, audited, with
//! their rollup deltas. Unscoped: the operations check the caller's reach first.

use crate::audit::{self, Change};
use crate::bundle::spec::FILES;
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::kpi::latest::{self, Latest, Opportunities};
use crate::orgs::OrgId;
use chrono::Utc;

/// The bundle tables, the only ones these operations accept (so a table name is never input).
fn known_table(table: &str) -> Result<&'static str> {
    FILES
        .iter()
        .map(|spec| spec.table)
        .find(|t| *t == table)
        .ok_or_else(|| StoreError::NotFound(format!("'{table}' is not a kind of record")))
}

/// Marks a record deleted; it stays in the database and can be restored. Returns `false` when there
/// is no such record or it was already deleted.
pub(crate) fn soft_delete(db: &mut Db, org: OrgId, table: &str, id: i64, user: Option<i64>) -> Result<bool> {
    set_deleted(db, org, table, id, user, true)
}

/// Restores a soft-deleted record. Returns `false` when there is no such deleted record.
pub(crate) fn restore(db: &mut Db, org: OrgId, table: &str, id: i64, user: Option<i64>) -> Result<bool> {
    set_deleted(db, org, table, id, user, false)
}

fn set_deleted(db: &mut Db, org: OrgId, table: &str, id: i64, user: Option<i64>, delete: bool) -> Result<bool> {
    let table = known_table(table)?;
    let fact = crate::kpi::Fact::of_table(table, id);
    db.transaction(|db| match fact {
        Some(fact) => crate::kpi::with_delta(db, org, &[fact], |db| mark_deleted(db, org, table, id, user, delete)),
        // A stage change deleted or restored moves its opportunity's last stage change.
        None if table == "stage_changes" => {
            let changed = mark_deleted(db, org, table, id, user, delete)?;
            let opportunity = db.query_opt(
                "SELECT opportunity_id FROM stage_changes WHERE org_id = ? AND id = ?",
                &[org.value(), Value::Int(id)],
                |row| row.int(0),
            )?;
            latest::refresh(db, org, &[Latest::StageChange], Opportunities::These(opportunity.flatten().as_slice()))?;
            Ok(changed)
        }
        None => mark_deleted(db, org, table, id, user, delete),
    })
}

fn mark_deleted(db: &mut Db, org: OrgId, table: &str, id: i64, user: Option<i64>, delete: bool) -> Result<bool> {
    {
        let now = Utc::now();
        let (sql, action) = if delete {
            (format!("UPDATE {table} SET deleted_at = ? WHERE org_id = ? AND id = ? AND deleted_at IS NULL"), "delete")
        } else {
            (
                format!("UPDATE {table} SET deleted_at = NULL WHERE org_id = ? AND id = ? AND deleted_at IS NOT NULL"),
                "restore",
            )
        };
        let params: Vec<Value> = if delete {
            vec![Value::Timestamp(now), org.value(), Value::Int(id)]
        } else {
            vec![org.value(), Value::Int(id)]
        };
        if db.execute(&sql, &params)? == 0 {
            return Ok(false);
        }
        let stamp = serde_json::json!({ "deleted_at": now.to_rfc3339() });
        let cleared = serde_json::json!({ "deleted_at": null });
        let (before, after) = if delete { (cleared, stamp) } else { (stamp, cleared) };
        audit::record(
            db,
            org,
            Change { user, action, entity: table, entity_id: Some(id), before: Some(before), after: Some(after) },
        )?;
        Ok(true)
    }
}

//! Writes to the CRM records one at a time, each in its own transaction with its audit entry and
//! its KPI rollup delta.

pub mod activities;
pub mod browse;
pub(crate) mod editing;
pub(crate) mod feedback;
pub mod forms;
pub mod leads;
pub mod opportunities;
pub mod pipeline;
pub mod pipeline_config;
pub mod values;

use crate::db::{Db, Row, Value};
use crate::error::Result;
use crate::orgs::{self, OrgId};

/// A new record's id, and its external id: the id for records created here rather than imported.
fn new_ids(db: &mut Db, org: OrgId, table: &str) -> Result<(i64, String)> {
    let id = orgs::allocate_ids(db, org, table, 1)?;
    Ok((id, format!("quotient-{id}")))
}

/// `columns` of one row as a JSON object, for the audit history.
fn row_json(db: &mut Db, org: OrgId, table: &str, columns: &[&str], id: i64) -> Result<Option<serde_json::Value>> {
    let sql = format!("SELECT {} FROM {table} WHERE org_id = ? AND id = ?", columns.join(", "));
    db.query_opt(&sql, &[org.value(), Value::Int(id)], |row| json_object(row, columns))
}

/// Runs `write`, an `INSERT` or `UPDATE` of one row, and gives that row's `columns` as they are
/// after it, as [`row_json`] would (`None` when no row was written): one statement where a write
/// and a read would be two round trips.
fn write_returning(db: &mut Db, write: &str, params: &[Value], columns: &[&str]) -> Result<Option<serde_json::Value>> {
    let sql = format!("{write} RETURNING {}", columns.join(", "));
    db.query_opt(&sql, params, |row| json_object(row, columns))
}

fn json_object(row: &Row, columns: &[&str]) -> Result<serde_json::Value> {
    let mut object = serde_json::Map::new();
    for (i, column) in columns.iter().enumerate() {
        object.insert((*column).to_string(), row.json(i)?);
    }
    Ok(serde_json::Value::Object(object))
}

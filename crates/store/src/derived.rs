//! Columns derived from other rows and kept on a row, so that a read need not look them up: an
//! opportunity's latest activity and stage change (`kpi::latest`), a satisfaction score's account
//! owner (`kpi::score_owners`). The writes that move one set it on the rows they touch; the rollup
//! rebuild sets it on every row where it differs.

use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;

/// The tables with derived columns, which the rollup rebuild sets on every row where they differ
/// (every row, after an import into the empty tables).
pub(crate) const TABLES: &[&str] = &["opportunities", "feedback"];

/// A derived column: `table.column` is `source`, an expression of the row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Derived {
    pub table: &'static str,
    pub column: &'static str,
    pub source: &'static str,
}

/// Which rows to set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows<'a> {
    /// Those whose key column (named first) holds one of the ids.
    Where(&'static str, &'a [i64]),
    /// Every row of the organisation whose value is not what its source says.
    Differing,
}

/// Sets each of `derived` (columns of one table) on `rows` of the organisation, in one statement:
/// a row is written once whichever of them changes. Only the rows where one changes are written:
/// an account edited without a new owner rewrites none of its scores, a rebuild of an
/// organisation in use none of its rows.
pub(crate) fn set(db: &mut Db, org: OrgId, derived: &[Derived], rows: Rows<'_>) -> Result<()> {
    let Some(table) = derived.first().map(|d| d.table) else { return Ok(()) };
    if matches!(rows, Rows::Where(_, [])) {
        return Ok(());
    }
    debug_assert!(derived.iter().all(|d| d.table == table), "derived columns of several tables");
    let assignments: Vec<String> = derived.iter().map(|d| format!("{} = {}", d.column, d.source)).collect();
    let changes: Vec<String> = derived.iter().map(|d| format!("{} IS DISTINCT FROM {}", d.column, d.source)).collect();
    let changes = changes.join(" OR ");
    let mut params = vec![org.value()];
    let filter = match rows {
        Rows::Where(key, ids) => {
            params.extend(ids.iter().map(|&id| Value::Int(id)));
            format!("{key} IN ({}) AND ({changes})", vec!["?"; ids.len()].join(", "))
        }
        Rows::Differing => format!("({changes})"),
    };
    let assignments = assignments.join(", ");
    db.execute(&format!("UPDATE {table} SET {assignments} WHERE org_id = ? AND {filter}"), &params)?;
    Ok(())
}

//! Columns derived from other rows and kept on a row, so that a read need not look them up: an
//! opportunity's latest activity and stage change (`kpi::latest`), a satisfaction score's account
//! owner (`kpi::score_owners`). The writes that move one set it on the rows they touch; the rollup
//! rebuild sets it on every row where it differs.

use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;

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

/// Sets `derived` on `rows` of the organisation. Only the rows whose value changes are written: an
/// account edited without a new owner rewrites none of its scores, a rebuild of an organisation in
/// use none of its rows.
pub(crate) fn set(db: &mut Db, org: OrgId, derived: Derived, rows: Rows<'_>) -> Result<()> {
    let Derived { table, column, source } = derived;
    let mut params = vec![org.value()];
    let filter = match rows {
        Rows::Where(_, []) => return Ok(()),
        Rows::Where(key, ids) => {
            params.extend(ids.iter().map(|&id| Value::Int(id)));
            format!("{key} IN ({}) AND {column} IS DISTINCT FROM {source}", vec!["?"; ids.len()].join(", "))
        }
        Rows::Differing => format!("{column} IS DISTINCT FROM {source}"),
    };
    db.execute(&format!("UPDATE {table} SET {column} = {source} WHERE org_id = ? AND {filter}"), &params)?;
    Ok(())
}

//! A value kept per organisation, period and day with the two revisions it was computed at: the
//! pipeline's and one other, named by the table that keeps it. A kept row is read back only at the
//! revisions it was kept at; writing a day's row drops the rows of other days (a day is not asked
//! again once it has passed).

use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::Period;

/// Where a kind of value is kept: its table and the column of its second revision, which is also
/// the column of `organisations` that holds that revision now.
#[derive(Debug, Clone, Copy)]
pub(super) struct Kept {
    pub table: &'static str,
    pub second_revision: &'static str,
}

impl Kept {
    /// The organisation's pipeline revision and second revision now. Read before the data a value
    /// is computed from, so a write between the two leaves the value marked older than it is,
    /// never newer.
    pub fn revisions(self, db: &mut Db, org: OrgId) -> Result<(i64, i64)> {
        db.query_opt(
            &format!("SELECT pipeline_revision, {} FROM organisations WHERE org_id = ?", self.second_revision),
            &[org.value()],
            |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default())),
        )?
        .ok_or_else(|| StoreError::NotFound(format!("organisation {}", org.0)))
    }

    /// The kept text, when it was kept at the revisions `at`.
    pub fn read(
        self,
        db: &mut Db,
        org: OrgId,
        period: Period,
        as_of: NaiveDate,
        at: (i64, i64),
    ) -> Result<Option<String>> {
        db.query_opt(
            &format!(
                "SELECT by_rep FROM {} WHERE org_id = ? AND period = ? AND as_of = ? AND pipeline_revision = ? AND {} = ?",
                self.table, self.second_revision
            ),
            &[org.value(), Value::owned(period.to_string()), Value::Date(as_of), Value::Int(at.0), Value::Int(at.1)],
            |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
        )
    }

    /// Keeps `text` computed at `at` in place of the period's value of any day, and drops the
    /// values of other days. In a transaction.
    pub fn write(
        self,
        db: &mut Db,
        org: OrgId,
        period: Period,
        as_of: NaiveDate,
        at: (i64, i64),
        text: String,
    ) -> Result<()> {
        let (table, second) = (self.table, self.second_revision);
        db.execute(
            &format!("DELETE FROM {table} WHERE org_id = ? AND as_of <> ?"),
            &[org.value(), Value::Date(as_of)],
        )?;
        db.execute(
            &format!(
                "INSERT INTO {table} (org_id, period, as_of, pipeline_revision, {second}, by_rep)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (org_id, period, as_of) DO UPDATE SET pipeline_revision = excluded.pipeline_revision,
                     {second} = excluded.{second}, by_rep = excluded.by_rep"
            ),
            &[
                org.value(),
                Value::owned(period.to_string()),
                Value::Date(as_of),
                Value::Int(at.0),
                Value::Int(at.1),
                Value::owned(text),
            ],
        )?;
        Ok(())
    }
}

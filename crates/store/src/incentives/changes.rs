//! The day a deal changed, for `clawback_days`: read only for the few deals whose credit moved
//! after a lock. An edit in Quotient is in the audit log with the values before and after; a deal
//! lost or reopened by an import carries the day in its own row (a lost deal's `closed_at`) or in
//! its stage history. A bundle import (and so a CRM import) records, once a statement is locked,
//! the change of each won deal's credit it brings in the audit log, on the import's day. What none
//! of them dates changed, as far as Quotient knows, on the day the statement is computed.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// The audit image's columns that move a deal's credit.
const CREDIT_COLUMNS: &[&str] =
    &["owner_id", "product_line_id", "amount_cents", "margin_cents", "closed_at", "status", "deleted_at"];

/// The columns of an imported deal that move its credit. A deal an import deletes (one the CRM no
/// longer has) is dated by its `deleted_at`, read with the deal, and by that removal's audit entry.
const IMPORTED_CREDIT_COLUMNS: &[&str] =
    &["owner_id", "product_line_id", "amount_cents", "margin_cents", "closed_at", "status"];

/// Bound ids per query.
const CHUNK: usize = 500;

/// The last day each of `deals` changed in a way that moves its credit, `today` when nothing
/// dates it.
pub fn change_days(db: &mut Db, org: OrgId, deals: &HashSet<i64>, today: NaiveDate) -> Result<HashMap<i64, NaiveDate>> {
    let mut ids: Vec<i64> = deals.iter().copied().collect();
    ids.sort_unstable();
    let mut found: HashMap<i64, NaiveDate> = HashMap::new();
    let later = |found: &mut HashMap<i64, NaiveDate>, deal: i64, day: NaiveDate| {
        let entry = found.entry(deal).or_insert(day);
        *entry = (*entry).max(day);
    };
    for chunk in ids.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let params = |first: Vec<Value<'static>>| -> Vec<Value<'static>> {
            first.into_iter().chain(chunk.iter().map(|id| Value::Int(*id))).collect()
        };
        db.query_each(
            &format!(
                "SELECT entity_id, at, before_json, after_json FROM audit_log
                 WHERE org_id = ? AND entity = 'opportunities' AND entity_id IN ({marks})"
            ),
            &params(vec![org.value()]),
            |row| {
                let (Some(deal), Some(at)) = (row.int(0)?, row.timestamp(1)?) else { return Ok(()) };
                let image = |index| row.text(index).ok().flatten().and_then(|t| serde_json::from_str(t).ok());
                let (before, after): (Option<serde_json::Value>, Option<serde_json::Value>) = (image(2), image(3));
                // A creation is not a change; a removal is.
                let moved = match (&before, &after) {
                    (Some(before), Some(after)) => CREDIT_COLUMNS.iter().any(|c| before.get(c) != after.get(c)),
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if moved {
                    later(&mut found, deal, at.date_naive());
                }
                Ok(())
            },
        )?;
        db.query_each(
            &format!(
                "SELECT o.id, o.status, o.closed_at, o.deleted_at,
                        (SELECT MAX(s.changed_at) FROM stage_changes s WHERE s.org_id = o.org_id AND s.opportunity_id = o.id
                             AND s.deleted_at IS NULL)
                 FROM opportunities o WHERE o.org_id = ? AND o.id IN ({marks})"
            ),
            &params(vec![org.value()]),
            |row| {
                let Some(deal) = row.int(0)? else { return Ok(()) };
                let day = match row.text(1)? {
                    Some("lost") => row.timestamp(2)?,
                    Some("open") => row.timestamp(4)?,
                    _ => None,
                };
                for day in [day, row.timestamp(3)?].into_iter().flatten() {
                    later(&mut found, deal, day.date_naive());
                }
                Ok(())
            },
        )?;
    }
    for deal in ids {
        found.entry(deal).or_insert(today);
    }
    Ok(found)
}

/// Records, before the staged opportunities of an import (`stage`) are merged, the change each
/// brings to a deal of `org` won before or after it in a column that moves credit: an audit entry
/// of the import's day (`action` `import`) with those columns before and after, so that
/// `clawback_days` counts from the import rather than from the day a statement is computed. Only
/// once the organisation has a locked statement (a change before any lock adjusts nothing).
/// Returns the number of deals recorded.
pub fn record_import_changes(db: &mut Db, org: OrgId, stage: &str) -> Result<u64> {
    let locked = db.query_i64(
        "SELECT COUNT(*) FROM (SELECT 1 FROM statements WHERE org_id = ? AND state = 'locked' LIMIT 1) t",
        &[org.value()],
    )?;
    if locked == 0 {
        return Ok(0);
    }
    let pairs: Vec<String> = IMPORTED_CREDIT_COLUMNS.iter().map(|c| format!("o.{c}, s.{c}")).collect();
    let differs: Vec<String> =
        IMPORTED_CREDIT_COLUMNS.iter().map(|c| format!("o.{c} IS DISTINCT FROM s.{c}")).collect();
    let mut changes: Vec<(i64, serde_json::Value, serde_json::Value)> = Vec::new();
    db.query_each(
        &format!(
            "SELECT o.id, {} FROM {stage} s JOIN opportunities o ON o.org_id = ? AND o.external_id = s.external_id
             WHERE (o.status = 'won' OR s.status = 'won') AND ({}) ORDER BY o.id",
            pairs.join(", "),
            differs.join(" OR ")
        ),
        &[org.value()],
        |row| {
            let Some(deal) = row.int(0)? else { return Ok(()) };
            let (mut before, mut after) = (serde_json::Map::new(), serde_json::Map::new());
            for (index, column) in IMPORTED_CREDIT_COLUMNS.iter().enumerate() {
                let value = |at: usize| -> Result<serde_json::Value> {
                    Ok(match *column {
                        "closed_at" => row.timestamp(at)?.map(|t| t.to_rfc3339()).into(),
                        "status" => row.text(at)?.map(str::to_string).into(),
                        _ => row.int(at)?.into(),
                    })
                };
                let (then, now) = (value(1 + 2 * index)?, value(2 + 2 * index)?);
                if then != now {
                    before.insert(column.to_string(), then);
                    after.insert(column.to_string(), now);
                }
            }
            if !before.is_empty() {
                changes.push((deal, before.into(), after.into()));
            }
            Ok(())
        },
    )?;
    let recorded = changes.len() as u64;
    for (deal, before, after) in changes {
        let change = Change {
            user: None,
            action: "import",
            entity: "opportunities",
            entity_id: Some(deal),
            before: Some(before),
            after: Some(after),
        };
        audit::record(db, org, change)?;
    }
    Ok(recorded)
}

//! The deals a forecast counts: the open pipeline with each deal's category, and the deals won in
//! a period.

use super::categories::stage_categories;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::queries::midnight;
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::Period;
use quotient_core::forecast::{Category, CategoryTotals, SnapshotLine, category_of};
use quotient_core::model::StageOutcome;
use std::collections::HashMap;

/// The most ids bound in one statement; longer lists are read in several.
const CHUNK: usize = 500;

/// The ids (owners, subjects, deals) a read is limited to, in chunks of at most [`CHUNK`]: one
/// read of everything for none.
pub(crate) fn id_chunks(ids: Option<&[i64]>) -> Vec<Option<&[i64]>> {
    match ids {
        None => vec![None],
        Some(ids) => ids.chunks(CHUNK).map(Some).collect(),
    }
}

/// ` AND column IN (…)` for a chunk of ids, added to `params`; nothing for none.
pub(crate) fn ids_in(column: &str, ids: Option<&[i64]>, params: &mut Vec<Value<'static>>) -> String {
    match ids {
        None => String::new(),
        Some(ids) => {
            params.extend(ids.iter().map(|&id| Value::Int(id)));
            format!(" AND {column} IN ({})", vec!["?"; ids.len()].join(", "))
        }
    }
}

/// Every open deal now of `owners` (everyone for none), with its category, by owner then id.
pub fn open_pipeline(db: &mut Db, org: OrgId, owners: Option<&[i64]>) -> Result<Vec<SnapshotLine>> {
    let stages = stage_categories(db, org)?;
    let mut lines = Vec::new();
    for chunk in id_chunks(owners) {
        let mut params = vec![org.value()];
        let owners = ids_in("o.owner_id", chunk, &mut params);
        db.query_each(
            &format!(
                "SELECT o.id, o.owner_id, o.amount_cents, o.stage, o.expected_close_on, f.category
                 FROM opportunities o LEFT JOIN forecast_overrides f ON f.org_id = o.org_id AND f.opportunity_id = o.id
                 WHERE o.org_id = ? AND o.status = 'open' AND o.deleted_at IS NULL{owners} ORDER BY o.owner_id, o.id"
            ),
            &params,
            |row| {
                let stage = row.text(3)?.unwrap_or_default().to_string();
                let default = stages.get(&stage).and_then(|s| s.default);
                let overridden = row.text(5)?.and_then(|c| c.parse::<Category>().ok());
                lines.push(SnapshotLine {
                    opportunity: row.int(0)?.unwrap_or_default(),
                    owner: row.int(1)?.unwrap_or_default(),
                    amount_cents: row.int(2)?.unwrap_or_default(),
                    category: category_of(StageOutcome::Open, default, overridden),
                    stage,
                    expected_close: row.date(4)?,
                });
                Ok(())
            },
        )?;
    }
    // Chunks of owners in order give the lines in order.
    Ok(lines)
}

/// The open deals a period's forecast counts, of `owners` (everyone for none), summed by owner and
/// category: those expected to close within the period — or before it, when the period is under
/// way on `today` (a deal past its date is still to close now).
pub fn open_totals(
    db: &mut Db,
    org: OrgId,
    period: Period,
    today: NaiveDate,
    owners: Option<&[i64]>,
) -> Result<HashMap<i64, CategoryTotals>> {
    let stages = stage_categories(db, org)?;
    let mut totals: HashMap<i64, CategoryTotals> = HashMap::new();
    for chunk in id_chunks(owners) {
        let mut params = vec![org.value(), Value::Date(period.end())];
        // Overdue deals count while the period runs: then only the end bounds the read.
        let from = if period.contains(today) {
            ""
        } else {
            params.push(Value::Date(period.start()));
            " AND o.expected_close_on >= ?"
        };
        let owners = ids_in("o.owner_id", chunk, &mut params);
        db.query_each(
            &format!(
                "SELECT o.owner_id, o.amount_cents, o.stage, f.category
                 FROM opportunities o LEFT JOIN forecast_overrides f ON f.org_id = o.org_id AND f.opportunity_id = o.id
                 WHERE o.org_id = ? AND o.status = 'open' AND o.deleted_at IS NULL
                   AND o.expected_close_on < ?{from}{owners}"
            ),
            &params,
            |row| {
                let default = stages.get(row.text(2)?.unwrap_or_default()).and_then(|s| s.default);
                let overridden = row.text(3)?.and_then(|c| c.parse::<Category>().ok());
                let category = category_of(StageOutcome::Open, default, overridden);
                totals
                    .entry(row.int(0)?.unwrap_or_default())
                    .or_default()
                    .add(category, row.int(1)?.unwrap_or_default());
                Ok(())
            },
        )?;
    }
    Ok(totals)
}

/// The amount each owner of `owners` (everyone for none) won in `period` (closed within it), as
/// (owner, cents).
pub fn won_in(db: &mut Db, org: OrgId, period: Period, owners: Option<&[i64]>) -> Result<Vec<(i64, i64)>> {
    let mut won = Vec::new();
    for chunk in id_chunks(owners) {
        let mut params =
            vec![org.value(), Value::Timestamp(midnight(period.start())), Value::Timestamp(midnight(period.end()))];
        let owners = ids_in("owner_id", chunk, &mut params);
        won.extend(db.query_map(
            &format!(
                "SELECT owner_id, CAST(SUM(amount_cents) AS BIGINT) FROM opportunities
                 WHERE org_id = ? AND status = 'won' AND deleted_at IS NULL AND closed_at >= ? AND closed_at < ?{owners}
                 GROUP BY owner_id"
            ),
            &params,
            |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default())),
        )?);
    }
    Ok(won)
}

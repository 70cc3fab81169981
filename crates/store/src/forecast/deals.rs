//! The deals a forecast counts: the open pipeline with each deal's category, and the deals won in
//! a period.

use super::categories::stage_categories;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::queries::midnight;
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::Period;
use quotient_core::forecast::{Category, SnapshotLine, category_of};
use quotient_core::model::StageOutcome;

/// Every open deal of the organisation now, with its category, by owner then id.
pub fn open_pipeline(db: &mut Db, org: OrgId) -> Result<Vec<SnapshotLine>> {
    let stages = stage_categories(db, org)?;
    let rows = db.query_map(
        "SELECT o.id, o.owner_id, o.amount_cents, o.stage, o.expected_close_on, f.category
         FROM opportunities o LEFT JOIN forecast_overrides f ON f.org_id = o.org_id AND f.opportunity_id = o.id
         WHERE o.org_id = ? AND o.status = 'open' AND o.deleted_at IS NULL ORDER BY o.owner_id, o.id",
        &[org.value()],
        |row| {
            Ok((
                row.int(0)?.unwrap_or_default(),
                row.int(1)?.unwrap_or_default(),
                row.int(2)?.unwrap_or_default(),
                row.text(3)?.unwrap_or_default().to_string(),
                row.date(4)?,
                row.text(5)?.and_then(|c| c.parse::<Category>().ok()),
            ))
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|(opportunity, owner, amount_cents, stage, expected_close, overridden)| {
            let default = stages.get(&stage).and_then(|s| s.default);
            SnapshotLine {
                opportunity,
                owner,
                amount_cents,
                category: category_of(StageOutcome::Open, default, overridden),
                stage,
                expected_close,
            }
        })
        .collect())
}

/// The open deals a period's forecast counts: expected to close within it — or before it, when
/// the period is under way on `today` (a deal past its date is still to close now).
pub fn open_in(pipeline: &[SnapshotLine], period: Period, today: NaiveDate) -> impl Iterator<Item = &SnapshotLine> {
    let overdue_counts = period.contains(today);
    pipeline.iter().filter(move |line| {
        line.expected_close.is_some_and(|close| close < period.end() && (close >= period.start() || overdue_counts))
    })
}

/// The amount each owner won in `period` (closed within it), as (owner, cents).
pub fn won_in(db: &mut Db, org: OrgId, period: Period) -> Result<Vec<(i64, i64)>> {
    db.query_map(
        "SELECT owner_id, CAST(SUM(amount_cents) AS BIGINT) FROM opportunities
         WHERE org_id = ? AND status = 'won' AND deleted_at IS NULL AND closed_at >= ? AND closed_at < ?
         GROUP BY owner_id",
        &[org.value(), Value::Timestamp(midnight(period.start())), Value::Timestamp(midnight(period.end()))],
        |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default())),
    )
}

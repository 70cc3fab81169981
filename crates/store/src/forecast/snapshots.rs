//! Weekly snapshots of the open pipeline: a row per week taken (keyed by its ISO week, so a week is
//! never taken twice, even by two requests at once) and a compact row per open deal.

use super::deals::open_pipeline;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use quotient_core::forecast::{Category, SnapshotLine};
use std::collections::HashMap;

/// A week as the snapshots key it: ISO year × 100 + ISO week (202701 for 2027-W01).
pub fn week_key(day: NaiveDate) -> i64 {
    let week = day.iso_week();
    i64::from(week.year()) * 100 + i64::from(week.week())
}

/// The week key as text: `2027-W01`.
pub fn week_text(key: i64) -> String {
    format!("{:04}-W{:02}", key / 100, key % 100)
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn close_day(date: Option<NaiveDate>) -> Value<'static> {
    Value::opt_int(date.map(|d| (d - epoch()).num_days()))
}

fn close_date(day: Option<i64>) -> Option<NaiveDate> {
    day.map(|d| epoch() + chrono::Duration::days(d))
}

/// The latest week taken, if any.
pub fn last_week(db: &mut Db, org: OrgId) -> Result<Option<i64>> {
    Ok(db
        .query_opt("SELECT MAX(week) FROM forecast_snapshots WHERE org_id = ?", &[org.value()], |row| row.int(0))?
        .flatten())
}

/// Takes the snapshot of `week` from the open pipeline now, unless that week was taken already:
/// the number of deals written, none when it was. In a transaction: the week's row is claimed
/// first, so a second request of the same week waits for it and then finds it taken.
pub(crate) fn take(db: &mut Db, org: OrgId, week: i64, at: DateTime<Utc>) -> Result<Option<u64>> {
    // The week's row is claimed before the pipeline is read: a second request of the same week
    // waits on it, then finds the week taken and reads nothing.
    let claimed = db.execute(
        "INSERT INTO forecast_snapshots (org_id, week, taken_at, deals) VALUES (?, ?, ?, 0)
         ON CONFLICT (org_id, week) DO NOTHING",
        &[org.value(), Value::Int(week), Value::Timestamp(at)],
    )?;
    if claimed == 0 {
        return Ok(None);
    }
    let pipeline = open_pipeline(db, org, None)?;
    write_deals(db, org, week, &pipeline)?;
    let deals = pipeline.len() as u64;
    db.execute(
        "UPDATE forecast_snapshots SET deals = ? WHERE org_id = ? AND week = ?",
        &[Value::Int(deals as i64), org.value(), Value::Int(week)],
    )?;
    Ok(Some(deals))
}

/// Writes a week's deals. In a transaction.
fn write_deals(db: &mut Db, org: OrgId, week: i64, lines: &[SnapshotLine]) -> Result<()> {
    let mut loader = db.loader(
        "forecast_snapshot_deals",
        &["org_id", "week", "opportunity_id", "owner_id", "amount_cents", "stage", "category", "close_day"],
        false,
    )?;
    for line in lines {
        loader.push(&[
            org.value(),
            Value::Int(week),
            Value::Int(line.opportunity),
            Value::Int(line.owner),
            Value::Int(line.amount_cents),
            Value::text(&line.stage),
            Value::text(line.category.key()),
            close_day(line.expected_close),
        ])?;
    }
    loader.finish()?;
    Ok(())
}

/// The latest week taken before `week`, if any.
pub fn week_before(db: &mut Db, org: OrgId, week: i64) -> Result<Option<i64>> {
    Ok(db
        .query_opt(
            "SELECT MAX(week) FROM forecast_snapshots WHERE org_id = ? AND week < ?",
            &[org.value(), Value::Int(week)],
            |row| row.int(0),
        )?
        .flatten())
}

/// The deals of a week's snapshot owned then by `owners` (everyone for none), by owner then id.
pub fn deals_of(db: &mut Db, org: OrgId, week: i64, owners: Option<&[i64]>) -> Result<Vec<SnapshotLine>> {
    let mut lines = Vec::new();
    for chunk in super::deals::id_chunks(owners) {
        let mut params = vec![org.value(), Value::Int(week)];
        let owners = super::deals::ids_in("owner_id", chunk, &mut params);
        lines.extend(db.query_map(
            &format!(
                "SELECT opportunity_id, owner_id, amount_cents, stage, category, close_day FROM forecast_snapshot_deals
                 WHERE org_id = ? AND week = ?{owners} ORDER BY owner_id, opportunity_id"
            ),
            &params,
            |row| {
                Ok(SnapshotLine {
                    opportunity: row.int(0)?.unwrap_or_default(),
                    owner: row.int(1)?.unwrap_or_default(),
                    amount_cents: row.int(2)?.unwrap_or_default(),
                    stage: row.text(3)?.unwrap_or_default().to_string(),
                    category: row.text(4)?.and_then(|c| c.parse().ok()).unwrap_or(Category::Pipeline),
                    expected_close: close_date(row.int(5)?),
                })
            },
        )?);
    }
    Ok(lines)
}

/// The close dates of `deals` over every snapshot, oldest first. Sought week by week through the
/// snapshots' key, so no index beyond it is kept.
pub fn close_history(db: &mut Db, org: OrgId, deals: &[i64]) -> Result<HashMap<i64, Vec<Option<NaiveDate>>>> {
    let mut history: HashMap<i64, Vec<Option<NaiveDate>>> = HashMap::new();
    if deals.is_empty() {
        return Ok(history);
    }
    let weeks =
        db.query_map("SELECT week FROM forecast_snapshots WHERE org_id = ? ORDER BY week", &[org.value()], |row| {
            Ok(row.int(0)?.unwrap_or_default())
        })?;
    for week in weeks {
        for chunk in deals.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut params = vec![org.value(), Value::Int(week)];
            params.extend(chunk.iter().map(|&d| Value::Int(d)));
            db.query_each(
                &format!(
                    "SELECT opportunity_id, close_day FROM forecast_snapshot_deals
                     WHERE org_id = ? AND week = ? AND opportunity_id IN ({marks})"
                ),
                &params,
                |row| {
                    history.entry(row.int(0)?.unwrap_or_default()).or_default().push(close_date(row.int(1)?));
                    Ok(())
                },
            )?;
        }
    }
    Ok(history)
}

/// The open pipeline as it stood at the start of `day`: the deals created before it and not
/// closed by then, each at the stage its last stage change before the day set (its current stage
/// when it has none and is open still, else the first open stage), in the stage's default
/// category. What a snapshot of a past week would have held, for the demo's history.
pub fn pipeline_as_of(db: &mut Db, org: OrgId, day: NaiveDate) -> Result<Vec<SnapshotLine>> {
    let stages = super::categories::stage_categories(db, org)?;
    let first_open = db.query_opt(
        "SELECT key FROM stages WHERE org_id = ? AND outcome = 'open' ORDER BY position LIMIT 1",
        &[org.value()],
        |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
    )?;
    let cutoff = Value::Timestamp(crate::kpi::queries::midnight(day));
    let rows = db.query_map(
        "SELECT o.id, o.owner_id, o.amount_cents, o.expected_close_on,
                COALESCE((SELECT c.stage FROM stage_changes c
                          WHERE c.org_id = o.org_id AND c.opportunity_id = o.id AND c.changed_at < ? AND c.deleted_at IS NULL
                          ORDER BY c.changed_at DESC LIMIT 1), o.stage)
         FROM opportunities o
         WHERE o.org_id = ? AND o.deleted_at IS NULL AND o.created_at < ? AND (o.status = 'open' OR o.closed_at >= ?)
         ORDER BY o.owner_id, o.id",
        &[cutoff.clone(), org.value(), cutoff.clone(), cutoff],
        |row| {
            Ok((
                row.int(0)?.unwrap_or_default(),
                row.int(1)?.unwrap_or_default(),
                row.int(2)?.unwrap_or_default(),
                row.date(3)?,
                row.text(4)?.unwrap_or_default().to_string(),
            ))
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|(opportunity, owner, amount_cents, expected_close, stage)| {
            let open = stages.get(&stage).filter(|s| s.outcome == quotient_core::model::StageOutcome::Open);
            let stage = if open.is_some() { stage } else { first_open.clone().unwrap_or(stage) };
            let default = stages.get(&stage).and_then(|s| s.default);
            SnapshotLine {
                opportunity,
                owner,
                amount_cents,
                category: quotient_core::forecast::category_of(quotient_core::model::StageOutcome::Open, default, None),
                stage,
                expected_close,
            }
        })
        .collect())
}

/// Writes a past week's snapshot from `lines`, unless the week is taken. In a transaction.
pub(crate) fn write_week(
    db: &mut Db,
    org: OrgId,
    week: i64,
    at: DateTime<Utc>,
    lines: &[SnapshotLine],
) -> Result<bool> {
    let claimed = db.execute(
        "INSERT INTO forecast_snapshots (org_id, week, taken_at, deals) VALUES (?, ?, ?, ?)
         ON CONFLICT (org_id, week) DO NOTHING",
        &[org.value(), Value::Int(week), Value::Timestamp(at), Value::Int(lines.len() as i64)],
    )?;
    if claimed == 0 {
        return Ok(false);
    }
    write_deals(db, org, week, lines)?;
    Ok(true)
}

//! The pipeline as people work it: the organisation's stages, the open opportunities a viewer
//! reaches, and how many deals entered each stage in a period.

use crate::access::Viewer;
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::kpi::queries::midnight;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::model::{Milestone, StageOutcome};
use quotient_core::{Money, Period};
use std::collections::HashMap;

/// A configured stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub key: String,
    pub name: String,
    pub outcome: StageOutcome,
    pub milestone: Option<Milestone>,
    /// What the stage means and when a deal may be put there, as the organisation wrote them.
    pub definition: String,
    pub business_rules: String,
}

/// A stage's outcome as the database holds it.
pub(crate) fn outcome_of(text: Option<&str>) -> Result<StageOutcome> {
    let text = text.unwrap_or_default();
    text.parse().map_err(|_| StoreError::Decode(format!("'{text}' is not a stage outcome")))
}

/// A stage's milestone as the database holds it (`None` for a stage without one).
pub(crate) fn milestone_of(text: Option<&str>) -> Result<Option<Milestone>> {
    text.map(|text| text.parse().map_err(|_| StoreError::Decode(format!("'{text}' is not a milestone")))).transpose()
}

pub fn stages(db: &mut Db, viewer: &Viewer) -> Result<Vec<Stage>> {
    db.query_map(
        "SELECT key, name, outcome, milestone, definition, business_rules FROM stages WHERE org_id = ? ORDER BY position",
        &[viewer.org.value()],
        |row| {
            Ok(Stage {
                key: row.text(0)?.unwrap_or_default().to_string(),
                name: row.text(1)?.unwrap_or_default().to_string(),
                outcome: outcome_of(row.text(2)?)?,
                milestone: milestone_of(row.text(3)?)?,
                definition: row.text(4)?.unwrap_or_default().to_string(),
                business_rules: row.text(5)?.unwrap_or_default().to_string(),
            })
        },
    )
}

/// The organisation's gateway types offered for new deals (key, name): the kinds of agreed next
/// step, the retired ones left out.
pub fn gateway_types(db: &mut Db, viewer: &Viewer) -> Result<Vec<(String, String)>> {
    db.query_map(
        "SELECT key, name FROM gateway_types WHERE org_id = ? AND retired_at IS NULL ORDER BY position",
        &[viewer.org.value()],
        |row| Ok((row.text(0)?.unwrap_or_default().to_string(), row.text(1)?.unwrap_or_default().to_string())),
    )
}

/// The gateway types offered for new deals with their definitions, business rules and kind of
/// evaluation: what a rep reads when choosing one.
pub fn gateway_type_definitions(db: &mut Db, viewer: &Viewer) -> Result<Vec<super::pipeline_config::GatewayTypeSetup>> {
    let all = super::pipeline_config::gateway_types(db, viewer.org)?;
    Ok(all.into_iter().filter(|g| !g.retired).collect())
}

/// An open opportunity as the pipeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpenDeal {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub account: Option<String>,
    pub owner_id: i64,
    pub owner: String,
    pub stage: String,
    pub amount: Money,
    pub expected_close_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// The viewer's open opportunities (optionally of one owner), largest first, at most `limit`;
/// and how many there are in all. `stage` keeps one stage's.
pub fn open_deals(
    db: &mut Db,
    viewer: &Viewer,
    owner: Option<i64>,
    stage: Option<&str>,
    limit: i64,
) -> Result<(Vec<OpenDeal>, i64)> {
    let (scope, mut params) = viewer.condition("o.owner_id");
    let mut filter = format!("o.org_id = ? AND o.status = 'open' AND o.deleted_at IS NULL AND {scope}");
    params.insert(0, viewer.org.value());
    if let Some(owner) = owner {
        filter.push_str(" AND o.owner_id = ?");
        params.push(Value::Int(owner));
    }
    if let Some(stage) = stage {
        filter.push_str(" AND o.stage = ?");
        params.push(Value::owned(stage.to_string()));
    }
    let total = db.query_i64(&format!("SELECT COUNT(*) FROM opportunities o WHERE {filter}"), &params)?;
    params.push(Value::Int(limit));
    let deals = db.query_map(
        &format!(
            "SELECT o.id, o.external_id, o.name, a.name, o.owner_id, r.name, o.stage, o.amount_cents, o.expected_close_on, o.created_at
             FROM opportunities o
             LEFT JOIN accounts a ON a.org_id = o.org_id AND a.id = o.account_id
             LEFT JOIN reps r ON r.org_id = o.org_id AND r.id = o.owner_id
             WHERE {filter} ORDER BY o.amount_cents DESC, o.id LIMIT ?"
        ),
        &params,
        |row| {
            let external_id = row.text(1)?.unwrap_or_default().to_string();
            Ok(OpenDeal {
                id: row.int(0)?.unwrap_or_default(),
                name: row.text(2)?.map(str::to_string).unwrap_or_else(|| external_id.clone()),
                external_id,
                account: row.text(3)?.map(str::to_string),
                owner_id: row.int(4)?.unwrap_or_default(),
                owner: row.text(5)?.unwrap_or_default().to_string(),
                stage: row.text(6)?.unwrap_or_default().to_string(),
                amount: Money::from_cents(row.int(7)?.unwrap_or_default()),
                expected_close_on: row.date(8)?,
                created_at: row.timestamp(9)?.unwrap_or_default(),
            })
        },
    )?;
    Ok((deals, total))
}

/// The viewer's open opportunities per stage: how many, and their amount.
pub fn stage_totals(db: &mut Db, viewer: &Viewer) -> Result<HashMap<String, (i64, Money)>> {
    let (scope, mut params) = viewer.condition("o.owner_id");
    params.insert(0, viewer.org.value());
    let rows = db.query_map(
        &format!(
            "SELECT o.stage, COUNT(*), CAST(COALESCE(SUM(o.amount_cents), 0) AS BIGINT) FROM opportunities o
             WHERE o.org_id = ? AND o.status = 'open' AND o.deleted_at IS NULL AND {scope} GROUP BY o.stage"
        ),
        &params,
        |row| {
            let totals = (row.int(1)?.unwrap_or_default(), Money::from_cents(row.int(2)?.unwrap_or_default()));
            Ok((row.text(0)?.unwrap_or_default().to_string(), totals))
        },
    )?;
    Ok(rows.into_iter().collect())
}

/// The owner of a live opportunity the viewer reaches; `None` when there is none (or it is out of
/// scope: the caller answers "not found" either way).
pub fn reachable_owner(db: &mut Db, viewer: &Viewer, opportunity: i64) -> Result<Option<i64>> {
    let owner = db.query_opt(
        "SELECT owner_id FROM opportunities WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
        &[viewer.org.value(), Value::Int(opportunity)],
        |row| row.int(0),
    )?;
    Ok(owner.flatten().filter(|owner| viewer.reaches(*owner)))
}

/// Up to this many reps, stage entries are read rep by rep, through each rep's opportunities: for a
/// team that is a small fraction of reading the period's stage changes of everyone, and the two ways
/// cost about the same only near the whole organisation (docs/BENCHMARKS.md).
const TEAM_READ_LIMIT: usize = 500;

/// How many of each rep's opportunities entered each stage in `period`: (rep, stage) → count.
pub fn stage_entries(
    db: &mut Db,
    viewer: &Viewer,
    reps: &[i64],
    period: Period,
) -> Result<HashMap<(i64, String), i64>> {
    let (scope, scope_params) = viewer.condition("o.owner_id");
    let marks = vec!["?"; reps.len().max(1)].join(", ");
    let mut params =
        vec![viewer.org.value(), Value::Timestamp(midnight(period.start())), Value::Timestamp(midnight(period.end()))];
    params.extend(scope_params);
    params.extend(reps.iter().map(|&r| Value::Int(r)));
    if reps.is_empty() {
        params.push(Value::Int(-1));
    }
    // A team's entries are read from those of its reps' opportunities that changed stage since the
    // period began (`opportunities.last_stage_change_at`), each probing its stage history by time;
    // most of the organisation's from the period's stage changes. SQLite keeps CROSS JOIN's order.
    let (join, changed_since) = if reps.len() <= TEAM_READ_LIMIT {
        params.push(Value::Timestamp(midnight(period.start())));
        ("opportunities o CROSS JOIN stage_changes s", " AND o.last_stage_change_at >= ?")
    } else {
        ("stage_changes s CROSS JOIN opportunities o", "")
    };
    let sql = format!(
        "SELECT o.owner_id, s.stage, COUNT(*) FROM {join}
         WHERE o.org_id = ? AND s.org_id = o.org_id AND s.opportunity_id = o.id
           AND s.changed_at >= ? AND s.changed_at < ? AND s.deleted_at IS NULL AND o.deleted_at IS NULL
           AND {scope} AND o.owner_id IN ({marks}){changed_since}
         GROUP BY o.owner_id, s.stage"
    );
    let mut entries = HashMap::new();
    db.query_each(&sql, &params, |row| {
        entries.insert(
            (row.int(0)?.unwrap_or_default(), row.text(1)?.unwrap_or_default().to_string()),
            row.int(2)?.unwrap_or_default(),
        );
        Ok(())
    })?;
    Ok(entries)
}

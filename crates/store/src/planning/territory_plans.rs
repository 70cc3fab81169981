//! Territory plans: one per rep and year, written by the rep, submitted, and approved or returned
//! with a comment by their manager or above (every step audited), with the key accounts' live
//! progress against their targets.

use super::account_maps;
use crate::access::Viewer;
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result, StoreError};
use crate::kpi::Directory;
use crate::orgs::OrgId;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use quotient_core::Money;
use quotient_core::coaching::{PlanStatus, Step};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The statuses a key account can be in.
pub const ACCOUNT_STATUSES: [&str; 4] = ["not_started", "in_progress", "at_risk", "won"];

/// A key account as written in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyAccountInput {
    pub account_id: i64,
    #[serde(default)]
    pub strategy: String,
    /// Revenue to win from the account in the year.
    #[serde(default, rename = "target_cents")]
    pub target: Money,
    #[serde(default = "not_started")]
    pub status: String,
}

fn not_started() -> String {
    "not_started".into()
}

/// What the rep writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PlanContent {
    #[serde(default)]
    pub objectives: String,
    #[serde(default)]
    pub new_business: String,
    #[serde(default)]
    pub maintenance: String,
    #[serde(default)]
    pub channel_strategy: String,
    #[serde(default)]
    pub key_accounts: Vec<KeyAccountInput>,
}

/// A key account with its live progress.
#[derive(Debug, Clone, Serialize)]
pub struct KeyAccount {
    #[serde(flatten)]
    pub input: KeyAccountInput,
    pub name: String,
    /// Revenue won from the account in the plan's year so far.
    #[serde(rename = "won_cents")]
    pub won: Money,
    /// A decision maker and a financial authority mapped and touched in the last 90 days.
    pub covered: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TerritoryPlan {
    pub id: i64,
    pub rep_id: i64,
    pub fiscal_year: i32,
    pub status: PlanStatus,
    pub objectives: String,
    pub new_business: String,
    pub maintenance: String,
    pub channel_strategy: String,
    pub review_comment: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub key_accounts: Vec<KeyAccount>,
}

impl TerritoryPlan {
    pub fn content(&self) -> PlanContent {
        PlanContent {
            objectives: self.objectives.clone(),
            new_business: self.new_business.clone(),
            maintenance: self.maintenance.clone(),
            channel_strategy: self.channel_strategy.clone(),
            key_accounts: self.key_accounts.iter().map(|k| k.input.clone()).collect(),
        }
    }

    /// Key-account coverage: the share of key accounts covered; `None` without key accounts.
    pub fn coverage(&self) -> Option<f64> {
        let total = self.key_accounts.len();
        (total > 0).then(|| self.key_accounts.iter().filter(|k| k.covered).count() as f64 / total as f64)
    }
}

/// A line of the plans overview.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub rep_id: i64,
    pub status: Option<PlanStatus>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn year_bounds(year: i32) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let at = |y| {
        NaiveDate::from_ymd_opt(y, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()).ok_or_else(|| {
            let (min, max) = (i64::from(NaiveDate::MIN.year()), i64::from(NaiveDate::MAX.year()) - 1);
            StoreError::from(Refusal::new("year", Code::NumberOutOfRange).count("min", min).count("max", max))
        })
    };
    Ok((at(year)?, at(year + 1)?))
}

/// The rep's plan for `year`, when the viewer reaches the rep; progress as of `as_of`.
pub fn find(db: &mut Db, viewer: &Viewer, rep: i64, year: i32, as_of: NaiveDate) -> Result<Option<TerritoryPlan>> {
    if !viewer.reaches(rep) {
        return Ok(None);
    }
    let org = viewer.org;
    let plan = db.query_opt(
        "SELECT id, status, objectives, new_business, maintenance, channel_strategy, review_comment, submitted_at,
                decided_at
         FROM territory_plans WHERE org_id = ? AND rep_id = ? AND fiscal_year = ?",
        &[org.value(), Value::Int(rep), Value::Int(i64::from(year))],
        |row| {
            let text = |i| -> Result<String> { Ok(row.text(i)?.unwrap_or_default().to_string()) };
            Ok(TerritoryPlan {
                id: row.int(0)?.unwrap_or_default(),
                rep_id: rep,
                fiscal_year: year,
                status: row.text(1)?.and_then(|s| s.parse().ok()).unwrap_or(PlanStatus::Draft),
                objectives: text(2)?,
                new_business: text(3)?,
                maintenance: text(4)?,
                channel_strategy: text(5)?,
                review_comment: row.text(6)?.map(str::to_string),
                submitted_at: row.timestamp(7)?,
                decided_at: row.timestamp(8)?,
                key_accounts: vec![],
            })
        },
    )?;
    let Some(mut plan) = plan else { return Ok(None) };
    let (start, end) = year_bounds(year)?;
    plan.key_accounts = db.query_map(
        "SELECT k.account_id, k.strategy, k.target, k.status, a.name,
                (SELECT CAST(COALESCE(SUM(o.amount_cents), 0) AS BIGINT) FROM opportunities o
                  WHERE o.org_id = k.org_id AND o.account_id = k.account_id AND o.status = 'won'
                    AND o.deleted_at IS NULL AND o.closed_at >= ? AND o.closed_at < ?)
         FROM territory_plan_accounts k JOIN accounts a ON a.org_id = k.org_id AND a.id = k.account_id
         WHERE k.org_id = ? AND k.plan_id = ? ORDER BY k.target DESC, a.name",
        &[Value::Timestamp(start), Value::Timestamp(end), org.value(), Value::Int(plan.id)],
        |row| {
            Ok(KeyAccount {
                input: KeyAccountInput {
                    account_id: row.int(0)?.unwrap_or_default(),
                    strategy: row.text(1)?.unwrap_or_default().to_string(),
                    target: Money::from_cents(row.int(2)?.unwrap_or_default()),
                    status: row.text(3)?.unwrap_or_default().to_string(),
                },
                name: row.text(4)?.unwrap_or_default().to_string(),
                won: Money::from_cents(row.int(5)?.unwrap_or_default()),
                covered: false,
            })
        },
    )?;
    let accounts: Vec<i64> = plan.key_accounts.iter().map(|k| k.input.account_id).collect();
    let covered = account_maps::coverage(db, org, &accounts, as_of)?;
    for key in &mut plan.key_accounts {
        key.covered = covered.get(&key.input.account_id).copied().unwrap_or(false);
    }
    Ok(Some(plan))
}

/// The status of every reachable rep's plan for `year`.
pub fn overview(db: &mut Db, viewer: &Viewer, year: i32) -> Result<Vec<Summary>> {
    let directory = Directory::load(db, viewer.org)?;
    let statuses: HashMap<i64, (Option<PlanStatus>, Option<DateTime<Utc>>)> = db
        .query_map(
            "SELECT rep_id, status, updated_at FROM territory_plans WHERE org_id = ? AND fiscal_year = ?",
            &[viewer.org.value(), Value::Int(i64::from(year))],
            |row| Ok((row.int(0)?.unwrap_or_default(), (row.text(1)?.and_then(|s| s.parse().ok()), row.timestamp(2)?))),
        )?
        .into_iter()
        .collect();
    Ok(directory
        .people
        .iter()
        .filter(|p| p.is_rep && viewer.reaches(p.id))
        .map(|p| {
            let (status, updated_at) = statuses.get(&p.id).copied().unwrap_or((None, None));
            Summary { rep_id: p.id, status, updated_at }
        })
        .collect())
}

/// The accounts a rep may name as key accounts: those they own.
pub fn candidate_accounts(db: &mut Db, viewer: &Viewer, rep: i64) -> Result<Vec<(i64, String)>> {
    if !viewer.reaches(rep) {
        return Ok(vec![]);
    }
    db.query_map(
        "SELECT id, name FROM accounts WHERE org_id = ? AND owner_id = ? AND deleted_at IS NULL ORDER BY name LIMIT 500",
        &[viewer.org.value(), Value::Int(rep)],
        |row| Ok((row.int(0)?.unwrap_or_default(), row.text(1)?.unwrap_or_default().to_string())),
    )
}

/// Whether `rep` owns live account `account` (unscoped: the operations decide who may ask).
pub(crate) fn owns_account(db: &mut Db, org: OrgId, rep: i64, account: i64) -> Result<bool> {
    let owned = db.query_i64(
        "SELECT COUNT(*) FROM accounts WHERE org_id = ? AND id = ? AND owner_id = ? AND deleted_at IS NULL",
        &[org.value(), Value::Int(account), Value::Int(rep)],
    )?;
    Ok(owned > 0)
}

/// Writes `rep`'s plan for `year`: over `existing`, or as a new draft; audited. Unchecked:
/// `ops::coaching` decides who writes a plan, and what it may hold.
pub(crate) fn write(
    db: &mut Db,
    viewer: &Viewer,
    rep: i64,
    year: i32,
    existing: Option<&TerritoryPlan>,
    content: &PlanContent,
) -> Result<i64> {
    let org = viewer.org;
    let now = Value::Timestamp(Utc::now());
    let id = match existing {
        Some(plan) => {
            db.execute(
                "UPDATE territory_plans SET objectives = ?, new_business = ?, maintenance = ?, channel_strategy = ?,
                 updated_at = ? WHERE org_id = ? AND id = ?",
                &[
                    Value::text(&content.objectives),
                    Value::text(&content.new_business),
                    Value::text(&content.maintenance),
                    Value::text(&content.channel_strategy),
                    now.clone(),
                    org.value(),
                    Value::Int(plan.id),
                ],
            )?;
            db.execute(
                "DELETE FROM territory_plan_accounts WHERE org_id = ? AND plan_id = ?",
                &[org.value(), Value::Int(plan.id)],
            )?;
            plan.id
        }
        None => {
            let id = crate::orgs::allocate_ids(db, org, "territory_plans", 1)?;
            db.execute(
                "INSERT INTO territory_plans (org_id, id, rep_id, fiscal_year, status, objectives, new_business,
                 maintenance, channel_strategy, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)",
                &[
                    org.value(),
                    Value::Int(id),
                    Value::Int(rep),
                    Value::Int(i64::from(year)),
                    Value::text(&content.objectives),
                    Value::text(&content.new_business),
                    Value::text(&content.maintenance),
                    Value::text(&content.channel_strategy),
                    now,
                ],
            )?;
            id
        }
    };
    for key in &content.key_accounts {
        db.execute(
            "INSERT INTO territory_plan_accounts (org_id, plan_id, account_id, strategy, target, status)
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                org.value(),
                Value::Int(id),
                Value::Int(key.account_id),
                Value::text(&key.strategy),
                Value::Int(key.target.cents()),
                Value::text(&key.status),
            ],
        )?;
    }
    super::audit(
        db,
        viewer,
        if existing.is_some() { "update" } else { "create" },
        "territory_plan",
        id,
        existing.map(|p| serde_json::to_value(p.content()).unwrap_or_default()),
        serde_json::to_value(content).ok(),
    )?;
    Ok(id)
}

/// Records `step` taken on `plan` by the viewer, leaving it in `status`; audited. Unchecked, as
/// [`write`]: the workflow (`quotient_core::coaching::advance`) has allowed it.
pub(crate) fn record_step(
    db: &mut Db,
    viewer: &Viewer,
    plan: &TerritoryPlan,
    step: Step,
    status: PlanStatus,
    comment: &str,
) -> Result<()> {
    let org = viewer.org;
    let now = Value::Timestamp(Utc::now());
    let id = Value::Int(plan.id);
    match step {
        Step::Submit => db.execute(
            "UPDATE territory_plans SET status = ?, submitted_at = ?, updated_at = ? WHERE org_id = ? AND id = ?",
            &[Value::text(status.key()), now.clone(), now, org.value(), id],
        )?,
        Step::Approve | Step::Return => db.execute(
            "UPDATE territory_plans SET status = ?, decided_at = ?, decided_by = ?, review_comment = ?, updated_at = ?
             WHERE org_id = ? AND id = ?",
            &[
                Value::text(status.key()),
                now.clone(),
                // The operator decides as no user (a command line, the demo).
                viewer.actor().map_or(Value::Null, Value::Int),
                Value::opt_text(Some(comment.trim()).filter(|c| !c.is_empty())),
                now,
                org.value(),
                id,
            ],
        )?,
    };
    super::audit(
        db,
        viewer,
        step.key(),
        "territory_plan",
        plan.id,
        Some(serde_json::json!({ "status": plan.status.key() })),
        Some(serde_json::json!({ "status": status.key(), "comment": comment.trim() })),
    )?;
    Ok(())
}

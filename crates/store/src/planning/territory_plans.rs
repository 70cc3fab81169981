//! Territory plans: one per rep and year, written by the rep, submitted, and approved or returned
//! with a comment by their manager or above (every step audited), with the key accounts' live
//! progress against their targets.

use super::account_maps;
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::kpi::Directory;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::Money;
use quotient_core::coaching::{self, Actor, PlanStatus, Step, WorkflowError};
use quotient_core::model::UserRole;
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
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .ok_or_else(|| StoreError::Invalid(format!("{year} is not a year")))
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

fn problems(content: &PlanContent) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    for key in &content.key_accounts {
        if key.target.is_negative() {
            return Some("a key account's target cannot be negative".into());
        }
        if !ACCOUNT_STATUSES.contains(&key.status.as_str()) {
            return Some(format!("'{}' is not one of: {}", key.status, ACCOUNT_STATUSES.join(", ")));
        }
        if !seen.insert(key.account_id) {
            return Some("an account is listed twice among the key accounts".into());
        }
    }
    let long = [&content.objectives, &content.new_business, &content.maintenance, &content.channel_strategy];
    if long.iter().any(|t| t.len() > 20_000) || content.key_accounts.len() > 100 {
        return Some("the plan is longer than one page can hold: shorten it".into());
    }
    None
}

/// Saves the viewer's own plan for `year` (created as a draft if it does not exist yet); only a
/// draft can be changed. Audited.
pub fn save(db: &mut Db, viewer: &Viewer, year: i32, content: &PlanContent) -> Result<i64> {
    let rep = viewer.rep_id.filter(|_| viewer.role == UserRole::Rep).ok_or_else(|| {
        StoreError::Invalid("a territory plan is written by its rep: sign in as the rep to change it".into())
    })?;
    if let Some(problem) = problems(content) {
        return Err(StoreError::Invalid(problem));
    }
    let org = viewer.org;
    db.transaction(|db| {
        for key in &content.key_accounts {
            let owned = db.query_i64(
                "SELECT COUNT(*) FROM accounts WHERE org_id = ? AND id = ? AND owner_id = ? AND deleted_at IS NULL",
                &[org.value(), Value::Int(key.account_id), Value::Int(rep)],
            )?;
            if owned == 0 {
                return Err(StoreError::Invalid(format!(
                    "account {} is not one of your accounts: key accounts are accounts you own",
                    key.account_id
                )));
            }
        }
        let existing = find(db, viewer, rep, year, chrono::Utc::now().date_naive())?;
        let now = Value::Timestamp(Utc::now());
        let id = match &existing {
            Some(plan) if !plan.status.is_editable() => {
                return Err(StoreError::Invalid(format!(
                    "the plan is {}: only a draft can be changed",
                    plan.status.key()
                )));
            }
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
        audit::record(
            db,
            org,
            Change {
                user: Some(viewer.user),
                action: if existing.is_some() { "update" } else { "create" },
                entity: "territory_plan",
                entity_id: Some(id),
                before: existing.map(|p| serde_json::to_value(p.content()).unwrap_or_default()),
                after: serde_json::to_value(content).ok(),
            },
        )?;
        Ok(id)
    })
}

fn refusal(error: WorkflowError, step: Step) -> StoreError {
    StoreError::Invalid(match error {
        WorkflowError::NotAllowed if step == Step::Submit => "only the rep submits their own plan".into(),
        WorkflowError::NotAllowed => "only the rep's manager, or someone above them, decides on the plan".into(),
        WorkflowError::WrongStatus(status) => {
            format!("the plan is {}: it cannot be {}ed now", status.key(), step.key())
        }
        WorkflowError::CommentRequired => "say what to change: returning a plan needs a comment".into(),
    })
}

/// Takes a workflow step on `rep`'s plan for `year`; audited. Returns the new status.
pub fn advance(db: &mut Db, viewer: &Viewer, rep: i64, year: i32, step: Step, comment: &str) -> Result<PlanStatus> {
    let org = viewer.org;
    db.transaction(|db| {
        let plan = find(db, viewer, rep, year, chrono::Utc::now().date_naive())?
            .ok_or_else(|| StoreError::NotFound(format!("there is no territory plan of rep {rep} for {year}")))?;
        let is_owner = viewer.rep_id == Some(rep) && viewer.role == UserRole::Rep;
        // Reaching a rep other than oneself is being above them (a manager's subtree, or everyone).
        let is_above = viewer.role != UserRole::Rep && viewer.reaches(rep) && viewer.rep_id != Some(rep);
        let status = coaching::advance(plan.status, step, Actor { is_owner, is_above }, comment)
            .map_err(|e| refusal(e, step))?;
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
                    Value::Int(viewer.user),
                    Value::opt_text(Some(comment.trim()).filter(|c| !c.is_empty())),
                    now,
                    org.value(),
                    id,
                ],
            )?,
        };
        audit::record(
            db,
            org,
            Change {
                user: Some(viewer.user),
                action: step.key(),
                entity: "territory_plan",
                entity_id: Some(plan.id),
                before: Some(serde_json::json!({ "status": plan.status.key() })),
                after: Some(serde_json::json!({ "status": status.key(), "comment": comment.trim() })),
            },
        )?;
        Ok(status)
    })
}

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
use quotient_core::coaching::{KeyAccountCoverage, ObjectiveKpi, PlanStatus, Progress, Step, progress};
use quotient_core::{Money, Period};
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

/// An objective as written in the plan, measured by one KPI of the rep over the plan's year or by
/// the revenue won from one of the plan's key accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveInput {
    pub description: String,
    /// The KPI measured (`quotient_core::coaching::ObjectiveKpi`'s keys); or `account_id`.
    #[serde(default)]
    pub kpi: Option<String>,
    /// The key account whose revenue in the year is measured; or `kpi`.
    #[serde(default)]
    pub account_id: Option<i64>,
    /// In the KPI's unit: cents for revenue, margin and an account; a count otherwise.
    pub target: i64,
}

impl ObjectiveInput {
    /// The KPI, when the objective is linked to a known one.
    pub fn kpi(&self) -> Option<ObjectiveKpi> {
        self.kpi.as_deref().and_then(|k| k.parse().ok())
    }

    /// Whether the target is an amount of money (an account's revenue, or a money KPI).
    pub fn is_money(&self) -> bool {
        self.account_id.is_some() || self.kpi().is_some_and(ObjectiveKpi::is_money)
    }
}

/// An objective with its progress.
#[derive(Debug, Clone, Serialize)]
pub struct MeasuredObjective {
    #[serde(flatten)]
    pub input: ObjectiveInput,
    /// The key account's name, for an objective linked to one.
    pub account_name: Option<String>,
    pub progress: Progress,
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
    #[serde(default)]
    pub measured_objectives: Vec<ObjectiveInput>,
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
    /// A decision maker and a financial authority mapped and touched within the untouched window.
    pub covered: bool,
    /// The account's coverage score, 0–1.
    pub coverage_score: f64,
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
    pub measured_objectives: Vec<MeasuredObjective>,
    pub key_account_coverage: KeyAccountCoverage,
}

impl TerritoryPlan {
    pub fn content(&self) -> PlanContent {
        PlanContent {
            objectives: self.objectives.clone(),
            new_business: self.new_business.clone(),
            maintenance: self.maintenance.clone(),
            channel_strategy: self.channel_strategy.clone(),
            key_accounts: self.key_accounts.iter().map(|k| k.input.clone()).collect(),
            measured_objectives: self.measured_objectives.iter().map(|o| o.input.clone()).collect(),
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
                measured_objectives: vec![],
                key_account_coverage: KeyAccountCoverage::default(),
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
                coverage_score: 0.0,
            })
        },
    )?;
    let accounts: Vec<i64> = plan.key_accounts.iter().map(|k| k.input.account_id).collect();
    let window = account_maps::untouched_window_days(db, org)?;
    let coverage = account_maps::coverage(db, org, &accounts, as_of, window)?;
    for key in &mut plan.key_accounts {
        let of = coverage.get(&key.input.account_id).copied().unwrap_or_default();
        (key.covered, key.coverage_score) = (of.covered, of.score);
    }
    plan.key_account_coverage = plan_coverage(&plan.key_accounts);
    plan.measured_objectives = measured_objectives(db, org, &plan, as_of)?;
    Ok(Some(plan))
}

/// The key-account coverage of a plan from its key accounts' own.
fn plan_coverage(keys: &[KeyAccount]) -> KeyAccountCoverage {
    let count = keys.len();
    let share = |sum: f64| (count > 0).then(|| sum / count as f64);
    KeyAccountCoverage {
        accounts: count,
        covered: share(keys.iter().filter(|k| k.covered).count() as f64),
        mean_score: share(keys.iter().map(|k| k.coverage_score).sum()),
    }
}

/// The plan's objectives with their progress on `as_of`: a KPI summed from the rep's rollups from
/// the start of the plan's year through `as_of` (or the year's end); an account's revenue won in
/// the year, as its key-account line shows it.
fn measured_objectives(
    db: &mut Db,
    org: OrgId,
    plan: &TerritoryPlan,
    as_of: NaiveDate,
) -> Result<Vec<MeasuredObjective>> {
    let rows = db.query_map(
        "SELECT o.description, o.kpi, o.account_id, o.target, a.name FROM territory_plan_objectives o
         LEFT JOIN accounts a ON a.org_id = o.org_id AND a.id = o.account_id
         WHERE o.org_id = ? AND o.plan_id = ? ORDER BY o.position",
        &[org.value(), Value::Int(plan.id)],
        |row| {
            let input = ObjectiveInput {
                description: row.text(0)?.unwrap_or_default().to_string(),
                kpi: row.text(1)?.map(str::to_string),
                account_id: row.int(2)?,
                target: row.int(3)?.unwrap_or_default(),
            };
            Ok((input, row.text(4)?.map(str::to_string)))
        },
    )?;
    let kpis: Vec<ObjectiveKpi> = rows.iter().filter_map(|(input, _)| input.kpi()).collect();
    let year = plan.fiscal_year;
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or(NaiveDate::MAX).min(as_of.succ_opt().unwrap_or(as_of));
    let mut tally = quotient_core::kpi::Tally::default();
    if let (false, Some(period)) = (kpis.is_empty(), Period::range(start, end)) {
        let fields: Vec<&str> = kpis.iter().map(|k| k.field()).collect();
        let reps = [plan.rep_id];
        let filter = crate::kpi::Filter { reps: Some(&reps), product_line: None };
        for cell in crate::kpi::sum_of(db, org, period, filter, &fields)?.values() {
            tally += *cell;
        }
    }
    let won: HashMap<i64, Money> = plan.key_accounts.iter().map(|k| (k.input.account_id, k.won)).collect();
    Ok(rows
        .into_iter()
        .map(|(input, account_name)| {
            let actual = match (input.kpi(), input.account_id) {
                (Some(kpi), _) => kpi.actual(&tally),
                (None, Some(account)) => won.get(&account).map_or(0, |m| m.cents()),
                (None, None) => 0,
            };
            let progress = progress(actual, input.target, year, as_of);
            MeasuredObjective { input, account_name, progress }
        })
        .collect())
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
    if existing.is_some() {
        db.execute(
            "DELETE FROM territory_plan_objectives WHERE org_id = ? AND plan_id = ?",
            &[org.value(), Value::Int(id)],
        )?;
    }
    for (position, objective) in content.measured_objectives.iter().enumerate() {
        db.execute(
            "INSERT INTO territory_plan_objectives (org_id, plan_id, position, description, kpi, account_id, target)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                org.value(),
                Value::Int(id),
                Value::Int(position as i64),
                Value::text(&objective.description),
                Value::opt_text(objective.kpi.as_deref()),
                Value::opt_int(objective.account_id),
                Value::Int(objective.target),
            ],
        )?;
    }
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

//! The company plan of a fiscal year: revenue, margin and deal objectives (optionally per product
//! line), how it is split (by realistic goals or by territory weights), and a seasonality set by
//! hand when the learnt one does not fit.

use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result, StoreError};
use crate::orgs::OrgId;
use chrono::{DateTime, Utc};
use quotient_core::Money;
use serde::{Deserialize, Serialize};

/// How the plan is split before it is phased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// In proportion to each rep's realistic goal.
    #[default]
    Goals,
    /// Over territories by the weights set, then over each territory's reps by their goals.
    Territories,
}

impl Split {
    pub fn key(self) -> &'static str {
        match self {
            Split::Goals => "goals",
            Split::Territories => "territories",
        }
    }
}

/// A product line's own objectives, allocated as quotas for that line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanLine {
    pub product_line_id: i64,
    #[serde(default, rename = "revenue_cents")]
    pub revenue: Option<Money>,
    #[serde(default, rename = "margin_cents")]
    pub margin: Option<Money>,
    #[serde(default)]
    pub deals: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyPlan {
    /// The API's path and the command line's `--year` give it: a body may leave it out.
    #[serde(default)]
    pub fiscal_year: i32,
    #[serde(rename = "revenue_cents")]
    pub revenue: Money,
    #[serde(default, rename = "margin_cents")]
    pub margin: Option<Money>,
    #[serde(default)]
    pub deals: Option<i64>,
    /// Growth over each rep's own median, in percent.
    #[serde(default)]
    pub growth_pct: f64,
    #[serde(default)]
    pub split: Split,
    /// Twelve month weights set by hand (January first); `None`: learnt from history.
    #[serde(default)]
    pub seasonality: Option<[u64; 12]>,
    /// Territory id → weight, for [`Split::Territories`].
    #[serde(default)]
    pub territory_weights: Vec<(i64, u64)>,
    #[serde(default)]
    pub lines: Vec<PlanLine>,
    /// When its quotas were last written.
    #[serde(default)]
    pub allocated_at: Option<DateTime<Utc>>,
}

impl CompanyPlan {
    /// An empty plan for `year`.
    pub fn new(fiscal_year: i32) -> CompanyPlan {
        CompanyPlan {
            fiscal_year,
            revenue: Money::ZERO,
            margin: None,
            deals: None,
            growth_pct: 0.0,
            split: Split::Goals,
            seasonality: None,
            territory_weights: vec![],
            lines: vec![],
            allocated_at: None,
        }
    }

    /// What the data's rules refuse, every refusal at once (fields named as the API names them).
    pub fn refusals(&self) -> Vec<Refusal> {
        let mut refusals = vec![];
        if !YEARS.contains(&self.fiscal_year) {
            refusals.push(year_out_of_range());
        }
        let negative = |m: Option<Money>| m.is_some_and(Money::is_negative);
        if self.revenue.is_negative() {
            refusals.push(Refusal::new("revenue_cents", Code::Amount));
        }
        if negative(self.margin) {
            refusals.push(Refusal::new("margin_cents", Code::Amount));
        } else if self.margin.is_some_and(|margin| margin > self.revenue) {
            refusals.push(Refusal::new("margin_cents", Code::MarginAboveRevenue));
        }
        if self.deals.is_some_and(|d| d < 0) {
            refusals.push(Refusal::new("deals", Code::Count));
        }
        for line in &self.lines {
            if negative(line.revenue) || negative(line.margin) {
                refusals.push(Refusal::new("lines", Code::Amount));
            } else if let (Some(revenue), Some(margin)) = (line.revenue, line.margin)
                && margin > revenue
            {
                refusals.push(Refusal::new("lines", Code::MarginAboveRevenue));
            }
            if line.deals.is_some_and(|d| d < 0) {
                refusals.push(Refusal::new("lines", Code::Count));
            }
        }
        if !growth_allowed(self.growth_pct) {
            refusals.push(Refusal::new("growth_pct", Code::GrowthOutOfRange));
        }
        if self.seasonality.is_some_and(|weights| weights.iter().all(|&w| w == 0)) {
            refusals.push(Refusal::new("seasonality", Code::Seasonality));
        }
        if self.split == Split::Territories && self.territory_weights.iter().all(|(_, w)| *w == 0) {
            refusals.push(Refusal::new("territory_weights", Code::TerritoryWeights));
        }
        refusals.dedup();
        refusals
    }
}

/// The fiscal years a plan may be made for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The refusal of a fiscal year outside [`YEARS`].
pub fn year_out_of_range() -> Refusal {
    Refusal::new("fiscal_year", Code::NumberOutOfRange)
        .count("min", i64::from(*YEARS.start()))
        .count("max", i64::from(*YEARS.end()))
}

/// Whether a growth over the reps' medians, in percent, is one a plan may ask for.
pub fn growth_allowed(growth_pct: f64) -> bool {
    growth_pct.is_finite() && growth_pct > -100.0 && growth_pct <= 1000.0
}

/// Refuses the plan as [`CompanyPlan::refusals`] says, and when a territory or product line of it
/// is not the organisation's — every refusal at once.
pub(crate) fn check(db: &mut Db, org: OrgId, plan: &CompanyPlan) -> Result<()> {
    let mut refusals = plan.refusals();
    for (table, ids, field) in [
        ("territories", plan.territory_weights.iter().map(|(t, _)| *t).collect::<Vec<_>>(), "territory_weights"),
        ("product_lines", plan.lines.iter().map(|l| l.product_line_id).collect(), "lines"),
    ] {
        for id in ids {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE org_id = ? AND id = ? AND deleted_at IS NULL");
            if db.query_i64(&sql, &[org.value(), Value::Int(id)])? == 0 {
                refusals.push(Refusal::new(field, Code::Reference));
                break;
            }
        }
    }
    if refusals.is_empty() { Ok(()) } else { Err(StoreError::Refused(refusals)) }
}

/// The fiscal years with a plan, latest first.
pub fn years(db: &mut Db, org: OrgId) -> Result<Vec<i32>> {
    db.query_map(
        "SELECT fiscal_year FROM company_plans WHERE org_id = ? ORDER BY fiscal_year DESC",
        &[org.value()],
        |row| Ok(row.int(0)?.unwrap_or_default() as i32),
    )
}

pub fn find(db: &mut Db, org: OrgId, year: i32) -> Result<Option<CompanyPlan>> {
    let key = [org.value(), Value::Int(i64::from(year))];
    let plan = db.query_opt(
        "SELECT revenue, margin, deals, growth_bp, basis, seasonality, allocated_at FROM company_plans
         WHERE org_id = ? AND fiscal_year = ?",
        &key,
        |row| {
            let seasonality = row
                .text(5)?
                .map(|t| serde_json::from_str::<[u64; 12]>(t).map_err(|e| StoreError::Decode(e.to_string())))
                .transpose()?;
            Ok(CompanyPlan {
                fiscal_year: year,
                revenue: Money::from_cents(row.int(0)?.unwrap_or_default()),
                margin: row.int(1)?.map(Money::from_cents),
                deals: row.int(2)?,
                growth_pct: row.int(3)?.unwrap_or_default() as f64 / 100.0,
                split: if row.text(4)? == Some("territories") { Split::Territories } else { Split::Goals },
                seasonality,
                territory_weights: vec![],
                lines: vec![],
                allocated_at: row.timestamp(6)?,
            })
        },
    )?;
    let Some(mut plan) = plan else { return Ok(None) };
    plan.territory_weights = db.query_map(
        "SELECT territory_id, weight FROM plan_territory_weights WHERE org_id = ? AND fiscal_year = ?
         ORDER BY territory_id",
        &key,
        |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default().max(0) as u64)),
    )?;
    plan.lines = db.query_map(
        "SELECT product_line_id, revenue, margin, deals FROM company_plan_lines WHERE org_id = ? AND fiscal_year = ?
         ORDER BY product_line_id",
        &key,
        |row| {
            Ok(PlanLine {
                product_line_id: row.int(0)?.unwrap_or_default(),
                revenue: row.int(1)?.map(Money::from_cents),
                margin: row.int(2)?.map(Money::from_cents),
                deals: row.int(3)?,
            })
        },
    )?;
    Ok(Some(plan))
}

/// Saves the plan (creating or replacing the year's), audited, in one transaction; refused as
/// [`check`] says. Unscoped: `ops::plans` is the door.
pub(crate) fn save(db: &mut Db, org: OrgId, user: Option<i64>, plan: &CompanyPlan) -> Result<()> {
    db.transaction(|db| {
        check(db, org, plan)?;
        let before = find(db, org, plan.fiscal_year)?;
        let year = Value::Int(i64::from(plan.fiscal_year));
        let seasonality = plan.seasonality.map(|w| serde_json::json!(w).to_string());
        let values = [
            Value::Int(plan.revenue.cents()),
            Value::opt_int(plan.margin.map(Money::cents)),
            Value::opt_int(plan.deals),
            Value::Int((plan.growth_pct * 100.0).round() as i64),
            Value::text(plan.split.key()),
            Value::opt_text(seasonality.as_deref()),
            Value::Timestamp(Utc::now()),
        ];
        if before.is_some() {
            let mut params = values.to_vec();
            params.extend([org.value(), year.clone()]);
            db.execute(
                "UPDATE company_plans SET revenue = ?, margin = ?, deals = ?, growth_bp = ?, basis = ?, seasonality = ?,
                 updated_at = ? WHERE org_id = ? AND fiscal_year = ?",
                &params,
            )?;
        } else {
            let mut params = vec![org.value(), year.clone()];
            params.extend(values);
            db.execute(
                "INSERT INTO company_plans (org_id, fiscal_year, revenue, margin, deals, growth_bp, basis, seasonality,
                 updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &params,
            )?;
        }
        for table in ["plan_territory_weights", "company_plan_lines"] {
            let sql = format!("DELETE FROM {table} WHERE org_id = ? AND fiscal_year = ?");
            db.execute(&sql, &[org.value(), year.clone()])?;
        }
        for (territory, weight) in &plan.territory_weights {
            db.execute(
                "INSERT INTO plan_territory_weights (org_id, fiscal_year, territory_id, weight) VALUES (?, ?, ?, ?)",
                &[org.value(), year.clone(), Value::Int(*territory), Value::Int(*weight as i64)],
            )?;
        }
        for line in &plan.lines {
            db.execute(
                "INSERT INTO company_plan_lines (org_id, fiscal_year, product_line_id, revenue, margin, deals)
                 VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    org.value(),
                    year.clone(),
                    Value::Int(line.product_line_id),
                    Value::opt_int(line.revenue.map(Money::cents)),
                    Value::opt_int(line.margin.map(Money::cents)),
                    Value::opt_int(line.deals),
                ],
            )?;
        }
        let json = |plan: &CompanyPlan| serde_json::to_value(plan).ok();
        audit::record(
            db,
            org,
            Change {
                user,
                action: if before.is_some() { "update" } else { "create" },
                entity: "company_plan",
                entity_id: Some(i64::from(plan.fiscal_year)),
                before: before.as_ref().and_then(json),
                after: json(plan),
            },
        )?;
        Ok(())
    })
}

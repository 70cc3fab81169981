//! The company plan allocated into monthly quotas per rep: computed from history, written to the
//! quotas table (one row per rep, month and objective, keyed as an imported quota would be, so an
//! export and re-import updates them in place), read back per rep and year, and adjusted by hand.

use super::company_plan::{CompanyPlan, Split, year_out_of_range};
use super::history::{self, PlanMetric};
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result};
use crate::kpi::Directory;
use crate::orgs::{self, OrgId, Revision};
use chrono::{Datelike, NaiveDate, Utc};
use quotient_core::planning::{Allocation, Basis, MonthlyIndex, allocate_plan, phase, plan_risk};
use std::collections::HashMap;

/// Whole years of history the learnt seasonality rests on.
pub const SEASONALITY_YEARS: u32 = 3;

/// One objective of a plan: a metric's yearly total, for one product line or for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Objective {
    pub metric: PlanMetric,
    pub product_line: Option<i64>,
    /// Cents for money, a count otherwise.
    pub total: i64,
}

/// The objectives a plan sets: revenue, margin and deals overall, then each product line's.
pub fn objectives(plan: &CompanyPlan) -> Vec<Objective> {
    let mut found = vec![];
    let mut push = |metric, product_line, total: Option<i64>| {
        if let Some(total) = total {
            found.push(Objective { metric, product_line, total });
        }
    };
    push(PlanMetric::Revenue, None, Some(plan.revenue.cents()));
    push(PlanMetric::Margin, None, plan.margin.map(|m| m.cents()));
    push(PlanMetric::Deals, None, plan.deals);
    for line in &plan.lines {
        let id = Some(line.product_line_id);
        push(PlanMetric::Revenue, id, line.revenue.map(|m| m.cents()));
        push(PlanMetric::Margin, id, line.margin.map(|m| m.cents()));
        push(PlanMetric::Deals, id, line.deals);
    }
    found
}

/// An objective allocated: the seasonality it was phased with and each rep's share.
#[derive(Debug, Clone)]
pub struct Allocated {
    pub objective: Objective,
    pub seasonality: MonthlyIndex,
    pub allocation: Allocation<i64>,
}

fn first_day(year: i32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| year_out_of_range().into())
}

/// The seasonality an objective is phased with: the plan's own, or learnt from history.
pub fn seasonality_of(db: &mut Db, org: OrgId, plan: &CompanyPlan, objective: &Objective) -> Result<MonthlyIndex> {
    match plan.seasonality {
        Some(weights) => Ok(MonthlyIndex::from_weights(weights)),
        None => history::seasonality(
            db,
            org,
            objective.metric,
            first_day(plan.fiscal_year)?,
            SEASONALITY_YEARS,
            objective.product_line,
        ),
    }
}

/// Allocates every objective of the plan to the organisation's reps (nothing is written).
pub fn allocate(db: &mut Db, org: OrgId, plan: &CompanyPlan) -> Result<Vec<Allocated>> {
    let start = first_day(plan.fiscal_year)?;
    let basis = match plan.split {
        Split::Goals => Basis::Goals,
        Split::Territories => Basis::Territories(plan.territory_weights.clone()),
    };
    let mut allocated = vec![];
    for objective in objectives(plan) {
        let reps = history::rep_history(db, org, objective.metric, start, None, objective.product_line)?;
        if reps.is_empty() {
            return Err(Refusal::new("plan", Code::NoRepsToPlan).into());
        }
        let seasonality = seasonality_of(db, org, plan, &objective)?;
        let allocation = allocate_plan(objective.total, &reps, plan.growth_pct / 100.0, &seasonality, &basis);
        allocated.push(Allocated { objective, seasonality, allocation });
    }
    Ok(allocated)
}

/// The part of an allocated objective a viewer may see: all of it for the organisation's view; for
/// a manager, the quotas of the reps they reach, with the objective and its risk those of that
/// share alone — nothing of the rest of the company.
pub fn share_of(viewer: &Viewer, allocated: Allocated) -> Allocated {
    if viewer.reaches_everyone() {
        return allocated;
    }
    let Allocated { objective, seasonality, allocation } = allocated;
    let reps: Vec<_> = allocation.reps.into_iter().filter(|q| viewer.reaches(q.rep)).collect();
    let total: i64 = reps.iter().map(|q| q.yearly).sum();
    let goals: Vec<f64> = reps.iter().map(|q| q.realistic).collect();
    let teams = allocation.teams.into_iter().filter(|(team, _)| viewer.reaches(*team)).collect();
    Allocated {
        objective: Objective { total, ..objective },
        seasonality,
        allocation: Allocation { total: plan_risk(total as f64, &goals), teams, reps },
    }
}

/// A quota row to write: the rep, the month (1–12) and the target.
struct QuotaRow {
    rep: i64,
    month: u32,
    target: i64,
}

/// Writes the allocated quotas of `year` in one transaction: every earlier quota of the same
/// objectives in that year is replaced (the replaced rows stay, soft-deleted). Returns the rows.
pub(crate) fn write(db: &mut Db, org: OrgId, user: Option<i64>, year: i32, allocated: &[Allocated]) -> Result<usize> {
    let directory = Directory::load(db, org)?;
    db.transaction(|db| {
        let mut written = 0;
        for planned in allocated {
            retire(db, org, year, &planned.objective, None)?;
            let rows: Vec<QuotaRow> = planned
                .allocation
                .reps
                .iter()
                .flat_map(|q| {
                    q.monthly.iter().enumerate().map(|(m, &target)| QuotaRow {
                        rep: q.rep,
                        month: m as u32 + 1,
                        target,
                    })
                })
                .collect();
            written += upsert(db, org, &directory, year, &planned.objective, &rows)?;
        }
        db.execute(
            "UPDATE company_plans SET allocated_at = ? WHERE org_id = ? AND fiscal_year = ?",
            &[Value::Timestamp(Utc::now()), org.value(), Value::Int(i64::from(year))],
        )?;
        let summary: Vec<serde_json::Value> = allocated
            .iter()
            .map(|a| {
                serde_json::json!({
                    "metric": a.objective.metric.key(),
                    "product_line_id": a.objective.product_line,
                    "total": a.objective.total,
                    "reps": a.allocation.reps.len(),
                })
            })
            .collect();
        audit::record(
            db,
            org,
            Change {
                user,
                action: "allocate",
                entity: "company_plan",
                entity_id: Some(i64::from(year)),
                before: None,
                after: Some(serde_json::json!(summary)),
            },
        )?;
        orgs::bump_revisions(db, org, &[Revision::Data])?;
        Ok(written)
    })
}

/// Soft-deletes the year's quotas of an objective (any period within the year).
/// Only `rep`'s, when given.
fn retire(db: &mut Db, org: OrgId, year: i32, objective: &Objective, rep: Option<i64>) -> Result<()> {
    let Some(metric) = objective.metric.quota_metric() else { return Ok(()) };
    let line = match objective.product_line {
        Some(_) => "product_line_id = ?",
        None => "product_line_id IS NULL",
    };
    let only = if rep.is_some() { " AND rep_id = ?" } else { "" };
    let sql = format!(
        "UPDATE quotas SET deleted_at = ? WHERE org_id = ? AND metric = ? AND {line}
         AND period_start >= ? AND period_start < ? AND deleted_at IS NULL{only}"
    );
    let mut params = vec![Value::Timestamp(Utc::now()), org.value(), Value::text(metric.key())];
    params.extend(objective.product_line.map(Value::Int));
    params.extend([Value::Date(first_day(year)?), Value::Date(first_day(year + 1)?)]);
    params.extend(rep.map(Value::Int));
    db.execute(&sql, &params)?;
    Ok(())
}

/// Inserts or revives the monthly quota rows, keyed as `quotas.csv` would key them
/// (`rep|YYYY-MM|metric|product line`, by external ids).
fn upsert(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    year: i32,
    objective: &Objective,
    rows: &[QuotaRow],
) -> Result<usize> {
    let Some(metric) = objective.metric.quota_metric() else { return Ok(0) };
    let line_key = match objective.product_line {
        Some(id) => directory.product_lines.get(&id).map(|(key, _)| key.clone()).unwrap_or_default(),
        None => String::new(),
    };
    let mut next_id = orgs::allocate_ids(db, org, "quotas", rows.len() as i64)?;
    // Many rows per statement: one round trip per batch on PostgreSQL.
    for batch in rows.chunks(200) {
        let mut params: Vec<Value> = Vec::with_capacity(batch.len() * 11);
        for row in batch {
            let Some(rep) = directory.person(row.rep) else { continue };
            let start = NaiveDate::from_ymd_opt(year, row.month, 1).ok_or_else(year_out_of_range)?;
            let end =
                if row.month == 12 { first_day(year + 1)? } else { start.with_month(row.month + 1).unwrap_or(start) };
            let period = format!("{year}-{:02}", row.month);
            let key = format!("{}|{period}|{}|{line_key}", rep.external_id, metric.key());
            params.extend([
                org.value(),
                Value::Int(next_id),
                Value::owned(key),
                Value::Int(row.rep),
                Value::owned(period),
                Value::Date(start),
                Value::Date(end),
                Value::text(metric.key()),
                Value::opt_int(objective.product_line),
                Value::Int(row.target.max(0)),
            ]);
            next_id += 1;
        }
        let count = params.len() / 10;
        if count == 0 {
            continue;
        }
        let marks = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"; count].join(", ");
        let sql = format!(
            "INSERT INTO quotas (org_id, id, external_id, rep_id, period, period_start, period_end, metric,
             product_line_id, target, deleted_at) VALUES {marks}
             ON CONFLICT (org_id, external_id) DO UPDATE SET target = excluded.target, deleted_at = NULL"
        );
        db.execute(&sql, &params)?;
    }
    Ok(rows.len())
}

/// Each rep's quota for the year (the sum of its monthly quotas) of an objective.
pub fn yearly(
    db: &mut Db,
    org: OrgId,
    year: i32,
    metric: PlanMetric,
    product_line: Option<i64>,
) -> Result<HashMap<i64, i64>> {
    let Some(quota_metric) = metric.quota_metric() else { return Ok(HashMap::new()) };
    let line = if product_line.is_some() { "product_line_id = ?" } else { "product_line_id IS NULL" };
    let sql = format!(
        "SELECT rep_id, CAST(SUM(target) AS BIGINT) FROM quotas WHERE org_id = ? AND metric = ? AND {line}
         AND period_start >= ? AND period_start < ? AND deleted_at IS NULL GROUP BY rep_id"
    );
    let mut params = vec![org.value(), Value::text(quota_metric.key())];
    params.extend(product_line.map(Value::Int));
    params.extend([Value::Date(first_day(year)?), Value::Date(first_day(year + 1)?)]);
    let rows =
        db.query_map(&sql, &params, |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default())))?;
    Ok(rows.into_iter().collect())
}

/// [`yearly`] for the reps within the viewer's reach only.
pub fn yearly_within(
    db: &mut Db,
    viewer: &Viewer,
    year: i32,
    metric: PlanMetric,
    product_line: Option<i64>,
) -> Result<HashMap<i64, i64>> {
    let mut quotas = yearly(db, viewer.org, year, metric, product_line)?;
    quotas.retain(|rep, _| viewer.reaches(*rep));
    Ok(quotas)
}

/// Sets one rep's yearly quota of an objective by hand, phased by `seasonality`, audited. The rep
/// must be one of `directory`'s and the total not negative (`ops::plans::adjust_quotas` refuses
/// both before calling this); unscoped.
#[allow(clippy::too_many_arguments)]
pub(crate) fn adjust(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    user: Option<i64>,
    year: i32,
    objective: Objective,
    rep: i64,
    seasonality: &MonthlyIndex,
) -> Result<()> {
    db.transaction(|db| {
        let before = yearly(db, org, year, objective.metric, objective.product_line)?.get(&rep).copied();
        retire(db, org, year, &objective, Some(rep))?;
        let months = phase(objective.total, &seasonality.weights());
        let rows: Vec<QuotaRow> =
            months.iter().enumerate().map(|(m, &target)| QuotaRow { rep, month: m as u32 + 1, target }).collect();
        upsert(db, org, directory, year, &objective, &rows)?;
        audit::record(
            db,
            org,
            Change {
                user,
                action: "adjust",
                entity: "quota",
                entity_id: Some(rep),
                before: before
                    .map(|b| serde_json::json!({ "year": year, "metric": objective.metric.key(), "yearly": b })),
                after: Some(
                    serde_json::json!({ "year": year, "metric": objective.metric.key(), "yearly": objective.total }),
                ),
            },
        )?;
        orgs::bump_revisions(db, org, &[Revision::Data])?;
        Ok(())
    })
}

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
use quotient_core::planning::{
    Allocation, Basis, FutureError, MonthlyIndex, allocate_plan, change_from, first_open_month, keep_months_past,
    plan_risk,
};
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
    /// The first month (0 = January) the allocation changes: the months before it keep the
    /// quotas they had ([`keep_history`]).
    pub from_month: usize,
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
    let directory = Directory::load(db, org)?;
    for objective in objectives(plan) {
        let reps = history::rep_history(db, org, &directory, objective.metric, start, None, objective.product_line)?;
        if reps.is_empty() {
            return Err(Refusal::new("plan", Code::NoRepsToPlan).into());
        }
        let seasonality = seasonality_of(db, org, plan, &objective)?;
        let allocation = allocate_plan(objective.total, &reps, plan.growth_pct / 100.0, &seasonality, &basis);
        allocated.push(Allocated { objective, seasonality, allocation, from_month: 0 });
    }
    Ok(allocated)
}

/// The part of an allocated objective a viewer may see: all of it for the organisation's view; for
/// a manager, the quotas of the reps they reach, with the objective and its risk those of that
/// share alone — nothing of the rest of the company.
pub fn share_of(viewer: &Viewer, allocated: &Allocated) -> Allocated {
    if viewer.reaches_everyone() {
        return allocated.clone();
    }
    // Only the share is copied: a manager's few reps of an organisation of thousands.
    let reps: Vec<_> = allocated.allocation.reps.iter().filter(|q| viewer.reaches(q.rep)).cloned().collect();
    let total: i64 = reps.iter().map(|q| q.yearly).sum();
    let goals: Vec<f64> = reps.iter().map(|q| q.realistic).collect();
    let teams = allocated.allocation.teams.iter().filter(|(team, _)| viewer.reaches(*team)).cloned().collect();
    Allocated {
        objective: Objective { total, ..allocated.objective },
        seasonality: allocated.seasonality.clone(),
        allocation: Allocation { total: plan_risk(total as f64, &goals), teams, reps },
        from_month: allocated.from_month,
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
            retire(db, org, year, planned.from_month, &planned.objective, None)?;
            let rows: Vec<QuotaRow> = planned
                .allocation
                .reps
                .iter()
                .flat_map(|q| {
                    let open = q.monthly.iter().enumerate().skip(planned.from_month);
                    open.map(|(m, &target)| QuotaRow { rep: q.rep, month: m as u32 + 1, target })
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
                    "from_month": a.from_month + 1,
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

/// The first day of month `month` (0 = January) of `year`; the next year's first day for 12.
fn month_start(year: i32, month: usize) -> Result<NaiveDate> {
    match month {
        0..12 => NaiveDate::from_ymd_opt(year, month as u32 + 1, 1).ok_or_else(|| year_out_of_range().into()),
        _ => first_day(year + 1),
    }
}

/// Soft-deletes the year's quotas of an objective that start in month `from` (0 = January) or
/// later (any period). Only `rep`'s, when given.
fn retire(db: &mut Db, org: OrgId, year: i32, from: usize, objective: &Objective, rep: Option<i64>) -> Result<()> {
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
    params.extend([Value::Date(month_start(year, from)?), Value::Date(first_day(year + 1)?)]);
    params.extend(rep.map(Value::Int));
    db.execute(&sql, &params)?;
    Ok(())
}

/// Each rep's live quotas of an objective by the month they start in (0 = January), for the
/// months of `year` before `until` (only `rep`'s, when given): what a change leaves as it was.
fn kept_months(
    db: &mut Db,
    org: OrgId,
    year: i32,
    until: usize,
    objective: &Objective,
    rep: Option<i64>,
) -> Result<HashMap<i64, [i64; 12]>> {
    let mut kept: HashMap<i64, [i64; 12]> = HashMap::new();
    let Some(metric) = objective.metric.quota_metric() else { return Ok(kept) };
    if until == 0 {
        return Ok(kept);
    }
    let line = if objective.product_line.is_some() { "product_line_id = ?" } else { "product_line_id IS NULL" };
    let only = if rep.is_some() { " AND rep_id = ?" } else { "" };
    let sql = format!(
        "SELECT rep_id, period_start, target FROM quotas WHERE org_id = ? AND metric = ? AND {line}
         AND period_start >= ? AND period_start < ? AND deleted_at IS NULL{only}"
    );
    let mut params = vec![org.value(), Value::text(metric.key())];
    params.extend(objective.product_line.map(Value::Int));
    params.extend([Value::Date(first_day(year)?), Value::Date(month_start(year, until)?)]);
    params.extend(rep.map(Value::Int));
    let rows = db.query_map(&sql, &params, |row| {
        Ok((row.int(0)?.unwrap_or_default(), row.date(1)?, row.int(2)?.unwrap_or_default()))
    })?;
    for (rep, start, target) in rows {
        if let Some(start) = start {
            kept.entry(rep).or_insert([0; 12])[start.month0() as usize] += target;
        }
    }
    Ok(kept)
}

/// The refusal of a change that the months to come cannot take.
fn refusal_of(error: FutureError, field: &'static str) -> Refusal {
    match error {
        FutureError::NoMonthsLeft => Refusal::new("fiscal_year", Code::NoMonthsLeft),
        FutureError::BelowMonthsPast { kept } => Refusal::new(field, Code::BelowMonthsPast).count("kept", kept),
    }
}

/// Re-places an allocation so that it keeps history ("start low, raise later" must not rewrite
/// it): the objective's quotas of the months up to and including the one of `as_of` stay as they
/// are, and the rest of the plan goes to the months after, split by the reps' shares and phased
/// by the seasonality. A plan allocated for the first time (`first_allocation`) has no quotas of
/// its own to keep: it phases the whole year.
pub fn keep_history(
    db: &mut Db,
    org: OrgId,
    year: i32,
    planned: &mut Allocated,
    as_of: NaiveDate,
    first_allocation: bool,
) -> Result<()> {
    let first = if first_allocation { 0 } else { first_open_month(year, as_of.year(), as_of.month()) };
    let kept = kept_months(db, org, year, first, &planned.objective, None)?;
    let weights = planned.seasonality.weights();
    keep_months_past(&mut planned.allocation, |rep| kept.get(rep).copied().unwrap_or([0; 12]), first, &weights)
        .map_err(|e| refusal_of(e, "plan"))?;
    planned.from_month = first;
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

/// A hand change of one rep's yearly quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Adjustment<'a> {
    pub year: i32,
    pub objective: Objective,
    pub rep: i64,
    /// The caller's today: its month and those before keep their quotas.
    pub as_of: NaiveDate,
    /// Why the quota is lowered (required then, `ops::plans::adjust_quotas` checks it).
    pub reason: Option<&'a str>,
}

/// Sets one rep's yearly quota of an objective by hand, audited: the months up to the current
/// one keep their quotas, and what they do not hold is phased by `seasonality` over the months to
/// come (refused when there are none, or when they would need a negative quota). A lowered quota's
/// audit entry carries its reason and the mark `"lowered": true`. The rep must be one of
/// `directory`'s and the total not negative (`ops::plans::adjust_quotas` refuses both before
/// calling this); unscoped.
pub(crate) fn adjust(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    user: Option<i64>,
    change: &Adjustment,
    seasonality: &MonthlyIndex,
) -> Result<()> {
    let Adjustment { year, objective, rep, as_of, reason } = *change;
    db.transaction(|db| {
        let before = yearly(db, org, year, objective.metric, objective.product_line)?.get(&rep).copied();
        let first = first_open_month(year, as_of.year(), as_of.month());
        let kept = kept_months(db, org, year, first, &objective, Some(rep))?.get(&rep).copied().unwrap_or([0; 12]);
        let months = change_from(&kept, first, objective.total, &seasonality.weights())
            .map_err(|e| refusal_of(e, "yearly").count("rep", rep))?;
        retire(db, org, year, first, &objective, Some(rep))?;
        let rows: Vec<QuotaRow> = months
            .iter()
            .enumerate()
            .skip(first)
            .map(|(m, &target)| QuotaRow { rep, month: m as u32 + 1, target })
            .collect();
        upsert(db, org, directory, year, &objective, &rows)?;
        let lowered = before.is_some_and(|b| objective.total < b);
        let mut after = serde_json::json!({
            "year": year,
            "metric": objective.metric.key(),
            "yearly": objective.total,
            "from_month": first + 1,
        });
        if lowered {
            after["lowered"] = serde_json::json!(true);
            after["reason"] = serde_json::json!(reason.unwrap_or_default());
        }
        audit::record(
            db,
            org,
            Change {
                user,
                action: if lowered { "lower" } else { "adjust" },
                entity: "quota",
                entity_id: Some(rep),
                before: before
                    .map(|b| serde_json::json!({ "year": year, "metric": objective.metric.key(), "yearly": b })),
                after: Some(after),
            },
        )?;
        orgs::bump_revisions(db, org, &[Revision::Data])?;
        Ok(())
    })
}

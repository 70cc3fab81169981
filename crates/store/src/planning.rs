//! What planning reads from an organisation: each rep's monthly history of a metric and the
//! organisation's seasonality, from the month cells of the rollups.

use crate::db::Db;
use crate::error::Result;
use crate::kpi::{self, Directory, Filter};
use crate::orgs::OrgId;
use chrono::{Datelike, NaiveDate};
use quotient_core::planning::{MonthlyIndex, RepHistory, monthly_index};
use std::collections::HashMap;

/// A metric a plan allocates, and the rollup field its history is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanMetric {
    /// Revenue won, in cents.
    Revenue,
    /// Deals won.
    Deals,
}

impl PlanMetric {
    fn field(self) -> &'static str {
        match self {
            PlanMetric::Revenue => "won_amount",
            PlanMetric::Deals => "won",
        }
    }

    /// Its key in a bundle's `quotas.csv`.
    pub fn key(self) -> &'static str {
        match self {
            PlanMetric::Revenue => "revenue",
            PlanMetric::Deals => "deals",
        }
    }
}

/// Each rep's last twelve whole months before the plan's first month (their team is their manager),
/// and the seasonality of the `years` whole years before it. A plan made before its year begins
/// reads up to the current month, whose history is not complete yet.
pub fn history(
    db: &mut Db,
    org: OrgId,
    metric: PlanMetric,
    plan_start: NaiveDate,
    years: u32,
) -> Result<(Vec<RepHistory<i64>>, MonthlyIndex)> {
    let month_of = |day: NaiveDate| NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
    let first_month = month_of(plan_start).min(month_of(chrono::Utc::now().date_naive()));
    let back = |n: i32| first_month.with_year(first_month.year() - n).unwrap_or(first_month);
    let start = back(years.max(1) as i32);
    let all = Filter { reps: None, product_line: None };
    let cells = kpi::per_cell(db, org, kpi::Grain::Month, metric.field(), start, first_month, all)?;
    let mut organisation: HashMap<NaiveDate, i64> = HashMap::new();
    let mut by_rep: HashMap<(i64, NaiveDate), i64> = HashMap::new();
    for (rep, month, value) in cells {
        *organisation.entry(month).or_default() += value;
        *by_rep.entry((rep, month)).or_default() += value;
    }
    let last_year: Vec<NaiveDate> = (0..12)
        .filter_map(|i| {
            let months = first_month.year() * 12 + first_month.month0() as i32 - 12 + i;
            NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
        })
        .collect();
    let directory = Directory::load(db, org)?;
    let reps = directory
        .people
        .iter()
        .filter(|p| p.is_rep)
        .map(|p| RepHistory {
            rep: p.id,
            team: p.manager_id.unwrap_or(0),
            months: last_year.iter().map(|m| by_rep.get(&(p.id, *m)).copied().unwrap_or(0) as f64).collect(),
        })
        .collect();
    let history: Vec<(NaiveDate, i64)> = organisation.into_iter().collect();
    Ok((reps, monthly_index(&history, first_month, years)))
}

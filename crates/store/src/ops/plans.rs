//! The company plan and the quotas allocated from it: saving the plan, allocating it into the reps'
//! quotas, and adjusting quotas by hand — each all or nothing.

use super::{permit, refuse_any};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::{Code, Refusal, Result, StoreError};
use crate::ids::RepId;
use crate::kpi::Directory;
use crate::planning::PlanMetric;
use crate::planning::company_plan::{self, CompanyPlan};
use crate::planning::quotas::{self, Allocated, Objective};
use quotient_core::access::{Action, Resource, sees_whole_company_plan};
use quotient_core::input::Refusals;

pub use crate::planning::company_plan::YEARS;

/// The year's plan, for a caller who sees the whole plan (a manager reads their reps' share of it
/// through [`quotas_of`]); not found otherwise, nor when there is none.
pub fn find_plan(db: &mut Db, scope: &Viewer, year: i32) -> Result<CompanyPlan> {
    permit(scope, Resource::CompanyPlan, Action::Read)?;
    if !sees_whole_company_plan(scope.role) {
        return Err(StoreError::NotPermitted);
    }
    saved(db, scope, year)
}

/// Saves the year's plan (creating or replacing it). Refused as [`CompanyPlan::refusals`] says,
/// and when a territory or product line is not the organisation's. Returns the plan as saved.
pub fn save_plan(db: &mut Db, scope: &Viewer, plan: &CompanyPlan) -> Result<CompanyPlan> {
    permit(scope, Resource::CompanyPlan, Action::Edit)?;
    db.transaction(|db| {
        company_plan::save(db, scope.org, scope.actor(), plan)?;
        saved(db, scope, plan.fiscal_year)
    })
}

fn saved(db: &mut Db, scope: &Viewer, year: i32) -> Result<CompanyPlan> {
    company_plan::find(db, scope.org, year)?.ok_or_else(|| StoreError::NotFound(format!("no plan for {year}")))
}

/// A plan to allocate into the reps' quotas.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocatePlan {
    pub year: i32,
    /// The plan to allocate (and, when written, to save first); the year's saved plan when `None`.
    pub plan: Option<CompanyPlan>,
    /// Whether the allocation becomes the reps' quotas; else nothing is written.
    pub write: bool,
}

/// A plan allocated.
#[derive(Debug, Clone)]
pub struct Allocation {
    pub plan: CompanyPlan,
    /// Each objective's allocation to the reps.
    pub allocated: Vec<Allocated>,
    /// The monthly quota rows written, when written.
    pub written: Option<usize>,
}

/// Allocates a plan to the organisation's reps, and when `write` is set saves the plan given and
/// writes the allocation as the reps' quotas for the year — in one transaction: a plan that cannot
/// be allocated is not saved either. Refused as [`save_plan`] is, and when there are no reps.
pub fn allocate_plan(db: &mut Db, scope: &Viewer, command: &AllocatePlan) -> Result<Allocation> {
    permit(scope, Resource::CompanyPlan, Action::Edit)?;
    let year = command.year;
    db.transaction(|db| {
        let plan = match &command.plan {
            Some(plan) => {
                let plan = CompanyPlan { fiscal_year: year, ..plan.clone() };
                match command.write {
                    true => company_plan::save(db, scope.org, scope.actor(), &plan)?,
                    false => company_plan::check(db, scope.org, &plan)?,
                }
                plan
            }
            None => saved(db, scope, year)?,
        };
        let allocated = quotas::allocate(db, scope.org, &plan)?;
        let written = match command.write {
            true => Some(quotas::write(db, scope.org, scope.actor(), year, &allocated)?),
            false => None,
        };
        let plan = if command.write { saved(db, scope, year)? } else { plan };
        Ok(Allocation { plan, allocated, written })
    })
}

/// Quotas set by hand: each rep's yearly quota of an objective for the whole organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustQuotas {
    pub year: i32,
    pub metric: PlanMetric,
    /// (rep, yearly quota: cents for money, a count otherwise).
    pub quotas: Vec<(RepId, i64)>,
}

/// The quotas of an objective after an adjustment (or as they stand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotas {
    pub metric: PlanMetric,
    /// (rep, yearly quota) of the reps within the caller's reach, by rep.
    pub reps: Vec<(RepId, i64)>,
    pub total: i64,
    /// The plan's objective, for a caller who sees the whole plan.
    pub plan: Option<i64>,
}

impl Quotas {
    /// The quotas minus the plan.
    pub fn difference(&self) -> Option<i64> {
        self.plan.map(|plan| self.total - plan)
    }
}

/// Sets reps' yearly quotas by hand, each phased by the plan's seasonality, all in one
/// transaction: refused whole (nothing changed) when any rep is not a rep within the caller's
/// reach or any quota is negative; not found without a plan for the year. A quota set to what it
/// is changes nothing.
pub fn adjust_quotas(db: &mut Db, scope: &Viewer, command: &AdjustQuotas) -> Result<Quotas> {
    permit(scope, Resource::CompanyPlan, Action::Edit)?;
    let metric = command.metric;
    let directory = Directory::load(db, scope.org)?;
    db.transaction(|db| {
        let plan = saved(db, scope, command.year)?;
        let mut refusals = Refusals::new();
        if metric.quota_metric().is_none() {
            refusals.push(Refusal::new("metric", Code::Choice));
        }
        for &(RepId(rep), yearly) in &command.quotas {
            if !scope.reaches(rep) || directory.person(rep).is_none_or(|p| !p.is_rep) {
                refusals.push(Refusal::new("rep_id", Code::RepOutOfReach).count("rep", rep));
            }
            if yearly < 0 {
                let code = if metric.is_money() { Code::Amount } else { Code::Count };
                refusals.push(Refusal::new("yearly", code).count("rep", rep));
            }
        }
        refuse_any(refusals)?;
        let current = quotas::yearly(db, scope.org, command.year, metric, None)?;
        let objective = Objective { metric, product_line: None, total: 0 };
        let seasonality = quotas::seasonality_of(db, scope.org, &plan, &objective)?;
        for &(RepId(rep), total) in &command.quotas {
            if current.get(&rep) != Some(&total) {
                let objective = Objective { total, ..objective };
                quotas::adjust(db, scope.org, &directory, scope.actor(), command.year, objective, rep, &seasonality)?;
            }
        }
        quotas_in(db, scope, command.year, metric)
    })
}

/// The yearly quotas of an objective of `year` within the caller's reach, with the plan's
/// objective for a caller who sees the whole plan.
pub fn quotas_of(db: &mut Db, scope: &Viewer, year: i32, metric: PlanMetric) -> Result<Quotas> {
    permit(scope, Resource::CompanyPlan, Action::Read)?;
    if metric.quota_metric().is_none() {
        return Err(Refusal::new("metric", Code::Choice).into());
    }
    quotas_in(db, scope, year, metric)
}

fn quotas_in(db: &mut Db, scope: &Viewer, year: i32, metric: PlanMetric) -> Result<Quotas> {
    let mut reps: Vec<(RepId, i64)> = quotas::yearly_within(db, scope, year, metric, None)?
        .into_iter()
        .map(|(rep, quota)| (RepId(rep), quota))
        .collect();
    reps.sort_unstable();
    let total = reps.iter().map(|(_, quota)| quota).sum();
    let plan = match sees_whole_company_plan(scope.role) {
        true => company_plan::find(db, scope.org, year)?,
        false => None,
    };
    let plan = plan.and_then(|plan| {
        quotas::objectives(&plan).into_iter().find(|o| o.metric == metric && o.product_line.is_none()).map(|o| o.total)
    });
    Ok(Quotas { metric, reps, total, plan })
}

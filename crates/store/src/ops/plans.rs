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
use crate::planning::quotas::{self, Adjustment, Allocated, Objective};
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::access::{Action, Resource, sees_whole_company_plan};
use quotient_core::input::Refusals;
use quotient_core::planning::{keep_realistic_goals, unallocated};

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

/// What to do with a plan that asks more than the reps' realistic goals add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeyondHistory {
    /// Spread the whole plan over the reps, above their realistic goals.
    AllocateAnyway,
    /// Keep each rep's quota at their realistic goal; the rest of the plan stays unallocated.
    KeepRealisticGoals,
}

impl BeyondHistory {
    pub const KEYS: [&'static str; 2] = ["allocate", "keep"];

    pub fn key(self) -> &'static str {
        match self {
            BeyondHistory::AllocateAnyway => "allocate",
            BeyondHistory::KeepRealisticGoals => "keep",
        }
    }

    pub fn from_key(key: &str) -> Option<BeyondHistory> {
        match key {
            "allocate" => Some(BeyondHistory::AllocateAnyway),
            "keep" => Some(BeyondHistory::KeepRealisticGoals),
            _ => None,
        }
    }
}

/// A plan to allocate into the reps' quotas.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocatePlan {
    pub year: i32,
    /// The plan to allocate (and, when written, to save first); the year's saved plan when `None`.
    pub plan: Option<CompanyPlan>,
    /// Whether the allocation becomes the reps' quotas; else nothing is written.
    pub write: bool,
    /// The caller's today: the quotas of its month and those before stay as they are.
    pub as_of: NaiveDate,
    /// The choice a plan beyond what history supports requires before it is written.
    pub beyond_history: Option<BeyondHistory>,
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

impl Allocation {
    /// Whether some objective asks more than the reps' realistic goals add up to (by a unit or more).
    pub fn beyond_history(&self) -> bool {
        self.allocated.iter().any(beyond_history)
    }
}

fn beyond_history(allocated: &Allocated) -> bool {
    allocated.allocation.total.gap.round() > 0.0
}

/// What of an objective no rep carries: the plan minus the quotas allocated (kept at realistic goals).
pub fn unallocated_of(allocated: &Allocated) -> i64 {
    unallocated(allocated.objective.total, &allocated.allocation)
}

/// Allocates a plan to the organisation's reps, and when `write` is set saves the plan given and
/// writes the allocation as the reps' quotas for the year — in one transaction: a plan that cannot
/// be allocated is not saved either. The quotas of the months up to the current one (of `as_of`)
/// stay as they are; the plan lands on the months to come (a plan's first allocation phases the
/// whole year). A plan beyond what history supports (plan − realistic goals > 0) is written only with a
/// [`BeyondHistory`] choice. Refused as [`save_plan`] is, when there are no reps, when there is a
/// gap and no choice, and when the months past already hold more than the plan.
pub fn allocate_plan(db: &mut Db, scope: &Viewer, command: &AllocatePlan) -> Result<Allocation> {
    permit(scope, Resource::CompanyPlan, Action::Edit)?;
    let year = command.year;
    db.transaction(|db| {
        let first_allocation = company_plan::find(db, scope.org, year)?.is_none_or(|p| p.allocated_at.is_none());
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
        let mut allocated = quotas::allocate(db, scope.org, &plan)?;
        let beyond = allocated.iter().any(beyond_history);
        if beyond && command.write && command.beyond_history.is_none() {
            return Err(Refusal::new("beyond_history", Code::BeyondHistoryChoice).into());
        }
        for planned in &mut allocated {
            if beyond_history(planned) && command.beyond_history == Some(BeyondHistory::KeepRealisticGoals) {
                keep_realistic_goals(&mut planned.allocation, &planned.seasonality.weights());
            }
            quotas::keep_history(db, scope.org, year, planned, command.as_of, first_allocation)?;
        }
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
    /// The caller's today: the quotas of its month and those before stay as they are.
    pub as_of: NaiveDate,
    /// Why quotas are lowered: required when any is.
    pub reason: Option<String>,
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

/// Sets reps' yearly quotas by hand, all in one transaction, without rewriting history: the
/// months up to the current one (of `as_of`) keep their quotas and the change is phased by the
/// plan's seasonality over the months to come. Refused whole (nothing changed) when any rep is not
/// a rep within the caller's reach, any quota is negative, a quota is lowered without a reason, the
/// year has no month left or a quota would fall below what its months past hold; not found
/// without a plan for the year. A quota set to what it is changes nothing; a lowered one is
/// audited with its reason and marked lowered.
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
        let current = quotas::yearly(db, scope.org, command.year, metric, None)?;
        let reason = command.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        // A negative quota is refused as such, not as lowered.
        let lowers =
            command.quotas.iter().any(|(RepId(rep), total)| *total >= 0 && current.get(rep).is_some_and(|c| total < c));
        if lowers && reason.is_none() {
            refusals.push(Refusal::new("reason", Code::ReasonForLowering));
        }
        if reason.is_some_and(|r| r.chars().count() > MAX_REASON) {
            refusals.push(Refusal::new("reason", Code::TooLong).count("max", MAX_REASON as i64));
        }
        refuse_any(refusals)?;
        let objective = Objective { metric, product_line: None, total: 0 };
        let seasonality = quotas::seasonality_of(db, scope.org, &plan, &objective)?;
        let mut refusals = Refusals::new();
        for &(RepId(rep), total) in &command.quotas {
            if current.get(&rep) != Some(&total) {
                let objective = Objective { total, ..objective };
                let change = Adjustment { year: command.year, objective, rep, as_of: command.as_of, reason };
                match quotas::adjust(db, scope.org, &directory, scope.actor(), &change, &seasonality) {
                    Err(StoreError::Refused(found)) => found.into_iter().for_each(|r| refusals.push(r)),
                    other => other?,
                }
            }
        }
        refuse_any(refusals)?;
        quotas_in(db, scope, command.year, metric)
    })
}

/// The longest reason for lowering a quota, in characters.
pub const MAX_REASON: usize = 500;

/// A change of a rep's quota, as the audit log holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaChange {
    pub at: DateTime<Utc>,
    pub user: Option<i64>,
    pub rep: RepId,
    pub metric: String,
    pub before: Option<i64>,
    pub after: i64,
    /// Lowered quotas are marked, with the reason given.
    pub lowered: bool,
    pub reason: Option<String>,
}

/// The latest hand changes of `year`'s quotas (up to 50), of the reps within the caller's reach,
/// latest first.
pub fn quota_changes(db: &mut Db, scope: &Viewer, year: i32) -> Result<Vec<QuotaChange>> {
    permit(scope, Resource::CompanyPlan, Action::Read)?;
    let entries = crate::audit::latest(db, scope.org, "quota", 500)?;
    Ok(entries
        .into_iter()
        .filter_map(|entry| {
            let rep = entry.entity_id.filter(|rep| scope.reaches(*rep))?;
            let after = entry.after?;
            (after["year"].as_i64() == Some(i64::from(year))).then_some(())?;
            Some(QuotaChange {
                at: entry.at,
                user: entry.user,
                rep: RepId(rep),
                metric: after["metric"].as_str().unwrap_or_default().to_string(),
                before: entry.before.and_then(|b| b["yearly"].as_i64()),
                after: after["yearly"].as_i64()?,
                lowered: after["lowered"].as_bool().unwrap_or(false),
                reason: after["reason"].as_str().map(str::to_string),
            })
        })
        .take(50)
        .collect())
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

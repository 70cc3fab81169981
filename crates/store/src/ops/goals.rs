//! Activity goals as targets: a manager sets the week's or month's goals of cold calls, call-backs,
//! conversations, appointments set, field visits, first appointments and proposals for the reps of
//! their subtree (executives and admins for everyone's), often by taking the goal-setting
//! assistant's suggestions as they are; a rep reads their own.

use super::{permit, refuse_any};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::{Code, Refusal, Result};
use crate::ids::RepId;
use crate::kpi::Directory;
use crate::planning::activity_goals::{self, Goal};
use quotient_core::access::{Action, Resource};
use quotient_core::input::Refusals;
use quotient_core::model::QuotaMetric;
use quotient_core::{Period, QuotaPeriod};

/// One goal as typed: the metric's key, the period (`YYYY-Www` or `YYYY-MM`) and the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalInput {
    pub rep: RepId,
    pub metric: String,
    pub period: String,
    pub target: i64,
}

/// Goals to set, all or none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetActivityGoals {
    pub goals: Vec<GoalInput>,
}

/// The goal a typed one names, or why not: a metric that is no activity goal, a period that is not
/// a week or a month, a negative target.
pub fn read_goal(input: &GoalInput) -> std::result::Result<Goal, Vec<Refusal>> {
    let mut refusals = Refusals::new();
    let metric = input.metric.parse::<QuotaMetric>().ok().filter(|m| m.is_activity_goal());
    if metric.is_none() {
        refusals.push(Refusal::new("metric", Code::GoalMetric));
    }
    let period = input
        .period
        .parse::<QuotaPeriod>()
        .ok()
        .filter(|p| matches!(p, QuotaPeriod::Week { .. } | QuotaPeriod::Month { .. }));
    if period.is_none() {
        refusals.push(Refusal::new("period", Code::GoalPeriod));
    }
    if input.target < 0 {
        refusals.push(Refusal::new("target", Code::Count));
    }
    refusals.finish()?;
    match (metric, period) {
        (Some(metric), Some(period)) => Ok(Goal { rep: input.rep.0, metric, period, target: input.target }),
        _ => Err(vec![]),
    }
}

/// Sets activity goals in one transaction, each audited: refused whole (nothing written) when any
/// goal's rep is not a rep within the caller's reach or the goal cannot be read ([`read_goal`]).
/// Returns how many goals changed (a goal set to what it is changes nothing).
pub fn set_activity_goals(db: &mut Db, scope: &Viewer, command: &SetActivityGoals) -> Result<usize> {
    permit(scope, Resource::ActivityGoals, Action::Edit)?;
    let directory = Directory::load(db, scope.org)?;
    let mut refusals = Refusals::new();
    let mut goals = vec![];
    for input in &command.goals {
        let RepId(rep) = input.rep;
        if !scope.reaches(rep) || directory.person(rep).is_none_or(|p| !p.is_rep) {
            refusals.push(Refusal::new("rep_id", Code::RepOutOfReach).count("rep", rep));
        }
        match read_goal(input) {
            Ok(goal) => goals.push(goal),
            Err(found) => found.into_iter().for_each(|r| refusals.push(r)),
        }
    }
    refuse_any(refusals)?;
    db.transaction(|db| {
        let mut changed = 0;
        for goal in &goals {
            if let Some(rep) = directory.person(goal.rep) {
                changed += usize::from(activity_goals::set(db, scope.org, scope.actor(), rep, goal)?);
            }
        }
        Ok(changed)
    })
}

/// The activity goals whose week or month starts within `period`, of the reps within the caller's
/// reach, by rep, period and metric.
pub fn activity_goals_of(db: &mut Db, scope: &Viewer, period: Period) -> Result<Vec<Goal>> {
    permit(scope, Resource::ActivityGoals, Action::Read)?;
    let goals = activity_goals::within(db, scope.org, period.start(), period.end(), None)?;
    Ok(goals.into_iter().filter(|g| scope.reaches(g.rep)).collect())
}

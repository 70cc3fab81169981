//! The demo's plans for its current year: a company plan allocated into the reps' revenue and deal
//! quotas, and the reps' territory plans at every step of their workflow — written through the
//! store's operations as the command line's operator, the way `quotient plan` and the pages write
//! them, so that `/plan`, `/goals` and `/territory-plans` have something to show on first start.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use quotient_core::Money;
use quotient_core::coaching::Step;
use quotient_core::model::UserRole;
use quotient_store::access::Viewer;
use quotient_store::ids::RepId;
use quotient_store::kpi::{Directory, Person};
use quotient_store::ops::coaching::{self, AdvanceTerritoryPlan, SaveTerritoryPlan};
use quotient_store::ops::plans::{self, AllocatePlan, BeyondHistory};
use quotient_store::planning::PlanMetric;
use quotient_store::planning::company_plan::CompanyPlan;
use quotient_store::planning::territory_plans::{self, KeyAccountInput, ObjectiveInput, PlanContent};
use quotient_store::{Db, StoreError};

/// The growth the plan asks of every rep over their own trailing median, in percent.
const GROWTH_PCT: f64 = 5.0;

/// What the demo planned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Planned {
    /// Monthly quotas written from the company plan.
    pub quotas: usize,
    /// Territory plans by where they stand: draft, returned (a draft with a comment), submitted,
    /// approved; the rest of the reps have not started one.
    pub territory_plans: [usize; 4],
}

/// Plans the year of `as_of` for the organisation of `scope` (the operator), once: an organisation
/// that has a plan for the year keeps it and gets `None`.
pub fn plan_year(
    db: &mut Db,
    scope: &Viewer,
    directory: &Directory,
    as_of: NaiveDate,
    seed: u64,
) -> Result<Option<Planned>> {
    let year = as_of.year();
    match plans::find_plan(db, scope, year) {
        Ok(_) => return Ok(None),
        Err(StoreError::NotFound(_)) => {}
        Err(error) => return Err(error.into()),
    }
    let quotas = company_plan(db, scope, as_of)?;
    let territory_plans = territory_plans(db, scope, directory, year, seed)?;
    Ok(Some(Planned { quotas, territory_plans }))
}

/// The company plan: exactly what the reps' history supports with 5% growth (the plan risk is
/// nil, so the plan is allocated as it stands), revenue and deals, by realistic goals.
fn company_plan(db: &mut Db, scope: &Viewer, as_of: NaiveDate) -> Result<usize> {
    let year = as_of.year();
    let draft =
        CompanyPlan { revenue: Money::from_cents(1), deals: Some(1), growth_pct: GROWTH_PCT, ..CompanyPlan::new(year) };
    let probe = AllocatePlan { year, plan: Some(draft.clone()), write: false, as_of, beyond_history: None };
    let supported = plans::allocate_plan(db, scope, &probe)?;
    let realistic = |metric: PlanMetric| {
        supported
            .allocated
            .iter()
            .find(|a| a.objective.metric == metric)
            .map_or(0, |a| a.allocation.total.realistic.floor() as i64)
    };
    let plan = CompanyPlan {
        revenue: Money::from_cents(realistic(PlanMetric::Revenue)),
        deals: Some(realistic(PlanMetric::Deals)),
        ..draft
    };
    // The realistic goals rounded down leave no gap; should one remain, the plan is what the demo asks.
    let write = AllocatePlan {
        year,
        plan: Some(plan),
        write: true,
        as_of,
        beyond_history: Some(BeyondHistory::AllocateAnyway),
    };
    let done = plans::allocate_plan(db, scope, &write)?;
    Ok(done.written.unwrap_or(0))
}

/// Where a rep's territory plan is left.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    NotStarted,
    Draft,
    Returned,
    Submitted,
    Approved,
}

/// Shares of the reps' plans at each stage (the rest have not started): most approved, some
/// waiting for their manager, some still drafts, a few sent back.
const STAGES: [(Stage, f64); 4] =
    [(Stage::Approved, 0.4), (Stage::Submitted, 0.2), (Stage::Draft, 0.2), (Stage::Returned, 0.1)];

/// Each rep's territory plan: written and submitted in the rep's place, approved or returned in
/// their manager's.
fn territory_plans(db: &mut Db, scope: &Viewer, directory: &Directory, year: i32, seed: u64) -> Result<[usize; 4]> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x7E44_1709);
    let reps: Vec<&Person> = directory.people.iter().filter(|p| p.is_rep).collect();
    let mut places: Vec<usize> = (0..reps.len()).collect();
    rng.shuffle(&mut places);
    let mut counts = [0; 4];
    let total = reps.len();
    for (rep, place) in reps.into_iter().zip(places) {
        let stage = stage_of(place, total);
        if stage == Stage::NotStarted {
            continue;
        }
        let as_rep = Viewer::operator_as(scope.org, directory, rep.id, UserRole::Rep);
        let content = content(db, &as_rep, rep, &mut rng)?;
        coaching::save_territory_plan(db, &as_rep, &SaveTerritoryPlan { rep: RepId(rep.id), year, content })?;
        let step = |db: &mut Db, viewer: &Viewer, step: Step, comment: &str| {
            let command = AdvanceTerritoryPlan { rep: RepId(rep.id), year, step, comment: comment.to_string() };
            coaching::advance_territory_plan(db, viewer, &command).map(|_| ())
        };
        let manager = match rep.manager_id {
            Some(manager) => Viewer::operator_as(scope.org, directory, manager, UserRole::Manager),
            None => scope.clone(),
        };
        if stage != Stage::Draft {
            step(db, &as_rep, Step::Submit, "")?;
        }
        match stage {
            Stage::Approved => step(db, &manager, Step::Approve, "")?,
            Stage::Returned => step(
                db,
                &manager,
                Step::Return,
                "Put a revenue target on every key account and say how you reach its decision maker.",
            )?,
            _ => {}
        }
        let index = match stage {
            Stage::Draft => 0,
            Stage::Returned => 1,
            Stage::Submitted => 2,
            _ => 3,
        };
        counts[index] += 1;
    }
    Ok(counts)
}

/// The stage of the rep at `place` of `reps`: the first [`STAGES`] take their shares in order.
fn stage_of(place: usize, reps: usize) -> Stage {
    let mut share = 0.0;
    for (stage, part) in STAGES {
        share += part;
        if place < (share * reps as f64).round() as usize {
            return stage;
        }
    }
    Stage::NotStarted
}

/// Key-account statuses as the plan's year goes on.
const KEY_ACCOUNT_STATUSES: [&str; 4] = ["in_progress", "in_progress", "at_risk", "won"];

/// A plan as a rep writes it: the year's objectives and three to five of the rep's accounts as
/// key accounts, each with a strategy and a revenue target.
fn content(db: &mut Db, as_rep: &Viewer, rep: &Person, rng: &mut fastrand::Rng) -> Result<PlanContent> {
    let mut accounts = territory_plans::candidate_accounts(db, as_rep, rep.id)?;
    rng.shuffle(&mut accounts);
    let key_accounts: Vec<KeyAccountInput> = accounts
        .into_iter()
        .take(rng.usize(3..6))
        .map(|(account_id, name)| KeyAccountInput {
            account_id,
            strategy: format!(
                "Map {name}'s decision process, meet the financial authority before the proposal, and bring a reference from the same industry."
            ),
            target: Money::from_cents(rng.i64(20..120) * 100_000),
            status: KEY_ACCOUNT_STATUSES[rng.usize(0..KEY_ACCOUNT_STATUSES.len())].to_string(),
        })
        .collect();
    let weekly_first_appointments = rng.i64(4..9);
    let mut measured_objectives = vec![ObjectiveInput {
        description: format!("{weekly_first_appointments} new first appointments a week"),
        kpi: Some("first_appointments".into()),
        account_id: None,
        target: weekly_first_appointments * 46,
    }];
    if let Some(first) = key_accounts.first() {
        measured_objectives.push(ObjectiveInput {
            description: "Win the first key account's target".into(),
            kpi: None,
            account_id: Some(first.account_id),
            target: first.target.cents(),
        });
    }
    Ok(PlanContent {
        objectives: format!(
            "Reach the revenue quota of the year; hold first appointment → proposal above 60% and the closing ratio above 65%; \
             {weekly_first_appointments} new first appointments a week."
        ),
        new_business:
            "Two new accounts a quarter from the territory's largest companies, starting with the financial authority."
                .into(),
        maintenance: "A business review every quarter with each key account; satisfaction of 8 or more.".into(),
        channel_strategy: "Partners bring the small accounts; the rep works the large ones directly.".into(),
        key_accounts,
        measured_objectives,
    })
}

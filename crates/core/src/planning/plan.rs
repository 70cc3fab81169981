//! A company plan allocated to reps: each rep's realistic yearly goal from their history, the plan
//! split in proportion to those goals (exactly, to the cent), each rep's share phased by month with
//! the seasonality, and the plan risk per team and overall.

use super::{MonthlyIndex, PlanRisk, active_months, allocate, percentile, phase, plan_risk, suggest_goals};

/// A rep's monthly history of the planned metric (e.g. revenue won, in cents), and their team.
#[derive(Debug, Clone, PartialEq)]
pub struct RepHistory<Id> {
    pub rep: Id,
    pub team: Id,
    pub territory: Option<Id>,
    /// The trailing months' values (a month without a value is 0).
    pub months: Vec<f64>,
}

/// A rep's share of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct RepQuota<Id> {
    pub rep: Id,
    pub team: Id,
    /// What history supports for the year: 12 × the median of the rep's active months × (1 + growth),
    /// capped at the team's 75th percentile; a rep without history starts at the team's lowest goal.
    pub realistic: f64,
    pub yearly: i64,
    /// January first; they sum to `yearly`.
    pub monthly: [i64; 12],
}

/// The plan allocated, and what it risks.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation<Id> {
    pub reps: Vec<RepQuota<Id>>,
    /// Per team (in the order teams first appear): the team's share of the plan against its goals.
    pub teams: Vec<(Id, PlanRisk)>,
    pub total: PlanRisk,
}

/// How the plan is split before it is phased.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis<Id> {
    /// In proportion to each rep's realistic goal.
    Goals,
    /// First over territories by the weights the executive sets, then within each territory in
    /// proportion to its reps' realistic goals. Territories without reps (and reps without a
    /// territory) take no part, so the whole plan lands on reps.
    Territories(Vec<(Id, u64)>),
}

/// Allocates `total` over `reps` on `basis`, phased by `seasonality`.
pub fn allocate_plan<Id: Clone + PartialEq>(
    total: i64,
    reps: &[RepHistory<Id>],
    growth: f64,
    seasonality: &MonthlyIndex,
    basis: &Basis<Id>,
) -> Allocation<Id> {
    let mut teams: Vec<Id> = vec![];
    for rep in reps {
        if !teams.contains(&rep.team) {
            teams.push(rep.team.clone());
        }
    }
    let mut realistic = vec![0.0; reps.len()];
    for team in &teams {
        let members: Vec<usize> = (0..reps.len()).filter(|&i| reps[i].team == *team).collect();
        let history: Vec<Vec<f64>> = members.iter().map(|&i| active_months(&reps[i].months).to_vec()).collect();
        let goals = suggest_goals(&history, 12.0, growth);
        let known: Vec<f64> = goals.iter().flatten().copied().collect();
        let lowest = percentile(&known, 0.0).unwrap_or(0.0);
        for (&i, goal) in members.iter().zip(goals) {
            realistic[i] = goal.unwrap_or(lowest);
        }
    }
    let weights: Vec<u64> = realistic.iter().map(|g| g.max(0.0).round() as u64).collect();
    let yearly = match basis {
        Basis::Goals => allocate(total, &weights),
        Basis::Territories(territories) => by_territory(total, reps, &weights, territories),
    };
    let season = seasonality.weights();
    let quotas: Vec<RepQuota<Id>> = reps
        .iter()
        .zip(realistic.iter().zip(yearly))
        .map(|(rep, (&realistic, yearly))| RepQuota {
            rep: rep.rep.clone(),
            team: rep.team.clone(),
            realistic,
            yearly,
            monthly: phase(yearly, &season),
        })
        .collect();
    let team_risks = teams
        .into_iter()
        .map(|team| {
            let members: Vec<&RepQuota<Id>> = quotas.iter().filter(|q| q.team == team).collect();
            let plan: i64 = members.iter().map(|q| q.yearly).sum();
            let goals: Vec<f64> = members.iter().map(|q| q.realistic).collect();
            (team, plan_risk(plan as f64, &goals))
        })
        .collect();
    Allocation { total: plan_risk(total as f64, &realistic), teams: team_risks, reps: quotas }
}

/// The plan split over the territories that have reps by their weights, then over each one's reps
/// by `weights`.
fn by_territory<Id: Clone + PartialEq>(
    total: i64,
    reps: &[RepHistory<Id>],
    weights: &[u64],
    territories: &[(Id, u64)],
) -> Vec<i64> {
    let staffed: Vec<&(Id, u64)> =
        territories.iter().filter(|(t, _)| reps.iter().any(|r| r.territory.as_ref() == Some(t))).collect();
    let mut yearly = vec![0; reps.len()];
    if staffed.is_empty() {
        // No weighted territory has a rep: the weights cannot place the plan, so goals do.
        return allocate(total, weights);
    }
    let shares = allocate(total, &staffed.iter().map(|(_, w)| *w).collect::<Vec<_>>());
    for ((territory, _), share) in staffed.into_iter().zip(shares) {
        let members: Vec<usize> = (0..reps.len()).filter(|&i| reps[i].territory.as_ref() == Some(territory)).collect();
        let parts = allocate(share, &members.iter().map(|&i| weights[i]).collect::<Vec<_>>());
        for (i, part) in members.into_iter().zip(parts) {
            yearly[i] = part;
        }
    }
    yearly
}

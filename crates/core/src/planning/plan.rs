//! A company plan allocated to reps: each rep's realistic yearly goal from their history, the plan
//! split in proportion to those goals (exactly, to the cent), each rep's share phased by month with
//! the seasonality, and the plan risk per team and overall.

use super::{MonthlyIndex, PlanRisk, active_months, allocate, percentile, phase, plan_risk, suggest_goals};
use std::collections::HashMap;
use std::hash::Hash;

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
pub fn allocate_plan<Id: Clone + Eq + Hash>(
    total: i64,
    reps: &[RepHistory<Id>],
    growth: f64,
    seasonality: &MonthlyIndex,
    basis: &Basis<Id>,
) -> Allocation<Id> {
    let teams = grouped(reps.iter().map(|rep| Some(&rep.team)));
    let mut realistic = vec![0.0; reps.len()];
    for (_, members) in &teams {
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
        .map(|(team, members)| {
            let plan: i64 = members.iter().map(|&i| quotas[i].yearly).sum();
            let goals: Vec<f64> = members.iter().map(|&i| quotas[i].realistic).collect();
            (team.clone(), plan_risk(plan as f64, &goals))
        })
        .collect();
    Allocation { total: plan_risk(total as f64, &realistic), teams: team_risks, reps: quotas }
}

/// The plan split over the territories that have reps by their weights, then over each one's reps
/// by `weights`.
fn by_territory<Id: Eq + Hash>(
    total: i64,
    reps: &[RepHistory<Id>],
    weights: &[u64],
    territories: &[(Id, u64)],
) -> Vec<i64> {
    let members: HashMap<&Id, Vec<usize>> =
        grouped(reps.iter().map(|rep| rep.territory.as_ref())).into_iter().collect();
    // A territory listed twice takes part twice, its second share the one its reps keep.
    let staffed: Vec<(&[usize], u64)> =
        territories.iter().filter_map(|(t, weight)| Some((members.get(t)?.as_slice(), *weight))).collect();
    let mut yearly = vec![0; reps.len()];
    if staffed.is_empty() {
        // No weighted territory has a rep: the weights cannot place the plan, so goals do.
        return allocate(total, weights);
    }
    let shares = allocate(total, &staffed.iter().map(|(_, w)| *w).collect::<Vec<_>>());
    for ((members, _), share) in staffed.into_iter().zip(shares) {
        let parts = allocate(share, &members.iter().map(|&i| weights[i]).collect::<Vec<_>>());
        for (&i, part) in members.iter().zip(parts) {
            yearly[i] = part;
        }
    }
    yearly
}

/// The positions of each key (none for `None`), the keys in the order they first appear: one pass,
/// where looking each key up among the others would grow with the square of an organisation's
/// reps.
fn grouped<'a, Id: Eq + Hash>(keys: impl Iterator<Item = Option<&'a Id>>) -> Vec<(&'a Id, Vec<usize>)> {
    let mut at: HashMap<&Id, usize> = HashMap::new();
    let mut groups: Vec<(&Id, Vec<usize>)> = Vec::new();
    for (i, key) in keys.enumerate() {
        let Some(key) = key else { continue };
        let slot = *at.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[slot].1.push(i);
    }
    groups
}

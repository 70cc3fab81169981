//! The goal-setting assistant: the spread of a team's producers, a realistic goal per rep ("start
//! low": the rep's own trailing median, adjusted by seasonality and growth, capped at the team's
//! 75th percentile), and the plan risk where the plan asks more than the realistic goals add up to.

/// The `p`-th percentile (0–100) of `values` by linear interpolation between the closest ranks
/// (the "inclusive" definition: rank = p/100 × (n − 1), 0-based); `None` without values.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    Some(sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64))
}

/// The bottom, median and top producers of a team, and the 75th percentile that caps suggestions.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Distribution {
    pub bottom: f64,
    pub median: f64,
    pub p75: f64,
    pub top: f64,
}

impl Distribution {
    pub fn of(values: &[f64]) -> Option<Distribution> {
        Some(Distribution {
            bottom: percentile(values, 0.0)?,
            median: percentile(values, 50.0)?,
            p75: percentile(values, 75.0)?,
            top: percentile(values, 100.0)?,
        })
    }
}

/// Each rep's suggested goal for a month: the median of the rep's own monthly history × the month's
/// seasonal factor × (1 + growth), capped at the 75th percentile of the same figure over the team.
/// `history[i]` is rep i's trailing monthly values; a rep without history gets `None`.
pub fn suggest_goals(history: &[Vec<f64>], seasonal_factor: f64, growth: f64) -> Vec<Option<f64>> {
    let adjusted: Vec<Option<f64>> =
        history.iter().map(|months| percentile(months, 50.0).map(|m| m * seasonal_factor * (1.0 + growth))).collect();
    let known: Vec<f64> = adjusted.iter().flatten().copied().collect();
    let cap = percentile(&known, 75.0);
    adjusted.into_iter().map(|goal| goal.map(|g| cap.map_or(g, |c| g.min(c)))).collect()
}

/// How far a plan exceeds what the realistic goals add up to.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PlanRisk {
    pub plan: f64,
    pub realistic: f64,
    /// plan − realistic when positive, else 0.
    pub gap: f64,
    /// gap ÷ plan; `None` for a plan of 0.
    pub share: Option<f64>,
}

pub fn plan_risk(plan: f64, realistic_goals: &[f64]) -> PlanRisk {
    let realistic: f64 = realistic_goals.iter().sum();
    let gap = (plan - realistic).max(0.0);
    PlanRisk { plan, realistic, gap, share: (plan != 0.0).then(|| gap / plan) }
}

/// The months of a rep's history from their first month with any value: the months before a rep
/// started are not months of producing nothing.
pub fn active_months(months: &[f64]) -> &[f64] {
    let first = months.iter().position(|v| *v != 0.0).unwrap_or(months.len());
    &months[first..]
}

/// A rep's line of the goal-setting sheet.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepGoal {
    pub last_12_months: f64,
    /// The median of the rep's active months; `None` without history.
    pub median: Option<f64>,
    pub next_month: Option<f64>,
    pub next_12_months: Option<f64>,
}

/// The goal-setting sheet of a team: each rep's history and suggested goals for next month (whose
/// seasonal factor is given) and the next twelve, and the spread of the team's median months.
pub fn goal_sheet(history: &[Vec<f64>], next_month_factor: f64, growth: f64) -> (Vec<RepGoal>, Option<Distribution>) {
    let active: Vec<Vec<f64>> = history.iter().map(|m| active_months(m).to_vec()).collect();
    let next = suggest_goals(&active, next_month_factor, growth);
    let yearly = suggest_goals(&active, 12.0, growth);
    let medians: Vec<Option<f64>> = active.iter().map(|m| percentile(m, 50.0)).collect();
    let rows = history
        .iter()
        .zip(medians.iter().zip(next.into_iter().zip(yearly)))
        .map(|(months, (median, (next_month, next_12_months)))| RepGoal {
            last_12_months: months.iter().sum(),
            median: *median,
            next_month,
            next_12_months,
        })
        .collect();
    let known: Vec<f64> = medians.into_iter().flatten().collect();
    (rows, Distribution::of(&known))
}

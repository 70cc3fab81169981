//! Activity goals as targets: the work the method asks of a rep each week or month (cold calls,
//! call-backs, conversations, appointments set, field visits, first appointments, proposals), each
//! against its goal prorated to the period by days (`KPIS.md`: attribution).

use super::Tally;
use crate::model::QuotaMetric;
use serde::Serialize;

/// One activity goal over a period: the goal (prorated, fractional), what was done and their ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoalAttainment {
    pub metric: QuotaMetric,
    pub goal: f64,
    pub actual: i64,
    /// actual ÷ goal; undefined for a goal of 0.
    pub attainment: Option<f64>,
}

/// What a rep did of an activity goal's metric in the period's tally; `None` for a metric that is
/// not an activity goal. Proposals are the first appointments of the period that went on to a
/// proposal, the count the funnel credits to the first appointment's day.
pub fn done(metric: QuotaMetric, tally: &Tally) -> Option<i64> {
    Some(match metric {
        QuotaMetric::ColdCalls => tally.cold_calls,
        QuotaMetric::CallBacks => tally.call_backs,
        QuotaMetric::Conversations => tally.conversations,
        QuotaMetric::AppointmentsSet => tally.appointments_set,
        QuotaMetric::FieldVisits => tally.field_visits,
        QuotaMetric::FirstAppointments => tally.first_appointments,
        QuotaMetric::Proposals => tally.first_appointments_to_proposal,
        QuotaMetric::Revenue | QuotaMetric::Margin | QuotaMetric::Deals | QuotaMetric::Estimates => return None,
    })
}

/// Each activity goal that has a (prorated) goal in the period, in the method's order, against what
/// the tally holds.
pub fn activity_goals(goal_of: impl Fn(QuotaMetric) -> Option<f64>, tally: &Tally) -> Vec<GoalAttainment> {
    QuotaMetric::ACTIVITY_GOALS
        .into_iter()
        .filter_map(|metric| {
            let goal = goal_of(metric)?;
            let actual = done(metric, tally)?;
            Some(GoalAttainment { metric, goal, actual, attainment: (goal > 0.0).then(|| actual as f64 / goal) })
        })
        .collect()
}

/// The share of a subject's activity goals met (attainment of at least 1): (met, goals).
pub fn goals_met(goals: &[GoalAttainment]) -> (usize, usize) {
    (goals.iter().filter(|g| g.attainment.is_some_and(|a| a >= 1.0)).count(), goals.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_goal_is_what_was_done_over_the_prorated_goal() {
        let tally = Tally { cold_calls: 45, conversations: 12, first_appointments_to_proposal: 3, ..Tally::default() };
        // A weekly goal of 60 cold calls over a 5-day range of that week: 60 × 5 ÷ 7 = 42.857…;
        // 45 ÷ 42.857 = 1.05. Conversations: 12 ÷ 20 = 0.6. Proposals: 3 ÷ 4 = 0.75. Field visits have a
        // goal of 0: undefined. Call-backs have no goal: not listed.
        let goals = |metric| match metric {
            QuotaMetric::ColdCalls => Some(60.0 * 5.0 / 7.0),
            QuotaMetric::Conversations => Some(20.0),
            QuotaMetric::Proposals => Some(4.0),
            QuotaMetric::FieldVisits => Some(0.0),
            _ => None,
        };
        let found = activity_goals(goals, &tally);
        let keys: Vec<&str> = found.iter().map(|g| g.metric.key()).collect();
        assert_eq!(keys, ["cold_calls", "conversations", "field_visits", "proposals"]);
        assert!((found[0].attainment.unwrap_or_default() - 1.05).abs() < 1e-9);
        assert_eq!((found[1].actual, found[1].attainment), (12, Some(0.6)));
        assert_eq!(found[2].attainment, None);
        assert_eq!((found[3].actual, found[3].attainment), (3, Some(0.75)));
        // Met: cold calls only (1.05 ≥ 1); four goals.
        assert_eq!(goals_met(&found), (1, 4));
        assert_eq!(done(QuotaMetric::Revenue, &tally), None);
    }
}

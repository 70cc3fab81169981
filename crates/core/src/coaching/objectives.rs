//! A territory plan's objectives, measured: each is linked to a KPI of the rep for the plan's year
//! or to a key account (revenue won from it), and shows its progress against its target and
//! against the share of the year gone by.

use crate::kpi::Tally;
use chrono::NaiveDate;
use serde::Serialize;

crate::keyed_enum! {
    /// The KPIs an objective can be measured by, over the plan's year.
    ObjectiveKpi {
        Revenue => "revenue",
        Margin => "margin",
        Deals => "deals",
        FirstAppointments => "first_appointments",
        AppointmentsSet => "appointments_set",
        FieldVisits => "field_visits",
        Demos => "demos",
        Estimates => "estimates",
        ColdCalls => "cold_calls",
    }
}

impl ObjectiveKpi {
    /// Whether the KPI (and so its target) is an amount of money, in cents; else a count.
    pub const fn is_money(self) -> bool {
        matches!(self, ObjectiveKpi::Revenue | ObjectiveKpi::Margin)
    }

    /// The rollup field the KPI sums.
    pub const fn field(self) -> &'static str {
        match self {
            ObjectiveKpi::Revenue => "won_amount",
            ObjectiveKpi::Margin => "won_margin",
            ObjectiveKpi::Deals => "won",
            ObjectiveKpi::FirstAppointments => "first_appointments",
            ObjectiveKpi::AppointmentsSet => "appointments_set",
            ObjectiveKpi::FieldVisits => "field_visits",
            ObjectiveKpi::Demos => "demos",
            ObjectiveKpi::Estimates => "estimates",
            ObjectiveKpi::ColdCalls => "cold_calls",
        }
    }

    /// The KPI's value in a tally (cents for money).
    pub fn actual(self, tally: &Tally) -> i64 {
        match self {
            ObjectiveKpi::Revenue => tally.won_amount,
            ObjectiveKpi::Margin => tally.won_margin,
            ObjectiveKpi::Deals => tally.won,
            ObjectiveKpi::FirstAppointments => tally.first_appointments,
            ObjectiveKpi::AppointmentsSet => tally.appointments_set,
            ObjectiveKpi::FieldVisits => tally.field_visits,
            ObjectiveKpi::Demos => tally.demos,
            ObjectiveKpi::Estimates => tally.estimates,
            ObjectiveKpi::ColdCalls => tally.cold_calls,
        }
    }
}

/// An objective's progress: actual against target, and against the share of the year elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    pub actual: i64,
    pub target: i64,
    /// actual ÷ target; `None` for a target of 0 (nothing to measure against).
    pub share: Option<f64>,
    /// The share of the year elapsed by the day of measure: where a steady pace would stand.
    pub expected: f64,
    /// At or ahead of the steady pace (`share ≥ expected`); `None` when `share` is.
    pub on_track: Option<bool>,
}

/// The share of `year` elapsed at the end of `as_of`: 0 before the year, 1 after it.
pub fn year_elapsed(year: i32, as_of: NaiveDate) -> f64 {
    let (Some(first), Some(next)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year + 1, 1, 1))
    else {
        return 0.0;
    };
    let days = (next - first).num_days() as f64;
    let gone = ((as_of - first).num_days() + 1).clamp(0, (next - first).num_days()) as f64;
    gone / days
}

/// The progress of an objective of `year` measured on `as_of`.
pub fn progress(actual: i64, target: i64, year: i32, as_of: NaiveDate) -> Progress {
    let share = (target > 0).then(|| actual as f64 / target as f64);
    let expected = year_elapsed(year, as_of);
    Progress { actual, target, share, expected, on_track: share.map(|s| s >= expected) }
}

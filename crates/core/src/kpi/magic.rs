//! The magic number and the activity barometer (`KPIS.md`: activity).

use super::{Funnel, Outcome, Tally};
use crate::{Money, Period};
use chrono::NaiveDate;
use serde::Serialize;

/// `KPIS.md`: the rep's own rates are used when they closed at least this many deals (won or lost)
/// in the trailing 12 months; below it, the team's. The default of the setting
/// `method.min_closed_deals_for_own_rates`.
pub const MIN_CLOSED_DEALS_FOR_OWN_RATES: i64 = 5;

/// Whose trailing-12-month rates the magic number was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    Own,
    Team,
}

/// The weekly first-appointment goal and what follows from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MagicNumber {
    /// New first appointments needed per week to reach the remaining revenue quota.
    pub per_week: Option<f64>,
    /// Conversations needed per working day: per week ÷ conversation → appointment ratio ÷ the
    /// working days per week (5 unless set).
    pub daily_conversations: Option<f64>,
    #[serde(rename = "remaining_quota_cents")]
    pub remaining_quota: Option<Money>,
    pub weeks_remaining: f64,
    pub rate_source: RateSource,
}

/// The inputs, all as of the evaluation day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MagicInputs<'a> {
    /// The revenue quota of the period (prorated), if there is one.
    pub revenue_quota: Option<Money>,
    /// Revenue won in the period up to and including the evaluation day.
    pub revenue_so_far: Money,
    /// Days from the day after the evaluation day to the end of the period.
    pub days_remaining: i64,
    /// The subject's tally of the trailing 12 months, and its team's (the fallback).
    pub own_trailing: &'a Tally,
    pub team_trailing: &'a Tally,
    /// The method's parameters: the closed deals a rep needs for their own rates, the working days
    /// of a week (the daily conversations divide by it).
    pub method: &'a crate::settings::Method,
}

impl MagicNumber {
    pub fn of(inputs: MagicInputs<'_>) -> MagicNumber {
        let own = inputs.own_trailing;
        let (rates, rate_source) = if own.won + own.lost >= inputs.method.min_closed_deals_for_own_rates {
            (own, RateSource::Own)
        } else {
            (inputs.team_trailing, RateSource::Team)
        };
        let remaining_quota =
            inputs.revenue_quota.map(|quota| Money::from_cents((quota.cents() - inputs.revenue_so_far.cents()).max(0)));
        let weeks_remaining = (inputs.days_remaining as f64 / 7.0).max(1.0);
        let funnel = Funnel::of(rates);
        let arps = Outcome::of(rates).average_revenue_per_sale;
        let per_week = match (remaining_quota, arps, funnel.first_appointment_to_proposal, funnel.closing_ratio) {
            (Some(remaining), Some(arps), Some(to_proposal), Some(closing))
                if arps > 0.0 && to_proposal * closing > 0.0 =>
            {
                Some(remaining.cents() as f64 / arps / (to_proposal * closing) / weeks_remaining)
            }
            _ => None,
        };
        let to_appointment = super::ratio(rates.appointments_set, rates.conversations).filter(|r| *r > 0.0);
        let working_days = inputs.method.working_days_per_week as f64;
        let daily_conversations = per_week.zip(to_appointment).map(|(magic, ratio)| magic / ratio / working_days);
        MagicNumber { per_week, daily_conversations, remaining_quota, weeks_remaining, rate_source }
    }
}

/// One ISO week of the period that has begun by the evaluation day, as the store reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekFacts {
    /// Its Monday (before the period's start for a period that starts mid-week).
    pub start: NaiveDate,
    pub first_appointments: i64,
    /// Revenue won from the period's start up to the week's start (nothing for the first week).
    pub revenue_before: Money,
}

/// A week of the barometer: the goal that applied in it and how it was met.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarometerWeek {
    pub start: NaiveDate,
    pub first_appointments: i64,
    /// The magic number as of the week's start, times the share of its working days elapsed by
    /// the evaluation day (1 for a past week); `None` where the magic number is undefined or 0.
    pub goal: Option<f64>,
    /// first appointments ÷ goal, in %.
    pub pct: Option<f64>,
}

/// What the weekly goals are computed from, besides the weeks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarometerInputs<'a> {
    pub period: Period,
    pub as_of: NaiveDate,
    pub revenue_quota: Option<Money>,
    pub own_trailing: &'a Tally,
    pub team_trailing: &'a Tally,
    /// The method's parameters (the working days of a week among them).
    pub method: &'a crate::settings::Method,
}

/// `KPIS.md`: each week's new first appointments ÷ the magic number that applied in it — as of the
/// week's start (the period's remaining quota then, its weeks remaining then; the trailing rates of
/// the evaluation day) —, the week in progress against the share of its working days elapsed.
pub fn barometer_weeks(weeks: &[WeekFacts], inputs: BarometerInputs<'_>) -> Vec<BarometerWeek> {
    let period = inputs.period;
    weeks
        .iter()
        .map(|week| {
            let from = week.start.max(period.start());
            let magic = MagicNumber::of(MagicInputs {
                revenue_quota: inputs.revenue_quota,
                revenue_so_far: week.revenue_before,
                days_remaining: (period.end() - from).num_days(),
                own_trailing: inputs.own_trailing,
                team_trailing: inputs.team_trailing,
                method: inputs.method,
            });
            let working_days = inputs.method.working_days_per_week;
            let goal =
                magic.per_week.map(|m| m * working_share(week.start, inputs.as_of, working_days)).filter(|g| *g > 0.0);
            let pct = goal.map(|goal| week.first_appointments as f64 / goal * 100.0);
            BarometerWeek { start: week.start, first_appointments: week.first_appointments, goal, pct }
        })
        .collect()
}

/// The share of the `working_days` (the first days of the week, Monday first) of the week starting
/// `monday` elapsed by the end of `as_of`: 1 for a past week; Wednesday of a five-day week 3/5, the
/// weekend 5/5.
pub fn working_share(monday: NaiveDate, as_of: NaiveDate, working_days: i64) -> f64 {
    let working_days = working_days.max(1);
    let elapsed_days = (as_of - monday).num_days() + 1;
    elapsed_days.clamp(0, working_days) as f64 / working_days as f64
}

/// `KPIS.md`: the activity barometer of a period, the mean of its weeks' percentages; weeks without
/// a goal (no magic number, or the quota already reached) are left out, and with none left it is
/// undefined.
pub fn barometer(weeks: &[BarometerWeek]) -> Option<f64> {
    let judged: Vec<f64> = weeks.iter().filter_map(|week| week.pct).collect();
    (!judged.is_empty()).then(|| judged.iter().sum::<f64>() / judged.len() as f64)
}

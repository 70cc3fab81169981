//! The magic number and the activity barometer (`KPIS.md`: activity).

use super::{Funnel, Outcome, Tally};
use crate::Money;
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

/// `KPIS.md`: new first appointments in a week ÷ magic number, in %; for a longer period the mean
/// of its weeks. `weekly_first_appointments` holds one count per week of the period that has begun.
pub fn barometer(weekly_first_appointments: &[i64], magic_per_week: Option<f64>) -> Option<f64> {
    let magic = magic_per_week.filter(|m| *m > 0.0)?;
    if weekly_first_appointments.is_empty() {
        return None;
    }
    let sum: f64 = weekly_first_appointments.iter().map(|&n| n as f64 / magic * 100.0).sum();
    Some(sum / weekly_first_appointments.len() as f64)
}

//! A subject's scorecard for a period: every KPI of `KPIS.md`, attainment, and the flags.

use super::magic::{BarometerInputs, BarometerWeek, MagicInputs, MagicNumber, WeekFacts, barometer, barometer_weeks};
use super::pipeline::{OpenPipeline, Pipeline, VelocityRates};
use super::{Activity, Funnel, Outcome, PeerComparison, Tally, ratio};
use crate::diagnostics::{self, Flag, FlagInputs, Thresholds};
use crate::settings::Method;
use crate::{Money, Period};
use chrono::NaiveDate;
use serde::Serialize;

/// The quota targets that count toward the period, prorated by days (`KPIS.md`: attribution);
/// `None` where the subject has no quota for the metric. Counts are fractional once prorated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Quotas {
    #[serde(rename = "revenue_cents")]
    pub revenue: Option<Money>,
    #[serde(rename = "margin_cents")]
    pub margin: Option<Money>,
    pub deals: Option<f64>,
    pub first_appointments: Option<f64>,
    pub estimates: Option<f64>,
}

/// Everything the store gathers for one subject and period.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardFacts {
    pub period: Period,
    /// The evaluation day (inclusive): the magic number and the pipeline are as of its end.
    pub as_of: NaiveDate,
    pub tally: Tally,
    /// Revenue won from the period's start up to and including `as_of`.
    pub revenue_so_far: Money,
    /// Each ISO week of the period that has begun by `as_of`: its first appointments and the
    /// revenue won in the period before it.
    pub weeks: Vec<WeekFacts>,
    /// The trailing 12 months up to `as_of`: the subject's and its team's.
    pub trailing: Tally,
    pub team_trailing: Tally,
    /// The pooled tally of the rep's peers in the period (reps only).
    pub peers: Option<Tally>,
    pub quotas: Quotas,
    pub open: OpenPipeline,
    /// Close − creation days of each opportunity won in the period, for the median.
    pub won_cycle_days: Vec<i64>,
}

/// Actual ÷ quota per metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Attainment {
    pub revenue: Option<f64>,
    pub margin: Option<f64>,
    pub deals: Option<f64>,
    pub first_appointments: Option<f64>,
    pub estimates: Option<f64>,
    /// The share of the period elapsed by the evaluation day: where attainment should be on pace.
    pub expected: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub period: String,
    pub as_of: NaiveDate,
    pub outcome: Outcome,
    pub median_cycle_days: Option<f64>,
    pub funnel: Funnel,
    pub activity: Activity,
    pub pipeline: Pipeline,
    pub quotas: Quotas,
    pub attainment: Attainment,
    pub magic_number: MagicNumber,
    /// New first appointments per week ÷ the week's goal, in %, mean of the period's weeks so far.
    pub barometer_pct: Option<f64>,
    /// The weeks of the barometer, each with the goal that applied in it.
    pub barometer_weeks: Vec<BarometerWeek>,
    pub peers: Option<PeerComparison>,
    pub flags: Vec<Flag>,
}

impl Scorecard {
    /// The scorecard with the default method parameters.
    pub fn of(facts: &ScorecardFacts, thresholds: &Thresholds) -> Scorecard {
        Scorecard::with_method(facts, thresholds, &Method::default())
    }

    /// The scorecard under an organisation's thresholds and method parameters.
    pub fn with_method(facts: &ScorecardFacts, thresholds: &Thresholds, method: &Method) -> Scorecard {
        let period = facts.period;
        let outcome = Outcome::of(&facts.tally);
        let funnel = Funnel::of(&facts.tally);
        let quotas = facts.quotas;
        let money_share = |actual: Money, quota: Option<Money>| quota.and_then(|q| ratio(actual.cents(), q.cents()));
        let count_share = |actual: i64, quota: Option<f64>| quota.filter(|q| *q > 0.0).map(|q| actual as f64 / q);
        let elapsed = (facts.as_of + chrono::Duration::days(1)).clamp(period.start(), period.end());
        let elapsed_days = (elapsed - period.start()).num_days();
        let attainment = Attainment {
            revenue: money_share(outcome.revenue, quotas.revenue),
            margin: money_share(outcome.margin, quotas.margin),
            deals: count_share(outcome.deals, quotas.deals),
            first_appointments: count_share(facts.tally.first_appointments, quotas.first_appointments),
            estimates: count_share(facts.tally.estimates, quotas.estimates),
            expected: elapsed_days as f64 / period.days() as f64,
        };
        let magic_number = MagicNumber::of(MagicInputs {
            revenue_quota: quotas.revenue,
            revenue_so_far: facts.revenue_so_far,
            days_remaining: (period.end() - elapsed).num_days(),
            own_trailing: &facts.trailing,
            team_trailing: &facts.team_trailing,
            method,
        });
        let barometer_weeks = barometer_weeks(
            &facts.weeks,
            BarometerInputs {
                period,
                as_of: facts.as_of,
                revenue_quota: quotas.revenue,
                own_trailing: &facts.trailing,
                team_trailing: &facts.team_trailing,
                method,
            },
        );
        let barometer_pct = barometer(&barometer_weeks);
        let trailing = Outcome::of(&facts.trailing);
        let pipeline = Pipeline::of(
            &facts.open,
            magic_number.remaining_quota,
            VelocityRates {
                win_rate: trailing.win_rate,
                average_revenue_per_sale: trailing.average_revenue_per_sale,
                mean_cycle_days: trailing.mean_cycle_days,
            },
        );
        let peers = facts.peers.as_ref().map(|peers| PeerComparison::of(&facts.tally, peers));
        // On pace: revenue so far against the quota prorated to the days elapsed.
        let pace = quotas.revenue.filter(|q| q.cents() > 0 && elapsed_days > 0).map(|quota| {
            let expected = quota.cents() as f64 * elapsed_days as f64 / period.days() as f64;
            facts.revenue_so_far.cents() as f64 / expected
        });
        let activity = Activity::of(&facts.tally);
        let flags = diagnostics::flags(
            &FlagInputs {
                first_appointment_to_next_step: funnel.first_appointment_to_next_step,
                first_appointment_to_proposal: funnel.first_appointment_to_proposal,
                closing_ratio: funnel.closing_ratio,
                barometer_pct,
                revenue_per_sale_vs_peers: peers.as_ref().and_then(|p| p.average_revenue_per_sale_vs_peers),
                cycle_days_vs_peers: peers.as_ref().and_then(|p| p.cycle_days_vs_peers),
                pace,
                top_level_contact_share: ratio(
                    facts.tally.first_appointments_top_level,
                    facts.tally.first_appointments,
                ),
                conversation_to_appointment: activity.conversation_to_appointment,
            },
            thresholds,
        );
        Scorecard {
            period: period.to_string(),
            as_of: facts.as_of,
            outcome,
            median_cycle_days: median(&facts.won_cycle_days),
            funnel,
            activity,
            pipeline,
            quotas,
            attainment,
            magic_number,
            barometer_pct,
            barometer_weeks,
            peers,
            flags,
        }
    }
}

/// The median of `values`: the middle one, or the mean of the two middle ones.
pub fn median(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // Selected rather than sorted: an organisation's total has every won deal's cycle.
    let (mut values, even) = (values.to_vec(), values.len().is_multiple_of(2));
    let mid = values.len() / 2;
    let (below, &mut upper, _) = values.select_nth_unstable(mid);
    Some(match below.iter().max() {
        Some(&lower) if even => (lower + upper) as f64 / 2.0,
        _ => upper as f64,
    })
}

//! What planning reads from an organisation: each rep's monthly history of a metric and the
//! organisation's seasonality, from the month cells of the rollups.

use crate::db::Db;
use crate::error::Result;
use crate::kpi::{self, Directory, Filter};
use crate::orgs::OrgId;
use chrono::{Datelike, NaiveDate};
use quotient_core::model::QuotaMetric;
use quotient_core::planning::{MonthlyIndex, RepHistory, monthly_index};
use std::collections::HashMap;

/// A metric goals are set for, and the rollup field its history is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanMetric {
    /// Revenue won, in cents.
    Revenue,
    /// Margin won, in cents.
    Margin,
    /// Deals won.
    Deals,
    FirstAppointments,
    /// First appointments that went on to a proposal.
    Proposals,
    ColdCalls,
    CallBacks,
    Appointments,
    FieldVisits,
    /// Calls that connected or set an appointment.
    Conversations,
    /// Activities whose outcome was an appointment set.
    AppointmentsSet,
}

impl PlanMetric {
    pub const ALL: [PlanMetric; 11] = [
        PlanMetric::Revenue,
        PlanMetric::Margin,
        PlanMetric::Deals,
        PlanMetric::FirstAppointments,
        PlanMetric::Proposals,
        PlanMetric::ColdCalls,
        PlanMetric::CallBacks,
        PlanMetric::Appointments,
        PlanMetric::FieldVisits,
        PlanMetric::Conversations,
        PlanMetric::AppointmentsSet,
    ];

    fn field(self) -> &'static str {
        match self {
            PlanMetric::Revenue => "won_amount",
            PlanMetric::Margin => "won_margin",
            PlanMetric::Deals => "won",
            PlanMetric::FirstAppointments => "first_appointments",
            PlanMetric::Proposals => "first_appointments_to_proposal",
            PlanMetric::ColdCalls => "cold_calls",
            PlanMetric::CallBacks => "call_backs",
            PlanMetric::Appointments => "appointments",
            PlanMetric::FieldVisits => "field_visits",
            PlanMetric::Conversations => "conversations",
            PlanMetric::AppointmentsSet => "appointments_set",
        }
    }

    /// Its key (and, for revenue, margin, deals and first appointments, its key in `quotas.csv`).
    pub fn key(self) -> &'static str {
        match self {
            PlanMetric::Revenue => "revenue",
            PlanMetric::Margin => "margin",
            PlanMetric::Deals => "deals",
            PlanMetric::FirstAppointments => "first_appointments",
            PlanMetric::Proposals => "proposals",
            PlanMetric::ColdCalls => "cold_calls",
            PlanMetric::CallBacks => "call_backs",
            PlanMetric::Appointments => "appointments",
            PlanMetric::FieldVisits => "field_visits",
            PlanMetric::Conversations => "conversations",
            PlanMetric::AppointmentsSet => "appointments_set",
        }
    }

    pub fn from_key(key: &str) -> Option<PlanMetric> {
        PlanMetric::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The quota metric it is allocated as, for the metrics a company plan sets.
    pub fn quota_metric(self) -> Option<QuotaMetric> {
        match self {
            PlanMetric::Revenue => Some(QuotaMetric::Revenue),
            PlanMetric::Margin => Some(QuotaMetric::Margin),
            PlanMetric::Deals => Some(QuotaMetric::Deals),
            PlanMetric::FirstAppointments => Some(QuotaMetric::FirstAppointments),
            _ => None,
        }
    }

    pub fn is_money(self) -> bool {
        matches!(self, PlanMetric::Revenue | PlanMetric::Margin)
    }

    /// The activity goal its suggestions may become (appointments of every kind have none: the
    /// method sets goals for appointments set and first appointments).
    pub fn activity_goal(self) -> Option<QuotaMetric> {
        match self {
            PlanMetric::ColdCalls => Some(QuotaMetric::ColdCalls),
            PlanMetric::CallBacks => Some(QuotaMetric::CallBacks),
            PlanMetric::Conversations => Some(QuotaMetric::Conversations),
            PlanMetric::AppointmentsSet => Some(QuotaMetric::AppointmentsSet),
            PlanMetric::FieldVisits => Some(QuotaMetric::FieldVisits),
            PlanMetric::FirstAppointments => Some(QuotaMetric::FirstAppointments),
            PlanMetric::Proposals => Some(QuotaMetric::Proposals),
            _ => None,
        }
    }
}

/// The first month history stops before: the plan's first month, or the current month when the plan
/// is made before its year begins (the current month's history is not complete yet).
fn history_end(plan_start: NaiveDate) -> NaiveDate {
    let month_of = |day: NaiveDate| NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
    month_of(plan_start).min(month_of(chrono::Utc::now().date_naive()))
}

/// The organisation's seasonality over the `years` whole years before the plan (of one product
/// line's business, or of all).
pub fn seasonality(
    db: &mut Db,
    org: OrgId,
    metric: PlanMetric,
    plan_start: NaiveDate,
    years: u32,
    product_line: Option<i64>,
) -> Result<MonthlyIndex> {
    let end = history_end(plan_start);
    let start = end.with_year(end.year() - years.max(1) as i32).unwrap_or(end);
    let history = kpi::organisation_months(db, org, metric.field(), start, end, product_line)?;
    Ok(monthly_index(&history, end, years))
}

/// The last twelve whole months before the plan of each rep among `reps` (every rep: `None`), in
/// one product line or all; a rep's team is their manager in `directory`, the organisation's.
pub fn rep_history(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    metric: PlanMetric,
    plan_start: NaiveDate,
    reps: Option<&[i64]>,
    product_line: Option<i64>,
) -> Result<Vec<RepHistory<i64>>> {
    let end = history_end(plan_start);
    let start = end.with_year(end.year() - 1).unwrap_or(end);
    let filter = Filter { reps, product_line };
    let mut values: HashMap<(i64, NaiveDate), i64> = HashMap::new();
    for (rep, month, value) in kpi::per_cell(db, org, kpi::Grain::Month, metric.field(), start, end, filter)? {
        *values.entry((rep, month)).or_default() += value;
    }
    let months: Vec<NaiveDate> = (0..12)
        .filter_map(|i| {
            let index = start.year() * 12 + start.month0() as i32 + i;
            NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        })
        .collect();
    let wanted: Option<std::collections::HashSet<i64>> = reps.map(|reps| reps.iter().copied().collect());
    Ok(directory
        .people
        .iter()
        .filter(|p| p.is_rep && wanted.as_ref().is_none_or(|wanted| wanted.contains(&p.id)))
        .map(|p| RepHistory {
            rep: p.id,
            team: p.manager_id.unwrap_or(0),
            territory: p.territory_id,
            months: months.iter().map(|m| values.get(&(p.id, *m)).copied().unwrap_or(0) as f64).collect(),
        })
        .collect())
}

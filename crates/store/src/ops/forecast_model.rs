//! The forecast from the data: a subject's expected revenue for a period from its open deals and
//! the history of closed ones, beside the naive forecasts, and its back-test over past periods.

mod accuracy;
mod figures;

pub use accuracy::{AccuracyOn, AccuracyReport, CallWeek, SubmitterAccuracy, call_weeks, forecast_accuracy};
pub use figures::{ACCURACY_PERIODS, FiguresOn, ForecastFigures, forecast_figures};

use super::permit;
use super::reports::{SubjectRequest, subject};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::Result;
use crate::forecast::expected;
use crate::forecast::history::{self, Deals};
use crate::kpi::{self, Directory, Scope};
use chrono::{Duration, NaiveDate};
use quotient_core::access::{Action, Resource};
use quotient_core::forecast::accuracy::{Accuracy, PastCall};
use quotient_core::forecast::band::{self, PastErrors};
use quotient_core::forecast::model::{Book, DataForecast, DealForecast, HISTORY_DAYS, StepRate, last_day};
use quotient_core::{Money, Period};
use serde::Serialize;
use std::collections::HashMap;

/// A data forecast to make.
#[derive(Debug, Clone)]
pub struct ForecastOn {
    pub subject: SubjectRequest,
    pub period: Period,
    /// The day the forecast is made as of (its end): today, or a past day to see what was known.
    pub as_of: NaiveDate,
    /// Today, from which on an open deal is weighted by its current stage.
    pub today: NaiveDate,
}

/// A rep's forecast.
#[derive(Debug, Clone, Serialize)]
pub struct RepForecast {
    pub rep_id: i64,
    pub external_id: String,
    pub name: String,
    #[serde(flatten)]
    pub forecast: DataForecast,
}

/// An open deal's part of the forecast.
#[derive(Debug, Clone, Serialize)]
pub struct DealLine {
    pub opportunity_id: i64,
    pub name: String,
    pub rep_id: i64,
    #[serde(flatten)]
    pub forecast: DealForecast,
}

/// The data forecast of a subject for a period.
#[derive(Debug, Clone, Serialize)]
pub struct DataForecastReport {
    pub subject_kind: &'static str,
    pub subject_id: Option<String>,
    pub subject_name: String,
    pub period: String,
    pub as_of: NaiveDate,
    pub total: DataForecast,
    pub reps: Vec<RepForecast>,
    /// The subject's open deals, the largest expected part first.
    pub deals: Vec<DealLine>,
    /// The rates of the subject's deals closed in the year before the day, per step.
    pub rates: Vec<StepRate>,
}

/// The subject's reps' data forecast for the period as of the day (`docs/FORECAST.md`); the subject
/// is decided and refused as a report's is ([`subject`]).
pub fn data_forecast(
    db: &mut Db,
    scope: &Viewer,
    directory: &Directory,
    request: &ForecastOn,
) -> Result<DataForecastReport> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let resolved = directory.resolve(&subject(scope, directory, &request.subject)?)?;
    let since = band::earliest_day(request.period, request.as_of);
    let deals = db.transaction(|db| history::deals_since(db, scope.org, since))?;
    let method = kpi::settings(db, scope.org)?.method;
    let teams = teams(directory);
    let book = book(&deals, &teams, request.today, method.min_closed_deals_for_own_rates);
    let mut past = PastErrors::default();
    let forecast = book.forecast_banded(&resolved.reps, request.period, request.as_of, &mut past);
    let person = |id: i64| directory.person(id);
    let reps = forecast
        .owners
        .into_iter()
        .map(|(rep, forecast)| RepForecast {
            rep_id: rep,
            external_id: person(rep).map(|p| p.external_id.clone()).unwrap_or_default(),
            name: person(rep).map(|p| p.name.clone()).unwrap_or_default(),
            forecast,
        })
        .collect();
    let mut lines: Vec<DealLine> = forecast
        .deals
        .into_iter()
        .map(|(index, part)| DealLine {
            opportunity_id: deals.labels[index].0,
            name: deals.labels[index].1.clone(),
            rep_id: deals.deals[index].owner,
            forecast: part,
        })
        .collect();
    lines.sort_by(|a, b| b.forecast.expected.cmp(&a.forecast.expected).then(a.opportunity_id.cmp(&b.opportunity_id)));
    Ok(DataForecastReport {
        subject_kind: resolved.kind,
        subject_id: resolved.id,
        subject_name: resolved.name,
        period: request.period.to_string(),
        as_of: request.as_of,
        total: forecast.total,
        reps,
        deals: lines,
        rates: forecast.rates,
    })
}

/// Each person's team: their manager, or themselves without one.
fn teams(directory: &Directory) -> HashMap<i64, i64> {
    directory.people.iter().map(|p| (p.id, p.manager_id.unwrap_or(p.id))).collect()
}

fn book<'a>(deals: &'a Deals, teams: &'a HashMap<i64, i64>, today: NaiveDate, min_closed: i64) -> Book<'a> {
    Book { deals: &deals.deals, team_of: teams, step_probability_bp: deals.step_probability_bp, today, min_closed }
}

/// A back-test to run: the subject's data forecast for each period as of days before it ended.
#[derive(Debug, Clone)]
pub struct BacktestOn {
    pub subject: SubjectRequest,
    pub periods: Vec<Period>,
    /// The forecasts are made this many whole weeks before each period's last day, and as of the
    /// eve of its start.
    pub weeks_before_end: Vec<i64>,
    pub today: NaiveDate,
}

/// One forecast of the back-test beside what the period won.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestLine {
    pub period: String,
    /// Whole weeks before the period's last day the forecast was made; none on the eve of its start.
    pub lead_weeks: Option<i64>,
    pub as_of: NaiveDate,
    #[serde(rename = "actual_cents")]
    pub actual: Money,
    #[serde(flatten)]
    pub forecast: DataForecast,
}

/// The error of one way of forecasting at one distance from the periods' ends.
#[derive(Debug, Clone, Serialize)]
pub struct MethodAccuracy {
    /// `data`, `weighted_pipeline` or `last_period_actual`.
    pub method: &'static str,
    /// As [`BacktestLine::lead_weeks`].
    pub lead_weeks: Option<i64>,
    #[serde(flatten)]
    pub accuracy: Accuracy,
    /// The share of the data forecast's 10–90 % intervals that held the actual (data only).
    pub interval_hit_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    pub subject_name: String,
    pub lines: Vec<BacktestLine>,
    pub accuracy: Vec<MethodAccuracy>,
}

/// How a method reads its call from a forecast.
type CallOf = fn(&DataForecast) -> Money;

/// The methods compared, with how each reads its call from a forecast.
const METHODS: [(&str, CallOf); 3] = [
    ("data", |f| f.expected),
    ("weighted_pipeline", |f| f.weighted_pipeline),
    ("last_period_actual", |f| f.last_period_actual),
];

/// Forecasts each period as it would have been forecast on the eve of its start and the given
/// weeks before its end, from what was known on each day, beside what it won; and the errors of
/// the data forecast and the naive forecasts by weeks before the end. Periods not yet over are left
/// out.
pub fn backtest(db: &mut Db, scope: &Viewer, directory: &Directory, request: &BacktestOn) -> Result<Backtest> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let resolved: Scope = directory.resolve(&subject(scope, directory, &request.subject)?)?;
    let periods: Vec<Period> = request.periods.iter().copied().filter(|p| last_day(*p) < request.today).collect();
    let leads = leads(&request.weeks_before_end);
    let as_of = |period: Period, lead_weeks: Option<i64>| {
        lead_weeks.map_or(period.start() - Duration::days(1), |w| last_day(period) - Duration::days(7 * w))
    };
    let since = periods
        .iter()
        .flat_map(|&period| leads.iter().map(move |&lead| band::earliest_day(period, as_of(period, lead))))
        .min()
        .unwrap_or(request.today);
    let deals = db.transaction(|db| history::deals_since(db, scope.org, since))?;
    let method = kpi::settings(db, scope.org)?.method;
    let teams = teams(directory);
    let book = book(&deals, &teams, request.today, method.min_closed_deals_for_own_rates);
    let mut past = PastErrors::default();
    let mut lines = Vec::new();
    for period in periods {
        let actual = book.forecast(&resolved.reps, period, last_day(period)).total.won;
        for &lead_weeks in &leads {
            let as_of = as_of(period, lead_weeks);
            let forecast = book.forecast_banded(&resolved.reps, period, as_of, &mut past).total;
            lines.push(BacktestLine { period: period.to_string(), lead_weeks, as_of, actual, forecast });
        }
    }
    Ok(Backtest { subject_name: resolved.name, accuracy: accuracy_of(&leads, &lines), lines })
}

/// The eve (none) and the distinct weeks before the end, furthest first.
fn leads(weeks_before_end: &[i64]) -> Vec<Option<i64>> {
    let mut leads: Vec<Option<i64>> = weeks_before_end.iter().copied().map(Some).collect();
    leads.sort_unstable_by(|a, b| b.cmp(a));
    leads.dedup();
    leads.insert(0, None);
    leads
}

/// The errors of each method at each lead, in the order given.
pub fn accuracy_of(leads: &[Option<i64>], lines: &[BacktestLine]) -> Vec<MethodAccuracy> {
    let mut out = Vec::new();
    for (method, call_of) in METHODS {
        for &lead_weeks in leads {
            let at: Vec<&BacktestLine> = lines.iter().filter(|l| l.lead_weeks == lead_weeks).collect();
            let calls: Vec<PastCall> = at
                .iter()
                .map(|line| PastCall {
                    weeks_before_end: line.lead_weeks.unwrap_or_default(),
                    called: call_of(&line.forecast),
                    actual: line.actual,
                })
                .collect();
            let interval_hit_rate = (method == "data").then(|| {
                let held = at.iter().filter(|l| l.forecast.low <= l.actual && l.actual <= l.forecast.high).count();
                held as f64 / at.len().max(1) as f64
            });
            out.push(MethodAccuracy { method, lead_weeks, accuracy: Accuracy::of(&calls), interval_hit_rate });
        }
    }
    out
}

/// Every rep's expected revenue from the data for the period as of `today`, in cents, by rep: what
/// the roll-up shows beside the calls. Kept by the revisions it was computed at, so a read computes
/// it only after a write (`crate::forecast::expected`).
pub(crate) fn expected_by_rep(
    db: &mut Db,
    scope: &Viewer,
    directory: &Directory,
    period: Period,
    today: NaiveDate,
) -> Result<HashMap<i64, i64>> {
    let revisions = expected::revisions(db, scope.org)?;
    if let Some(kept) = expected::read(db, scope.org, period, today, revisions)? {
        return Ok(kept);
    }
    let since = today.min(period.previous().start()) - Duration::days(HISTORY_DAYS);
    let deals = db.transaction(|db| history::deals_since(db, scope.org, since))?;
    let method = kpi::settings(db, scope.org)?.method;
    let teams = teams(directory);
    let book = book(&deals, &teams, today, method.min_closed_deals_for_own_rates);
    let reps: Vec<i64> = directory.people.iter().filter(|p| p.is_rep).map(|p| p.id).collect();
    let by_rep: HashMap<i64, i64> =
        book.expected(&reps, period, today).into_iter().map(|(rep, f)| (rep, f.expected.cents())).collect();
    db.transaction(|db| expected::write(db, scope.org, period, today, revisions, &by_rep))?;
    Ok(by_rep)
}

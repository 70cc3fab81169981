//! The forecast page's figures from kept ones (`crate::forecast::figures`): the data forecast of a
//! subject with its band, a person's calls over the weeks of the period, and the accuracy of the
//! calls of the periods before. Every person's figures are computed for the whole organisation
//! once per pipeline revision, directory revision, period and day (and the judged calls once per
//! those and the calls of their periods); a read adds up the figures of the people it shows.

use super::accuracy::{
    self, AccuracyReport, CallWeek, call_week, judge, judged_since, owners_of, people_of, person_of,
};
use super::{DataForecastReport, DealLine, RepForecast, book, teams};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::Result;
use crate::forecast::calls;
use crate::forecast::expected::{self, Revisions};
use crate::forecast::figures::{self, JudgedCall, KeptDeal, Kind, Marks, PersonFigures};
use crate::forecast::history::{self, Deals};
use crate::kpi::{self, Directory};
use crate::ops::permit;
use crate::ops::reports::{SubjectRequest, subject};
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::Period;
use quotient_core::access::{Action, Resource};
use quotient_core::forecast::band::{self, PastForecast};
use quotient_core::forecast::model::{DataForecast, DealForecast, Expected, Spread, last_day};
use serde::Serialize;
use std::collections::HashMap;

/// The periods before the one shown whose calls are judged.
pub const ACCURACY_PERIODS: usize = 4;

/// The figures to read: a subject's, for a period, on a day.
#[derive(Debug, Clone)]
pub struct FiguresOn {
    pub subject: SubjectRequest,
    pub period: Period,
    pub today: NaiveDate,
}

/// What the forecast page shows beside the roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct ForecastFigures {
    /// The data forecast as of today (the period's last day once it has ended), as
    /// [`super::data_forecast`] gives it, but with the open deals listed for a rep only and no
    /// rates. Above [`quotient_core::forecast::model::EXACT_INTERVAL_MAX_DEALS`] open deals the
    /// interval's normal approximation adds each rep's sums, so its last cent may differ.
    pub data: DataForecastReport,
    /// A person's calls over the weeks of the period ([`super::call_weeks`]); none for the
    /// organisation.
    pub weeks: Vec<CallWeek>,
    /// The calls of the [`ACCURACY_PERIODS`] periods before, judged ([`super::forecast_accuracy`]).
    pub accuracy: AccuracyReport,
}

/// The deals read at most once for whatever is computed again: from the earliest day asked.
#[derive(Default)]
struct Loaded {
    since: Option<NaiveDate>,
    deals: Deals,
}

impl Loaded {
    fn since(&mut self, db: &mut Db, org: OrgId, day: NaiveDate) -> Result<&Deals> {
        if self.since.is_none_or(|since| since > day) {
            self.deals = db.transaction(|db| history::deals_since(db, org, day))?;
            self.since = Some(day);
        }
        Ok(&self.deals)
    }
}

/// The page's figures of the subject (decided and refused as a report's is), from the kept
/// figures at the organisation's current revisions, computing those that are not.
pub fn forecast_figures(
    db: &mut Db,
    scope: &Viewer,
    directory: &Directory,
    request: &FiguresOn,
) -> Result<ForecastFigures> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let named = subject(scope, directory, &request.subject)?;
    let resolved = directory.resolve(&named)?;
    let (period, today) = (request.period, request.today);
    let revisions = expected::revisions(db, scope.org)?;
    let mut loaded = Loaded::default();
    // The people whose figures are read: the subject's reps, and the person's subtree for their
    // weeks; everyone for the organisation.
    let person = person_of(&named, directory);
    let wanted: Option<Vec<i64>> = person.map(|person| {
        let mut wanted: Vec<i64> = resolved.reps.iter().copied().chain(owners_of(directory, person)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        wanted
    });
    let people = kept_people(db, scope.org, directory, period, today, revisions, wanted.as_deref(), &mut loaded)?;
    let of = |person: &i64| people.get(person);

    // The subject's data forecast: their reps' figures added up, the interval over their deals.
    let owners = &resolved.reps;
    let is_rep = resolved.kind == "rep";
    let mut total = DataForecast::default();
    let mut spread = Spread::default();
    for person in owners.iter().filter_map(of) {
        let f = &person.forecast;
        total.won += f.won;
        total.open_deals += f.open_deals;
        total.open_pipeline += f.open_pipeline;
        total.expected += f.expected;
        total.weighted_pipeline += f.weighted_pipeline;
        total.last_period_actual += f.last_period_actual;
        spread = spread + person.spread;
    }
    let mut deals_of = if is_rep || spread.exact() {
        figures::deals_of(db, scope.org, period, today, owners)?
    } else {
        HashMap::new()
    };
    let parts: Vec<DealForecast> =
        owners.iter().filter_map(|o| deals_of.get(o)).flatten().map(|deal| deal.forecast).collect();
    let (low, high) = spread.interval(&parts);
    (total.low, total.high) = (total.won + low, total.won + high);
    band::widen_by_together(&mut total, &together(owners.iter().filter_map(of)));
    let reps = owners
        .iter()
        .map(|&rep| {
            let person = directory.person(rep);
            let mut forecast = of(&rep).map(|p| p.forecast.clone()).unwrap_or_default();
            band::widen_by_together(&mut forecast, &together(of(&rep)));
            RepForecast {
                rep_id: rep,
                external_id: person.map(|p| p.external_id.clone()).unwrap_or_default(),
                name: person.map(|p| p.name.clone()).unwrap_or_default(),
                forecast,
            }
        })
        .collect();
    let mut deals: Vec<DealLine> = if is_rep {
        owners
            .iter()
            .flat_map(|&rep| {
                deals_of.remove(&rep).unwrap_or_default().into_iter().map(move |deal: KeptDeal| DealLine {
                    opportunity_id: deal.opportunity_id,
                    name: deal.name,
                    rep_id: rep,
                    forecast: deal.forecast,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    deals.sort_by(|a, b| b.forecast.expected.cmp(&a.forecast.expected).then(a.opportunity_id.cmp(&b.opportunity_id)));
    let data = DataForecastReport {
        subject_kind: resolved.kind,
        subject_id: resolved.id,
        subject_name: resolved.name,
        period: period.to_string(),
        as_of: today.min(last_day(period)),
        total,
        reps,
        deals,
        rates: Vec::new(),
    };

    // A person's weeks: their calls as they stood, beside their and their subtree's figures.
    let weeks = match person {
        None => Vec::new(),
        Some(person) => {
            let beneath = owners_of(directory, person);
            let history = calls::history_of(db, scope.org, period, person)?;
            accuracy::week_ends(period, today)
                .into_iter()
                .enumerate()
                .map(|(at, week_end)| {
                    let week = beneath.iter().filter_map(of).filter_map(|p| p.weeks.get(at).copied()).sum();
                    call_week(&history, person, week_end, today, week)
                })
                .collect()
        }
    };

    // The calls of the periods before, of the people the subject covers.
    let mut past = Vec::new();
    let mut earlier = period;
    for _ in 0..ACCURACY_PERIODS {
        earlier = earlier.previous();
        if last_day(earlier) < today {
            past.push(earlier);
        }
    }
    let judged = judged_calls(db, scope.org, directory, period, &past, today, revisions, &mut loaded)?;
    let covered = people_of(scope, directory, &named)?;
    let accuracy = accuracy::report(directory, &past, judged.iter().filter(|c| covered.contains(&c.subject)));
    Ok(ForecastFigures { data, weeks, accuracy })
}

/// The forecasts of each earlier period of the band by `people` together.
fn together<'a>(people: impl IntoIterator<Item = &'a PersonFigures>) -> Vec<PastForecast> {
    let mut sums: Vec<PastForecast> = Vec::new();
    for person in people {
        if sums.len() < person.past.len() {
            sums.resize(person.past.len(), PastForecast::default());
        }
        for (sum, past) in sums.iter_mut().zip(&person.past) {
            *sum = PastForecast::sum([&*sum, past]);
        }
    }
    sums
}

/// The figures of the period as of the day of the `wanted` people (everyone when none): kept, or
/// computed for everyone and kept.
#[allow(clippy::too_many_arguments)]
fn kept_people(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    period: Period,
    today: NaiveDate,
    revisions: Revisions,
    wanted: Option<&[i64]>,
    loaded: &mut Loaded,
) -> Result<HashMap<i64, PersonFigures>> {
    let marks = Marks { revisions, calls: String::new() };
    if figures::marks(db, org, Kind::Forecast, period, today)?.as_ref() == Some(&marks) {
        return figures::people(db, org, period, today, wanted);
    }
    let as_of = today.min(last_day(period));
    let method = kpi::settings(db, org)?.method;
    let deals = loaded.since(db, org, band::earliest_day(period, as_of))?;
    let teams = teams(directory);
    let book = book(deals, &teams, today, method.min_closed_deals_for_own_rates);
    let everyone: Vec<i64> = directory.people.iter().map(|p| p.id).collect();
    let current = book.forecast(&everyone, period, as_of);
    let past = book.past_forecasts(&everyone, period, as_of);
    let weeks: Vec<HashMap<i64, Expected>> = accuracy::week_ends(period, today)
        .into_iter()
        .map(|week_end| book.expected(&everyone, period, week_end.min(today)).into_iter().collect())
        .collect();
    let mut deals_by: HashMap<i64, Vec<KeptDeal>> = HashMap::new();
    for (index, part) in current.deals {
        let (opportunity_id, name) = deals.labels[index].clone();
        deals_by.entry(deals.deals[index].owner).or_default().push(KeptDeal { opportunity_id, name, forecast: part });
    }
    let rows: Vec<(i64, PersonFigures, Vec<KeptDeal>)> = current
        .owners
        .into_iter()
        .map(|(person, forecast)| {
            let kept = deals_by.remove(&person).unwrap_or_default();
            let parts: Vec<DealForecast> = kept.iter().map(|d| d.forecast).collect();
            let figures = PersonFigures {
                forecast,
                spread: Spread::of(&parts),
                past: past.iter().map(|by| by.get(&person).copied().unwrap_or_default()).collect(),
                weeks: weeks.iter().map(|by| by.get(&person).copied().unwrap_or_default()).collect(),
            };
            (person, figures, kept)
        })
        .collect();
    db.transaction(|db| figures::write_people(db, org, period, today, &marks, &rows))?;
    Ok(rows.into_iter().map(|(person, figures, _)| (person, figures)).collect())
}

/// Every call of the `past` periods judged: kept, or judged and kept.
#[allow(clippy::too_many_arguments)]
fn judged_calls(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    period: Period,
    past: &[Period],
    today: NaiveDate,
    revisions: Revisions,
    loaded: &mut Loaded,
) -> Result<Vec<JudgedCall>> {
    let marks = Marks { revisions, calls: figures::calls_mark(db, org, past)? };
    if figures::marks(db, org, Kind::Accuracy, period, today)?.as_ref() == Some(&marks) {
        return figures::judged_calls(db, org, period, today);
    }
    let calls = accuracy::calls_of(db, org, past, None)?;
    let method = kpi::settings(db, org)?.method;
    let deals = loaded.since(db, org, judged_since(&calls, today))?;
    let teams = teams(directory);
    let book = book(deals, &teams, today, method.min_closed_deals_for_own_rates);
    let judged = judge(&book, directory, &calls);
    db.transaction(|db| figures::write_judged_calls(db, org, period, today, &marks, &judged))?;
    Ok(judged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quotient_core::Money;

    #[test]
    fn the_past_forecasts_of_people_add_up_period_by_period() {
        let m = Money::from_cents;
        let person = |past: &[(i64, i64, i64)]| PersonFigures {
            past: past.iter().map(|&(e, w, a)| PastForecast { expected: m(e), won: m(w), actual: m(a) }).collect(),
            ..PersonFigures::default()
        };
        let (one, two) = (person(&[(10, 1, 20), (30, 3, 40)]), person(&[(5, 0, 6), (7, 1, 8)]));
        let sums = together([&one, &two]);
        assert_eq!(
            sums,
            [
                PastForecast { expected: m(15), won: m(1), actual: m(26) },
                PastForecast { expected: m(37), won: m(4), actual: m(48) }
            ]
        );
        assert!(together([]).is_empty());
    }
}

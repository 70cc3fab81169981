//! How accurate the calls of closed periods turned out, per submitter, beside the data forecast made
//! on the same days for the same people; and one person's calls over the weeks of a period.

use super::{book, teams};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::Result;
use crate::forecast::calls::{self, CallKind, StoredCall};
use crate::forecast::history;
use crate::kpi::{self, Directory, Subject};
use crate::ops::permit;
use crate::ops::reports::{SubjectRequest, subject};
use chrono::{Duration, NaiveDate};
use quotient_core::access::{Action, Resource};
use quotient_core::forecast::accuracy::{self, Accuracy, PastCall};
use quotient_core::forecast::model::{Book, HISTORY_DAYS, last_day};
use quotient_core::{Money, Period};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Closed periods whose calls to judge, for a subject's people.
#[derive(Debug, Clone)]
pub struct AccuracyOn {
    pub subject: SubjectRequest,
    pub periods: Vec<Period>,
    pub today: NaiveDate,
}

/// One submitter's calls (their own and their adjustments of others'), and the data forecast's on
/// the same days for the same people.
#[derive(Debug, Clone, Serialize)]
pub struct SubmitterAccuracy {
    pub person_id: i64,
    pub external_id: String,
    pub name: String,
    pub calls: Accuracy,
    pub data: Accuracy,
    /// Per whole weeks before the period's end, the nearest first: (weeks, calls, data).
    pub by_weeks_before_end: Vec<(i64, Accuracy, Accuracy)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccuracyReport {
    pub periods: Vec<String>,
    pub submitters: Vec<SubmitterAccuracy>,
}

/// The people a subject covers: a rep; a manager and everyone beneath; everyone in reach.
fn people_of(scope: &Viewer, directory: &Directory, subject: &Subject) -> Result<HashSet<i64>> {
    let mut people: HashSet<i64> = match subject {
        Subject::Team(key) => match directory.person_by_external_id(key) {
            Some(manager) => directory.subtree(manager.id).into_iter().chain([manager.id]).collect(),
            None => HashSet::new(),
        },
        Subject::Organisation => directory.people.iter().map(|p| p.id).collect(),
        other => directory.resolve(other)?.reps.into_iter().collect(),
    };
    people.retain(|&p| scope.reaches(p));
    Ok(people)
}

/// A person's deals: their own and those of everyone beneath them (a manager's call is for their
/// subtree).
fn owners_of(directory: &Directory, person: i64) -> Vec<i64> {
    directory.subtree(person).into_iter().chain([person]).collect()
}

/// Memoised forecasts of every owner, per period and day: a call is compared with the data
/// forecast for the same people as of its day, and many calls share a day.
struct Forecasts<'a> {
    book: Book<'a>,
    owners: Vec<i64>,
    by_day: HashMap<(Period, NaiveDate), HashMap<i64, (Money, Money)>>,
}

impl Forecasts<'_> {
    /// (expected, won) of `people`'s deals for the period as of the day.
    fn of(&mut self, people: &[i64], period: Period, day: NaiveDate) -> (Money, Money) {
        let (book, owners) = (&self.book, &self.owners);
        let per_owner = self.by_day.entry((period, day)).or_insert_with(|| {
            let forecast = book.forecast(owners, period, day);
            forecast.owners.into_iter().map(|(owner, f)| (owner, (f.expected, f.won))).collect()
        });
        people
            .iter()
            .filter_map(|p| per_owner.get(p))
            .fold((Money::ZERO, Money::ZERO), |(e, w), (fe, fw)| (e + *fe, w + *fw))
    }
}

/// The accuracy of every call (the commit figure) of the periods that have ended, per submitter,
/// against what the people called for won; beside it the data forecast's made the same day.
pub fn forecast_accuracy(
    db: &mut Db,
    scope: &Viewer,
    directory: &Directory,
    request: &AccuracyOn,
) -> Result<AccuracyReport> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let people = people_of(scope, directory, &subject(scope, directory, &request.subject)?)?;
    let periods: Vec<Period> = request.periods.iter().copied().filter(|p| last_day(*p) < request.today).collect();
    let mut calls_of: Vec<(Period, StoredCall)> = Vec::new();
    for &period in &periods {
        let history = calls::history(db, scope.org, period)?;
        calls_of.extend(history.into_iter().filter(|c| people.contains(&c.subject)).map(|c| (period, c)));
    }
    let earliest = calls_of.iter().map(|(_, c)| c.submitted_at.date_naive()).min().unwrap_or(request.today);
    let since = earliest - Duration::days(HISTORY_DAYS);
    let deals = db.transaction(|db| history::deals_since(db, scope.org, since))?;
    let method = kpi::settings(db, scope.org)?.method;
    let teams = teams(directory);
    let everyone: Vec<i64> = directory.people.iter().map(|p| p.id).collect();
    let mut forecasts = Forecasts {
        book: book(&deals, &teams, request.today, method.min_closed_deals_for_own_rates),
        owners: everyone,
        by_day: HashMap::new(),
    };
    let mut by_submitter: HashMap<i64, (Vec<PastCall>, Vec<PastCall>)> = HashMap::new();
    for (period, call) in &calls_of {
        let submitter = match call.kind {
            CallKind::Own => Some(call.subject),
            CallKind::Adjustment => call.by_person,
        };
        let Some(submitter) = submitter else { continue };
        let owners = owners_of(directory, call.subject);
        let last = last_day(*period);
        let (_, actual) = forecasts.of(&owners, *period, last);
        let day = call.submitted_at.date_naive().min(last);
        let (expected, _) = forecasts.of(&owners, *period, day);
        let weeks_before_end = accuracy::weeks_before_end(day, last);
        let called = Money::from_cents(call.call.commit_cents);
        let entry = by_submitter.entry(submitter).or_default();
        entry.0.push(PastCall { weeks_before_end, called, actual });
        entry.1.push(PastCall { weeks_before_end, called: expected, actual });
    }
    let mut submitters: Vec<SubmitterAccuracy> = by_submitter
        .into_iter()
        .map(|(person, (calls, data))| {
            let who = directory.person(person);
            let data_by_weeks: HashMap<i64, Accuracy> = accuracy::by_weeks_before_end(&data).into_iter().collect();
            SubmitterAccuracy {
                person_id: person,
                external_id: who.map(|p| p.external_id.clone()).unwrap_or_default(),
                name: who.map(|p| p.name.clone()).unwrap_or_default(),
                calls: Accuracy::of(&calls),
                data: Accuracy::of(&data),
                by_weeks_before_end: accuracy::by_weeks_before_end(&calls)
                    .into_iter()
                    .filter_map(|(weeks, a)| data_by_weeks.get(&weeks).map(|d| (weeks, a, *d)))
                    .collect(),
            }
        })
        .collect();
    submitters.sort_by(|a, b| a.name.cmp(&b.name).then(a.person_id.cmp(&b.person_id)));
    Ok(AccuracyReport { periods: periods.iter().map(|p| p.to_string()).collect(), submitters })
}

/// One week of a period for one person: their call and their manager's adjustment as they stood
/// at the week's end, the data forecast then, and what had been won by then.
#[derive(Debug, Clone, Serialize)]
pub struct CallWeek {
    pub week_end: NaiveDate,
    pub commit_cents: Option<i64>,
    pub adjusted_commit_cents: Option<i64>,
    #[serde(rename = "data_expected_cents")]
    pub data_expected: Money,
    #[serde(rename = "won_cents")]
    pub won: Money,
}

/// A person's calls over the weeks of a period that have begun, against the data forecast and the
/// revenue won (their own and their subtree's); refused for a person out of reach, nothing for the
/// organisation.
pub fn call_weeks(
    db: &mut Db,
    scope: &Viewer,
    directory: &Directory,
    person: &SubjectRequest,
    period: Period,
    today: NaiveDate,
) -> Result<Vec<CallWeek>> {
    permit(scope, Resource::Forecast, Action::Read)?;
    let named = match subject(scope, directory, person)? {
        Subject::Rep(key) | Subject::Team(key) => directory.person_by_external_id(&key).map(|p| p.id),
        _ => None,
    };
    // The organisation has no call of its own.
    let Some(subject_person) = named else { return Ok(vec![]) };
    let owners = owners_of(directory, subject_person);
    let history = calls::history(db, scope.org, period)?;
    let deals =
        db.transaction(|db| history::deals_since(db, scope.org, period.start() - Duration::days(HISTORY_DAYS)))?;
    let method = kpi::settings(db, scope.org)?.method;
    let teams = teams(directory);
    let book = book(&deals, &teams, today, method.min_closed_deals_for_own_rates);
    let latest = |kind: CallKind, by: NaiveDate| {
        history
            .iter()
            .rev()
            .find(|c| c.subject == subject_person && c.kind == kind && c.submitted_at.date_naive() <= by)
            .map(|c| c.call.commit_cents)
    };
    Ok(period
        .weeks()
        .map(|week| (week.end() - Duration::days(1)).min(last_day(period)))
        .filter(|&week_end| week_end - Duration::days(6) <= today)
        .map(|week_end| {
            let day = week_end.min(today);
            let forecast = book.forecast(&owners, period, day).total;
            CallWeek {
                week_end,
                commit_cents: latest(CallKind::Own, day),
                adjusted_commit_cents: latest(CallKind::Adjustment, day),
                data_expected: forecast.expected,
                won: forecast.won,
            }
        })
        .collect())
}

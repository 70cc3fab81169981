//! How accurate the calls of closed periods turned out, per submitter, beside the data forecast made
//! on the same days for the same people; and one person's calls over the weeks of a period.

use super::{book, teams};
use crate::access::Viewer;
use crate::db::Db;
use crate::error::Result;
use crate::forecast::calls::{self, CallKind, StoredCall};
use crate::forecast::figures::JudgedCall;
use crate::forecast::history;
use crate::kpi::{self, Directory, Subject};
use crate::ops::permit;
use crate::ops::reports::{SubjectRequest, subject};
use chrono::{Duration, NaiveDate};
use quotient_core::access::{Action, Resource};
use quotient_core::forecast::accuracy::{self, Accuracy, PastCall};
use quotient_core::forecast::model::{Book, Expected, HISTORY_DAYS, last_day};
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
pub(super) fn people_of(scope: &Viewer, directory: &Directory, subject: &Subject) -> Result<HashSet<i64>> {
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
pub(super) fn owners_of(directory: &Directory, person: i64) -> Vec<i64> {
    directory.subtree(person).into_iter().chain([person]).collect()
}

/// Memoised expected and won revenue of every owner, per period and day: a call is compared with
/// the data forecast for the same people as of its day, and many calls share a day.
struct Forecasts<'a> {
    book: &'a Book<'a>,
    owners: Vec<i64>,
    by_day: HashMap<(Period, NaiveDate), HashMap<i64, Expected>>,
}

impl Forecasts<'_> {
    /// (expected, won) of `people`'s deals for the period as of the day.
    fn of(&mut self, people: &[i64], period: Period, day: NaiveDate) -> (Money, Money) {
        let (book, owners) = (self.book, &self.owners);
        let per_owner = self
            .by_day
            .entry((period, day))
            .or_insert_with(|| book.expected(owners, period, day).into_iter().collect());
        people
            .iter()
            .filter_map(|p| per_owner.get(p))
            .fold((Money::ZERO, Money::ZERO), |(e, w), f| (e + f.expected, w + f.won))
    }
}

/// The calls of `periods` of the people in `people` (everyone when none), each with its period,
/// oldest first per period.
pub(super) fn calls_of(
    db: &mut Db,
    org: crate::orgs::OrgId,
    periods: &[Period],
    people: Option<&HashSet<i64>>,
) -> Result<Vec<(Period, StoredCall)>> {
    let mut calls_of = Vec::new();
    for &period in periods {
        let history = calls::history(db, org, period)?;
        calls_of
            .extend(history.into_iter().filter(|c| people.is_none_or(|p| p.contains(&c.subject))).map(|c| (period, c)));
    }
    Ok(calls_of)
}

/// The first day the judging of `calls` reads deals of: the history year before the earliest call.
pub(super) fn judged_since(calls: &[(Period, StoredCall)], today: NaiveDate) -> NaiveDate {
    let earliest = calls.iter().map(|(_, c)| c.submitted_at.date_naive()).min().unwrap_or(today);
    earliest - Duration::days(HISTORY_DAYS)
}

/// Each call (with a submitter) judged: its commit and the data forecast made the same day for the
/// same people, against what they won in the period.
pub(super) fn judge(book: &Book, directory: &Directory, calls: &[(Period, StoredCall)]) -> Vec<JudgedCall> {
    let everyone: Vec<i64> = directory.people.iter().map(|p| p.id).collect();
    let mut forecasts = Forecasts { book, owners: everyone, by_day: HashMap::new() };
    let mut judged = Vec::new();
    for (period, call) in calls {
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
        judged.push(JudgedCall {
            submitter,
            subject: call.subject,
            weeks_before_end: accuracy::weeks_before_end(day, last),
            called: Money::from_cents(call.call.commit_cents),
            expected,
            actual,
        });
    }
    judged
}

/// The accuracy per submitter of the judged calls of `periods`.
pub(super) fn report<'a>(
    directory: &Directory,
    periods: &[Period],
    judged: impl IntoIterator<Item = &'a JudgedCall>,
) -> AccuracyReport {
    let mut by_submitter: HashMap<i64, (Vec<PastCall>, Vec<PastCall>)> = HashMap::new();
    for call in judged {
        let entry = by_submitter.entry(call.submitter).or_default();
        let weeks_before_end = call.weeks_before_end;
        entry.0.push(PastCall { weeks_before_end, called: call.called, actual: call.actual });
        entry.1.push(PastCall { weeks_before_end, called: call.expected, actual: call.actual });
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
    AccuracyReport { periods: periods.iter().map(|p| p.to_string()).collect(), submitters }
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
    let calls = calls_of(db, scope.org, &periods, Some(&people))?;
    let deals = db.transaction(|db| history::deals_since(db, scope.org, judged_since(&calls, request.today)))?;
    let method = kpi::settings(db, scope.org)?.method;
    let teams = teams(directory);
    let book = book(&deals, &teams, request.today, method.min_closed_deals_for_own_rates);
    let judged = judge(&book, directory, &calls);
    Ok(report(directory, &periods, &judged))
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
    // The organisation has no call of its own.
    let Some(subject_person) = person_of(&subject(scope, directory, person)?, directory) else { return Ok(vec![]) };
    let owners = owners_of(directory, subject_person);
    let history = calls::history_of(db, scope.org, period, subject_person)?;
    let deals =
        db.transaction(|db| history::deals_since(db, scope.org, period.start() - Duration::days(HISTORY_DAYS)))?;
    let method = kpi::settings(db, scope.org)?.method;
    let teams = teams(directory);
    let book = book(&deals, &teams, today, method.min_closed_deals_for_own_rates);
    Ok(week_ends(period, today)
        .into_iter()
        .map(|week_end| {
            let data = book.expected(&owners, period, week_end.min(today)).into_iter().map(|(_, e)| e).sum();
            call_week(&history, subject_person, week_end, today, data)
        })
        .collect())
}

/// The person a subject names: a rep or a manager; none for the organisation.
pub(super) fn person_of(named: &Subject, directory: &Directory) -> Option<i64> {
    match named {
        Subject::Rep(key) | Subject::Team(key) => directory.person_by_external_id(key).map(|p| p.id),
        _ => None,
    }
}

/// The last day of each week of the period that has begun by `today` (the period's last day for
/// its last week).
pub(super) fn week_ends(period: Period, today: NaiveDate) -> Vec<NaiveDate> {
    period
        .weeks()
        .map(|week| (week.end() - Duration::days(1)).min(last_day(period)))
        .filter(|&week_end| week_end - Duration::days(6) <= today)
        .collect()
}

/// A week of a person's calls (`history`, theirs, oldest first) as they stood at its end, beside
/// the data forecast and the revenue won by then.
pub(super) fn call_week(
    history: &[StoredCall],
    person: i64,
    week_end: NaiveDate,
    today: NaiveDate,
    data: Expected,
) -> CallWeek {
    let day = week_end.min(today);
    let latest = |kind: CallKind| {
        history
            .iter()
            .rev()
            .find(|c| c.subject == person && c.kind == kind && c.submitted_at.date_naive() <= day)
            .map(|c| c.call.commit_cents)
    };
    CallWeek {
        week_end,
        commit_cents: latest(CallKind::Own),
        adjusted_commit_cents: latest(CallKind::Adjustment),
        data_expected: data.expected,
        won: data.won,
    }
}

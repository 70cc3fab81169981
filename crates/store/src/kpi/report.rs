//! Scorecards: every KPI of a subject's reps for a period, and the subject's total, read from the
//! rollups and the few base rows that are not sums.

use super::people::{Directory, Scope, Subject};
use super::queries::{self, AccountScore, Filter, QuotaRow, midnight};
use super::rollups;
use super::settings::settings;
use crate::db::Db;
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use quotient_core::diagnostics::{Diagnosis, Flag, FlagKind, Thresholds};
use quotient_core::kpi::{
    GoalAttainment, OpenPipeline, Quotas, Scorecard, ScorecardFacts, Tally, WeekFacts, activity_goals, ratio,
};
use quotient_core::model::QuotaMetric;
use quotient_core::settings::{Method, Settings};
use quotient_core::standards::{
    self, AccountScores, Evaluation, LineDemos, LineEstimates, MonthEstimates, StandardKey, Standards, StandardsFacts,
};
use quotient_core::{Lang, Money, Period};
use serde::Serialize;
// Maps keyed by rep ids, hashed many thousand times a report, with a fast hasher: no key comes
// from outside.
use hashbrown::HashMap;
use std::collections::{BTreeMap, BTreeSet};

/// What to report on.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub subject: Subject,
    pub period: Period,
    /// The evaluation day (inclusive) of the magic number and the pipeline.
    pub as_of: NaiveDate,
    pub lang: Lang,
}

/// The scorecards of a subject's reps, and the subject's total.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub subject: SubjectLabel,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub as_of: NaiveDate,
    pub lang: Lang,
    pub thresholds: Thresholds,
    /// The method's parameters the report was computed with (working days, own-rate minimum, …).
    pub method: Method,
    pub reps: Vec<Card>,
    pub total: Card,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectLabel {
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: String,
}

/// One scorecard: a rep's (with `rep_id`) or the subject total's.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub rep_id: Option<String>,
    pub name: String,
    pub manager_id: Option<String>,
    #[serde(flatten)]
    pub scorecard: Scorecard,
    pub top_level_contact_share: Option<f64>,
    pub gateway_to_won: GatewayToWon,
    pub lead_follow_up: LeadFollowUp,
    pub contact_completeness: Option<f64>,
    pub crm_currency: CrmCurrency,
    pub customer_satisfaction: Satisfaction,
    pub standards: Vec<Evaluation>,
    pub diagnoses: Vec<FlagDiagnosis>,
    /// Each activity goal with a goal in the period (prorated by days), against what was done.
    pub activity_goals: Vec<GoalAttainment>,
    /// The counts the scorecard was computed from (for charts; the JSON report has the KPIs).
    #[serde(skip)]
    pub tally: Tally,
}

/// `docs/KPIS.md`: of the opportunities closed (won or lost) in the period that had reached the
/// gateway, the share won.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GatewayToWon {
    pub closed_after_gateway: i64,
    pub won_after_gateway: i64,
    pub share: Option<f64>,
}

impl GatewayToWon {
    fn of(tally: &Tally) -> GatewayToWon {
        let (closed, won) = (tally.closed_after_gateway, tally.won_after_gateway);
        GatewayToWon { closed_after_gateway: closed, won_after_gateway: won, share: ratio(won, closed) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadFollowUp {
    pub company_leads: i64,
    pub touched_within_48h_share: Option<f64>,
    pub never_touched_share: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CrmCurrency {
    pub stale_open_opportunities: i64,
    pub past_due_open_opportunities: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Satisfaction {
    pub responses: usize,
    pub mean_score: Option<f64>,
    pub nps: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlagDiagnosis {
    pub flag: FlagKind,
    pub best_practice: bool,
    #[serde(flatten)]
    pub diagnosis: Diagnosis,
}

/// What the trailing-12-month rates (magic number, velocity, fallback) read.
const TRAILING_FIELDS: &[&str] = &[
    "won",
    "won_amount",
    "won_cycle_days",
    "lost",
    "closed_after_proposal",
    "won_after_proposal",
    "first_appointments",
    "first_appointments_to_proposal",
    "conversations",
    "appointments_set",
];

/// Everything read for the reps of a report (and their peers), keyed by rep.
#[derive(Default)]
struct Gathered {
    tally: HashMap<i64, Tally>,
    /// Per rep: (the month piece's first day, product line, estimates) of each judged month of the
    /// period (`standards::judged_months`) and line with estimates.
    month_estimates: HashMap<i64, Vec<(NaiveDate, i64, i64)>>,
    /// Per rep: the product lines of their opportunities and estimates in the period or the
    /// trailing 12 months (a rollup cell on the line), the lines they sell.
    lines_sold: HashMap<i64, BTreeSet<i64>>,
    /// The product line the report is cut to, if any.
    product_line: Option<i64>,
    so_far: HashMap<i64, Tally>,
    trailing: HashMap<i64, Tally>,
    first_appointments_by_week: HashMap<i64, Vec<(NaiveDate, i64)>>,
    /// Revenue won in the period's first week (from the period's start to the second week's
    /// Monday), and in each later whole week begun before the last: what was left of the quota at
    /// each week's start.
    won_first_week: HashMap<i64, Tally>,
    won_by_week: HashMap<i64, Vec<(NaiveDate, i64)>>,
    standing: HashMap<i64, Tally>,
    /// Per rep: open opportunities without an activity in the CRM currency standard's window up
    /// to the evaluation day, and those expected to close before it.
    stale: HashMap<i64, i64>,
    past_due: HashMap<i64, i64>,
    /// Per rep: (product line, demos given on its opportunities).
    demos: HashMap<i64, Vec<(i64, i64)>>,
    rows: BaseRows,
    /// The starts of the period's ISO weeks begun by the evaluation day (the first at the
    /// period's start): the barometer's weeks of every card.
    week_starts: Vec<NaiveDate>,
}

/// What is read from the base rows rather than the rollups (but the open pipeline now), keyed by
/// rep.
#[derive(Default)]
struct BaseRows {
    quotas: HashMap<i64, Vec<QuotaRow>>,
    /// The open pipeline: from the rollups now, from the base rows as of a past day.
    open: HashMap<i64, OpenPipeline>,
    cycle_days: HashMap<i64, Vec<i64>>,
    scores: HashMap<i64, Vec<AccountScore>>,
    /// The names of the accounts whose scores make them unhappy ([`standards::is_unhappy`]): the
    /// only ones a card names.
    unhappy_account_names: HashMap<i64, String>,
}

pub fn report(db: &mut Db, org: OrgId, request: &ReportRequest) -> Result<Report> {
    let directory = Directory::load(db, org)?;
    report_with(db, org, &directory, request)
}

/// Like [`report`], with the organisation's people already at hand (as a cache keeps them, until
/// the organisation's directory revision moves).
pub fn report_with(db: &mut Db, org: OrgId, directory: &Directory, request: &ReportRequest) -> Result<Report> {
    Ok(Scorecards::read(db, org, directory, request)?.report())
}

/// Like [`report_with`], with the pooled scorecard of each group of the subject's reps (a team
/// each: its name and reps), as the report's total is pooled, from the same read: a group costs no
/// read of its own.
pub fn report_with_groups(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    request: &ReportRequest,
    groups: &[(String, Vec<i64>)],
) -> Result<(Report, Vec<Card>)> {
    let scorecards = Scorecards::read(db, org, directory, request)?;
    let groups = groups.iter().map(|(name, reps)| scorecards.pooled(name, reps)).collect();
    Ok((scorecards.report(), groups))
}

impl Card {
    /// How many of the card's evaluated standards are met, and how many were evaluated.
    pub fn standards_met(&self) -> (usize, usize) {
        (self.standards.iter().filter(|e| e.passed).count(), self.standards.len())
    }
}

/// From how many reps a report's cards are made on two threads: below, a thread costs more than
/// it saves.
const CARDS_ON_TWO_THREADS: usize = 64;

/// How many reps' cards a thread makes at a time: few enough that on a large subject the threads
/// finish within a batch of each other, enough that taking a batch costs nothing beside making it.
const CARDS_PER_BATCH: usize = 32;

/// A report's inputs, read once; its cards are made from them on demand. A whole organisation's
/// report is written card by card from it ([`Scorecards`] serialises as the [`Report`] would,
/// making each card as it is written), so that no more than one card is held at a time.
pub struct Scorecards<'a> {
    directory: &'a Directory,
    request: ReportRequest,
    scope: Scope,
    settings: Settings,
    data: Gathered,
}

impl<'a> Scorecards<'a> {
    /// Reads what the subject's scorecards need (refused as [`Directory::resolve`] says).
    pub fn read(db: &mut Db, org: OrgId, directory: &'a Directory, request: &ReportRequest) -> Result<Scorecards<'a>> {
        db.with_custom_plans(|db| {
            let scope = directory.resolve(&request.subject)?;
            let settings = settings(db, org)?;
            // Peers and the magic number's fallback need each rep's whole team.
            let mut wanted: Vec<i64> = scope.reps.iter().flat_map(|&rep| directory.team_of(rep)).collect();
            wanted.sort_unstable();
            wanted.dedup();
            let everyone = matches!(request.subject, Subject::Organisation | Subject::ProductLine(_));
            let reps = (!everyone).then_some(wanted.as_slice());
            let data = gather(db, org, request, &scope, reps, &settings.standards)?;
            Ok(Scorecards { directory, request: request.clone(), scope, settings, data })
        })
    }

    /// The subject's reps, in the report's order.
    pub fn reps(&self) -> &[i64] {
        &self.scope.reps
    }

    /// The scorecard of one of the subject's reps.
    pub fn card(&self, rep: i64) -> Card {
        let (data, directory, request) = (&self.data, self.directory, &self.request);
        let team = directory.team_of(rep);
        let facts = facts_for(data, request, &[rep], &team);
        let person = directory.person(rep);
        let standards_facts = standards_facts(data, directory, request, &[rep], facts.quotas.revenue, &facts.tally);
        let mut card = card(
            person.map(|p| p.external_id.clone()),
            person.map(|p| p.name.clone()).unwrap_or_default(),
            person.and_then(|p| p.manager_id).and_then(|m| directory.person(m)).map(|m| m.external_id.clone()),
            &facts,
            &standards_facts,
            GatewayToWon::of(&facts.tally),
            self.settings(),
        );
        card.activity_goals = activity_goals_for(data, &[rep], request.period, &facts.tally);
        card
    }

    /// Every rep's card, made one at a time.
    pub fn cards(&self) -> impl Iterator<Item = Card> + '_ {
        self.scope.reps.iter().map(|&rep| self.card(rep))
    }

    /// The subject's total: its reps' facts pooled.
    pub fn total(&self) -> Card {
        self.pooled(&self.scope.name, &self.scope.reps)
    }

    /// The pooled scorecard of some of the subject's reps (each once), named `name`.
    pub fn pooled(&self, name: &str, reps: &[i64]) -> Card {
        let (data, directory, request) = (&self.data, self.directory, &self.request);
        let facts = facts_for(data, request, reps, reps);
        let standards_facts = standards_facts(data, directory, request, reps, facts.quotas.revenue, &facts.tally);
        let gateway = GatewayToWon::of(&facts.tally);
        let mut card = card(None, name.to_string(), None, &facts, &standards_facts, gateway, self.settings());
        card.activity_goals = activity_goals_for(data, reps, request.period, &facts.tally);
        card
    }

    /// The report with every card made. A large subject's cards are made on two threads, each
    /// taking the next batch of reps left until none is; one makes the total first (it pools every
    /// rep's facts, so it costs more the larger the subject), and the other thread takes more
    /// batches meanwhile. Each card reads only what was gathered.
    pub fn report(&self) -> Report {
        let reps = &self.scope.reps;
        if reps.len() < CARDS_ON_TWO_THREADS {
            return self.report_of(self.cards().collect(), self.total());
        }
        let batches: Vec<&[i64]> = reps.chunks(CARDS_PER_BATCH).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let make = || {
            let mut made: Vec<(usize, Vec<Card>)> = Vec::new();
            loop {
                let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(batch) = batches.get(at) else { return made };
                made.push((at, batch.iter().map(|&rep| self.card(rep)).collect()));
            }
        };
        let (mut made, total) = std::thread::scope(|threads| {
            let other = threads.spawn(make);
            let total = self.total();
            let mut made = make();
            made.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            (made, total)
        });
        made.sort_unstable_by_key(|(at, _)| *at);
        self.report_of(made.into_iter().flat_map(|(_, cards)| cards).collect(), total)
    }

    /// The report without its reps' cards (`reps` empty): its subject, period, settings and total.
    pub fn head(&self) -> Report {
        self.report_of(Vec::new(), self.total())
    }

    fn report_of(&self, reps: Vec<Card>, total: Card) -> Report {
        let (scope, period) = (&self.scope, self.request.period);
        Report {
            subject: SubjectLabel { kind: scope.kind, id: scope.id.clone(), name: scope.name.clone() },
            period: period.to_string(),
            period_start: period.start(),
            period_end: period.end(),
            as_of: self.request.as_of,
            lang: self.request.lang,
            thresholds: self.settings.thresholds,
            method: self.settings.method,
            reps,
            total,
        }
    }

    fn settings(&self) -> (&Thresholds, &Standards, &Method, Lang) {
        let Settings { thresholds, standards, method } = &self.settings;
        (thresholds, standards, method, self.request.lang)
    }
}

/// The report's JSON (as [`Report`]'s), each rep's card made as it is written.
impl Serialize for Scorecards<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        /// The cards as a sequence, made one at a time.
        struct Cards<'s, 'a>(&'s Scorecards<'a>);
        impl Serialize for Cards<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.cards())
            }
        }
        use serde::ser::SerializeStruct;
        // The report's fields without its cards, in its order (the cards go in between).
        let head = self.head();
        let mut out = serializer.serialize_struct("Report", 10)?;
        out.serialize_field("subject", &head.subject)?;
        out.serialize_field("period", &head.period)?;
        out.serialize_field("period_start", &head.period_start)?;
        out.serialize_field("period_end", &head.period_end)?;
        out.serialize_field("as_of", &head.as_of)?;
        out.serialize_field("lang", &head.lang)?;
        out.serialize_field("thresholds", &head.thresholds)?;
        out.serialize_field("method", &head.method)?;
        out.serialize_field("reps", &Cards(self))?;
        out.serialize_field("total", &head.total)?;
        out.end()
    }
}

/// Declares the reads of a report and the order they are taken in, from one list, so that no read
/// is left out of the order.
macro_rules! reads {
    ($($read:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy)]
        enum Read {
            $($read),*
        }

        const READS: &[Read] = &[$(Read::$read),*];
    };
}

// The independent reads of a report: the rollups' from the front, the longest first, and the base
// rows' from the back, the longest last. Where the database offers a second connection, the
// request's takes them from the front and the second from the back, each the next one left as soon
// as it is free, until they meet: each connection keeps to one kind of read while there is one,
// and both stay busy to the end.
reads!(
    LinesSold,
    Weeks,
    Trailing,
    MonthEstimates,
    Demos,
    Open,
    PastDue,
    Stale,
    Period,
    SoFar,
    FirstWeek,
    Standing,
    Quotas,
    CycleDays,
    Scores,
);

/// The reads not taken yet: `READS[front..back]`.
struct Queue(std::sync::Mutex<(usize, usize)>);

impl Queue {
    fn new() -> Queue {
        Queue(std::sync::Mutex::new((0, READS.len())))
    }

    /// The next read from the front, or from the back.
    fn take(&self, from_back: bool) -> Option<Read> {
        let mut ends = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (front, back) = &mut *ends;
        if front >= back {
            return None;
        }
        if from_back {
            *back -= 1;
            Some(READS[*back])
        } else {
            *front += 1;
            Some(READS[*front - 1])
        }
    }

    /// Leaves nothing to take.
    fn close(&self) {
        let mut ends = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        ends.0 = ends.1;
    }
}

/// What every read of a report is about.
#[derive(Clone, Copy)]
struct Reading<'r> {
    org: OrgId,
    request: &'r ReportRequest,
    filter: Filter<'r>,
    /// The CRM currency standard's window, in days.
    stale_days: i64,
    /// The customer satisfaction standard's target: an account's mean score below it is unhappy.
    satisfaction_target: f64,
    days: &'r Days,
}

/// The days a report's reads work with, worked out once from its request.
struct Days {
    /// The day after the evaluation day: the end (exclusive) of what has happened by then.
    day_after: NaiveDate,
    /// The 12 months up to the evaluation day, inclusive.
    trailing: Option<Period>,
    /// The end (exclusive) of the part of the period up to the evaluation day, within the period.
    so_far_end: NaiveDate,
    /// The starts of the period's ISO weeks begun by the evaluation day.
    week_starts: Vec<NaiveDate>,
}

impl Days {
    fn of(request: &ReportRequest) -> Days {
        let period = request.period;
        let day_after = request.as_of + Duration::days(1);
        let year_before = day_after.with_year(day_after.year() - 1).unwrap_or(day_after - Duration::days(365));
        let so_far_end = day_after.clamp(period.start(), period.end());
        let week_starts =
            Period::range(period.start(), so_far_end).into_iter().flat_map(Period::weeks).map(Period::start).collect();
        Days { day_after, trailing: Period::range(year_before, day_after), so_far_end, week_starts }
    }

    /// Whether the period is over by the evaluation day: its revenue so far is then its revenue,
    /// and is not read apart.
    fn period_over(&self, period: Period) -> bool {
        self.so_far_end == period.end()
    }
}

/// Reads everything the scorecards need, on two connections at once where the database offers a
/// second.
fn gather(
    db: &mut Db,
    org: OrgId,
    request: &ReportRequest,
    scope: &Scope,
    reps: Option<&[i64]>,
    standards: &Standards,
) -> Result<Gathered> {
    let filter = Filter { reps, product_line: scope.product_line };
    let days = Days::of(request);
    let stale_days = standards.target(StandardKey::CrmCurrency) as i64;
    let satisfaction_target = standards.target(StandardKey::CustomerSatisfaction);
    let reading = Reading { org, request, filter, stale_days, satisfaction_target, days: &days };
    let queue = Queue::new();
    db.with_companion(|db, companion| {
        let mut data = match companion {
            Some(companion) => std::thread::scope(|threads| {
                let other = threads
                    .spawn(|| companion.with_custom_plans(|companion| read_in_turn(companion, reading, &queue, true)));
                let mine = read_in_turn(db, reading, &queue, false);
                let other = other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                let mut data = mine?;
                data.absorb(other?);
                Ok::<_, crate::error::StoreError>(data)
            })?,
            None => read_in_turn(db, reading, &queue, false)?,
        };
        if days.period_over(request.period) {
            data.so_far = data.tally.clone();
        }
        data.product_line = scope.product_line;
        data.week_starts = days.week_starts.clone();
        Ok(data)
    })
}

/// Takes the next read left, from the front or the back of the queue, and does it, until none is
/// left. A read that fails leaves none for the other connection either: the report fails all the
/// same.
fn read_in_turn(db: &mut Db, reading: Reading<'_>, queue: &Queue, from_back: bool) -> Result<Gathered> {
    let mut data = Gathered::default();
    while let Some(read) = queue.take(from_back) {
        if let Err(error) = perform(db, reading, read, &mut data) {
            queue.close();
            return Err(error);
        }
    }
    Ok(data)
}

fn perform(db: &mut Db, reading: Reading<'_>, read: Read, data: &mut Gathered) -> Result<()> {
    let Reading { org, request, filter, stale_days, satisfaction_target, days } = reading;
    let Days { day_after, trailing, so_far_end, ref week_starts } = *days;
    let period = request.period;
    match read {
        // Across product lines: each rep's every-line cells, one per cell where the lines have one each.
        Read::Period => {
            for ((rep, _), tally) in rollups::sum(db, org, period, filter)? {
                *data.tally.entry(rep).or_default() += tally;
            }
        }
        Read::MonthEstimates => {
            let months = standards::judged_months(period, request.as_of);
            for ((at, rep, line), estimates) in rollups::sum_by_named_line(db, org, &months, filter, "estimates")? {
                data.month_estimates.entry(rep).or_default().push((months[at].start(), line, estimates));
            }
        }
        Read::SoFar if !days.period_over(period) => {
            let so_far = Period::range(period.start(), so_far_end);
            data.so_far = by_rep(so_far.map(|p| rollups::sum_of(db, org, p, filter, &["won_amount"])).transpose()?);
        }
        Read::SoFar => {}
        Read::Trailing => {
            data.trailing = by_rep(trailing.map(|p| rollups::sum_of(db, org, p, filter, TRAILING_FIELDS)).transpose()?);
        }
        Read::LinesSold => {
            // The lines sold in the period or the trailing 12 months: read once over both where
            // they overlap or meet (the period is often inside the 12 months).
            let sold_in: Vec<Period> = match trailing {
                Some(trailing) if period.start() <= trailing.end() && trailing.start() <= period.end() => {
                    let start = period.start().min(trailing.start());
                    let end = period.end().max(trailing.end());
                    Period::range(start, end).into_iter().collect()
                }
                trailing => std::iter::once(period).chain(trailing).collect(),
            };
            data.lines_sold = rollups::lines_sold(db, org, &sold_in, filter)?;
        }
        Read::Weeks if so_far_end > period.start() => {
            let weeks = week_starts;
            let first_week = Period::week_of(period.start()).start();
            // The revenue of each whole week after the first and before the last, from the same
            // pass over the week cells as the first appointments.
            let won_weeks = match (weeks.get(1), weeks.last()) {
                (Some(&second), Some(&last)) => second..last,
                _ => first_week..first_week,
            };
            let fields = ["first_appointments", "won_amount"];
            for (rep, week, values) in
                rollups::per_cell_of(db, org, rollups::Grain::Week, &fields, first_week, so_far_end, filter)?
            {
                if values[0] != 0 {
                    data.first_appointments_by_week.entry(rep).or_default().push((week, values[0]));
                }
                if values[1] != 0 && won_weeks.contains(&week) {
                    data.won_by_week.entry(rep).or_default().push((week, values[1]));
                }
            }
        }
        Read::Weeks => {}
        Read::FirstWeek => {
            if let Some(&second) = week_starts.get(1) {
                let first_week = Period::range(period.start(), second);
                data.won_first_week =
                    by_rep(first_week.map(|p| rollups::sum_of(db, org, p, filter, &["won_amount"])).transpose()?);
            }
        }
        Read::Standing => data.standing = rollups::standing(db, org, filter.reps)?,
        // CRM currency: an open opportunity is stale when its last activity was before the
        // window's first day (or it has none), past due when expected to close before the
        // evaluation day.
        Read::Stale => {
            let window_start = day_after - Duration::days(stale_days.max(0));
            let grain = rollups::Grain::OpenByLastActivity;
            data.stale = rollups::open_before(db, org, grain, window_start, filter)?;
        }
        Read::PastDue => {
            let grain = rollups::Grain::OpenByExpectedClose;
            data.past_due = rollups::open_before(db, org, grain, request.as_of, filter)?;
        }
        Read::Demos => data.demos = rollups::line_demos(db, org, period, filter)?,
        Read::Quotas => {
            for quota in queries::quotas(db, org, period, filter)? {
                data.rows.quotas.entry(quota.rep).or_default().push(quota);
            }
            // Prorated quotas are added up as floating-point numbers: in one order whatever plan
            // the database chose, so that the last digit does not move with it.
            for quotas in data.rows.quotas.values_mut() {
                quotas.sort_by_key(|q| (q.period.start(), q.period.end(), q.metric.key(), q.product_line, q.target));
            }
        }
        // The present from the open opportunities' cells; a past day from the base rows, at the
        // stages the opportunities had then.
        Read::Open if midnight(day_after) > Utc::now() => {
            data.rows.open = rollups::open_pipeline(db, org, period.end(), filter)?;
        }
        Read::Open => data.rows.open = queries::open_pipeline(db, org, request.as_of, period.end(), filter)?,
        Read::CycleDays => data.rows.cycle_days = queries::won_cycle_days(db, org, period, filter)?,
        Read::Scores => {
            data.rows.scores = queries::satisfaction_scores(db, org, period, filter)?;
            // So that a card finds each account's scores as one run (`scores_by_account`).
            let (mut unhappy, mut values) = (Vec::new(), Vec::new());
            for scores in data.rows.scores.values_mut() {
                scores.sort_unstable_by_key(|score| score.account);
                for run in scores.chunk_by(|a, b| a.account == b.account) {
                    values.clear();
                    values.extend(run.iter().map(|score| score.score));
                    if standards::is_unhappy(&values, satisfaction_target) {
                        unhappy.push(run[0].account);
                    }
                }
            }
            unhappy.sort_unstable();
            data.rows.unhappy_account_names = queries::account_names(db, org, filter, &unhappy)?;
        }
    }
    Ok(())
}

impl Gathered {
    /// Takes what `other` read: each read fills its own fields, on one connection or the other.
    fn absorb(&mut self, other: Gathered) {
        fn take<V>(mine: &mut HashMap<i64, V>, theirs: HashMap<i64, V>) {
            debug_assert!(mine.is_empty() || theirs.is_empty(), "a field filled on both connections");
            if mine.is_empty() {
                *mine = theirs;
            }
        }
        // Every field named, so that a field added is absorbed too.
        let Gathered {
            tally,
            month_estimates,
            lines_sold,
            product_line: _,
            so_far,
            trailing,
            first_appointments_by_week,
            won_first_week,
            won_by_week,
            standing,
            stale,
            past_due,
            demos,
            rows: BaseRows { quotas, open, cycle_days, scores, unhappy_account_names },
            week_starts: _,
        } = other;
        take(&mut self.tally, tally);
        take(&mut self.month_estimates, month_estimates);
        take(&mut self.lines_sold, lines_sold);
        take(&mut self.so_far, so_far);
        take(&mut self.trailing, trailing);
        take(&mut self.first_appointments_by_week, first_appointments_by_week);
        take(&mut self.won_first_week, won_first_week);
        take(&mut self.won_by_week, won_by_week);
        take(&mut self.standing, standing);
        take(&mut self.stale, stale);
        take(&mut self.past_due, past_due);
        take(&mut self.demos, demos);
        take(&mut self.rows.quotas, quotas);
        take(&mut self.rows.open, open);
        take(&mut self.rows.cycle_days, cycle_days);
        take(&mut self.rows.scores, scores);
        take(&mut self.rows.unhappy_account_names, unhappy_account_names);
    }
}

fn by_rep(sums: Option<HashMap<(i64, i64), Tally>>) -> HashMap<i64, Tally> {
    let mut out: HashMap<i64, Tally> = HashMap::new();
    for ((rep, _), tally) in sums.unwrap_or_default() {
        *out.entry(rep).or_default() += tally;
    }
    out
}

fn pooled(map: &HashMap<i64, Tally>, reps: &[i64]) -> Tally {
    reps.iter().filter_map(|rep| map.get(rep)).copied().sum()
}

/// The scorecard facts of `reps` pooled; `team` is whose trailing rates back them up and, for one
/// rep, who the peers are.
fn facts_for(data: &Gathered, request: &ReportRequest, reps: &[i64], team: &[i64]) -> ScorecardFacts {
    let period = request.period;
    let tally = pooled(&data.tally, reps);
    let peers = match reps {
        [rep] if team.len() > 1 => {
            let others: Vec<i64> = team.iter().copied().filter(|r| r != rep).collect();
            Some(pooled(&data.tally, &others))
        }
        _ => None,
    };
    let starts = &data.week_starts;
    let per_week = |map: &HashMap<i64, Vec<(NaiveDate, i64)>>| {
        let mut sums: HashMap<NaiveDate, i64> = HashMap::new();
        for (week, value) in reps.iter().flat_map(|rep| map.get(rep)).flatten() {
            *sums.entry(*week).or_default() += value;
        }
        sums
    };
    let first_appointments = per_week(&data.first_appointments_by_week);
    let won = per_week(&data.won_by_week);
    // Revenue before each week: none before the first, the first week's before the second, and
    // each whole week after it added in turn.
    let mut revenue_before = 0;
    let mut weeks = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        match i {
            0 => {}
            1 => revenue_before = pooled(&data.won_first_week, reps).won_amount,
            _ => revenue_before += won.get(&starts[i - 1]).copied().unwrap_or(0),
        }
        weeks.push(WeekFacts {
            start,
            first_appointments: first_appointments.get(&start).copied().unwrap_or(0),
            revenue_before: Money::from_cents(revenue_before),
        });
    }
    ScorecardFacts {
        period,
        as_of: request.as_of,
        tally,
        revenue_so_far: Money::from_cents(pooled(&data.so_far, reps).won_amount),
        weeks,
        trailing: pooled(&data.trailing, reps),
        team_trailing: pooled(&data.trailing, team),
        peers,
        quotas: quotas_for(data, reps, period),
        open: reps.iter().filter_map(|rep| data.rows.open.get(rep)).copied().sum(),
        won_cycle_days: reps.iter().flat_map(|rep| data.rows.cycle_days.get(rep)).flatten().copied().collect(),
    }
}

/// The overall (not per product line) quotas of `reps`, prorated to `period` by days.
fn quotas_for(data: &Gathered, reps: &[i64], period: Period) -> Quotas {
    let mut sums: HashMap<QuotaMetric, f64> = HashMap::new();
    for quota in reps.iter().flat_map(|rep| data.rows.quotas.get(rep)).flatten().filter(|q| q.product_line.is_none()) {
        *sums.entry(quota.metric).or_default() += prorate(quota, period);
    }
    let money = |metric| sums.get(&metric).map(|v| Money::from_cents(v.round() as i64));
    Quotas {
        revenue: money(QuotaMetric::Revenue),
        margin: money(QuotaMetric::Margin),
        deals: sums.get(&QuotaMetric::Deals).copied(),
        first_appointments: sums.get(&QuotaMetric::FirstAppointments).copied(),
        estimates: sums.get(&QuotaMetric::Estimates).copied(),
    }
}

/// The activity goals of `reps` (summed per metric, each prorated to `period` by days) against
/// what `tally` holds.
fn activity_goals_for(data: &Gathered, reps: &[i64], period: Period, tally: &Tally) -> Vec<GoalAttainment> {
    let mut goals: HashMap<QuotaMetric, f64> = HashMap::new();
    let rows = reps.iter().flat_map(|rep| data.rows.quotas.get(rep)).flatten();
    for quota in rows.filter(|q| q.product_line.is_none() && q.metric.is_activity_goal()) {
        *goals.entry(quota.metric).or_default() += prorate(quota, period);
    }
    activity_goals(|metric| goals.get(&metric).copied(), tally)
}

fn prorate(quota: &QuotaRow, period: Period) -> f64 {
    let (numerator, denominator) = quotient_core::period::prorated(quota.target, quota.period, period);
    if denominator == 0 { 0.0 } else { numerator as f64 / denominator as f64 }
}

/// Every product line `reps` sell — of their opportunities, estimates and quotas — with its
/// estimates and prorated deal quota in each judged month of the period (`KPIS.md`: standards).
fn line_estimates(data: &Gathered, directory: &Directory, reps: &[i64], request: &ReportRequest) -> Vec<LineEstimates> {
    // Each line's deal quotas of one period summed before they are prorated: an organisation's
    // total has one per rep and month, its months' quotas a few.
    let mut by_period: HashMap<(i64, Period), i64> = HashMap::new();
    let mut lines: BTreeSet<i64> = reps.iter().flat_map(|rep| data.lines_sold.get(rep)).flatten().copied().collect();
    for quota in reps.iter().flat_map(|rep| data.rows.quotas.get(rep)).flatten() {
        if let Some(line) = quota.product_line {
            lines.insert(line);
            if quota.metric == QuotaMetric::Deals {
                // Only mistyped quotas add up past `i64`: the sum stops at its largest value.
                let sum = by_period.entry((line, quota.period)).or_default();
                *sum = sum.saturating_add(quota.target);
            }
        }
    }
    // In one order, so that the prorated parts are added up alike every time.
    let mut deal_quotas: BTreeMap<i64, Vec<(i64, Period)>> = BTreeMap::new();
    for ((line, period), target) in by_period {
        deal_quotas.entry(line).or_default().push((target, period));
    }
    for quotas in deal_quotas.values_mut() {
        quotas.sort_unstable_by_key(|&(target, period)| (period.start(), period.end(), target));
    }
    let mut estimates: HashMap<(NaiveDate, i64), i64> = HashMap::new();
    for &(month, line, count) in reps.iter().flat_map(|rep| data.month_estimates.get(rep)).flatten() {
        lines.insert(line);
        *estimates.entry((month, line)).or_default() += count;
    }
    let months = standards::judged_months(request.period, request.as_of);
    lines
        .into_iter()
        // A product line report counts only its own line; a deleted line is not sold.
        .filter(|line| data.product_line.is_none_or(|only| only == *line))
        .filter_map(|line| {
            let name = directory.product_lines.get(&line)?.1.clone();
            let quotas = deal_quotas.get(&line).map(Vec::as_slice).unwrap_or_default();
            let months = months
                .iter()
                .map(|&piece| MonthEstimates {
                    piece,
                    estimates: estimates.get(&(piece.start(), line)).copied().unwrap_or(0),
                    deal_quota: standards::deal_quota_in(piece, quotas),
                })
                .collect();
            Some(LineEstimates { line: name, months })
        })
        .collect()
}

fn standards_facts(
    data: &Gathered,
    directory: &Directory,
    request: &ReportRequest,
    reps: &[i64],
    revenue_quota: Option<Money>,
    tally: &Tally,
) -> StandardsFacts {
    let estimates_by_line = line_estimates(data, directory, reps, request);
    let standing = pooled(&data.standing, reps);
    let count = |map: &HashMap<i64, i64>| reps.iter().filter_map(|rep| map.get(rep)).sum::<i64>();
    let (stale, past_due) = (count(&data.stale), count(&data.past_due));
    StandardsFacts {
        revenue_attainment: revenue_quota.and_then(|q| ratio(tally.won_amount, q.cents())),
        estimates_by_line,
        company_leads: tally.company_leads,
        company_leads_touched_in_time: tally.company_leads_touched_in_time,
        company_leads_untouched: tally.company_leads_untouched,
        contacts: standing.contacts,
        complete_contacts: standing.complete_contacts,
        stale_open_opportunities: stale,
        past_due_open_opportunities: past_due,
        meetings_and_events: tally.meetings + tally.events,
        satisfaction_scores: reps.iter().flat_map(|rep| data.rows.scores.get(rep)).flatten().map(|s| s.score).collect(),
        satisfaction_by_account: scores_by_account(data, reps),
        demos_by_line: demos_by_line(data, directory, reps),
        months: standards::months_in(request.period),
    }
}

/// The reps' satisfaction scores grouped by account. Each rep's scores are in account id order
/// already ([`Read::Scores`]), and an account has one owner, so each account's scores are one run of
/// them: nothing is sorted here, and the standard sorts the names of the unhappy accounts itself.
/// Only the accounts found unhappy ([`Read::Scores`], by the standard's own rule) are handed
/// over, with the names read for them: the standard names no other, and a large total would
/// otherwise make a list of every account with a score.
fn scores_by_account(data: &Gathered, reps: &[i64]) -> Vec<AccountScores> {
    let names = &data.rows.unhappy_account_names;
    let mut accounts: Vec<AccountScores> = Vec::new();
    for scores in reps.iter().filter_map(|rep| data.rows.scores.get(rep)) {
        for run in scores.chunk_by(|a, b| a.account == b.account) {
            if let Some(name) = names.get(&run[0].account) {
                accounts.push(AccountScores { account: name.clone(), scores: run.iter().map(|s| s.score).collect() });
            }
        }
    }
    accounts
}

/// The demos of every product line the reps sell — a line with a quota of theirs, or with an
/// opportunity or estimate of theirs in the period or the trailing 12 months, or a demo — in the
/// lines' name order; a line sold without a demo counts 0.
fn demos_by_line(data: &Gathered, directory: &Directory, reps: &[i64]) -> Vec<LineDemos> {
    let mut lines: BTreeMap<i64, i64> = BTreeMap::new();
    for rep in reps {
        let quota_lines = data.rows.quotas.get(rep).into_iter().flatten().filter_map(|q| q.product_line);
        for line in quota_lines.chain(data.lines_sold.get(rep).into_iter().flatten().copied()) {
            lines.entry(line).or_default();
        }
        for (line, demos) in data.demos.get(rep).into_iter().flatten() {
            *lines.entry(*line).or_default() += demos;
        }
    }
    let name = |line: &i64| directory.product_lines.get(line).map(|(_, name)| name.clone()).unwrap_or_default();
    let mut out: Vec<LineDemos> = lines.iter().map(|(line, &demos)| LineDemos { line: name(line), demos }).collect();
    out.sort_by(|a, b| a.line.cmp(&b.line));
    out
}

fn card(
    rep_id: Option<String>,
    name: String,
    manager_id: Option<String>,
    facts: &ScorecardFacts,
    standards_facts: &StandardsFacts,
    gateway_to_won: GatewayToWon,
    (thresholds, standards, method, lang): (&Thresholds, &Standards, &Method, Lang),
) -> Card {
    let scorecard = Scorecard::with_method(facts, thresholds, method);
    let (mean_score, nps) = standards::satisfaction(&standards_facts.satisfaction_scores);
    let diagnoses = scorecard.flags.iter().map(|flag: &Flag| diagnosis(flag.kind, lang)).collect();
    Card {
        tally: facts.tally,
        rep_id,
        name,
        manager_id,
        top_level_contact_share: ratio(facts.tally.first_appointments_top_level, facts.tally.first_appointments),
        gateway_to_won,
        lead_follow_up: LeadFollowUp {
            company_leads: standards_facts.company_leads,
            touched_within_48h_share: ratio(
                standards_facts.company_leads_touched_in_time,
                standards_facts.company_leads,
            ),
            never_touched_share: ratio(standards_facts.company_leads_untouched, standards_facts.company_leads),
        },
        contact_completeness: ratio(standards_facts.complete_contacts, standards_facts.contacts),
        crm_currency: CrmCurrency {
            stale_open_opportunities: standards_facts.stale_open_opportunities,
            past_due_open_opportunities: standards_facts.past_due_open_opportunities,
        },
        customer_satisfaction: Satisfaction { responses: standards_facts.satisfaction_scores.len(), mean_score, nps },
        standards: standards::evaluate(standards, standards_facts, lang),
        diagnoses,
        activity_goals: vec![],
        scorecard,
    }
}

fn diagnosis(flag: FlagKind, lang: Lang) -> FlagDiagnosis {
    FlagDiagnosis { flag, best_practice: flag.is_best_practice(), diagnosis: flag.diagnosis(lang) }
}

//! The forecast from the data (`docs/FORECAST.md`): what each open opportunity is expected to bring
//! in a period, from the step it has reached, how long it has been there, and how the deals of its
//! owner (or, short of history, of the owner's team or the organisation) that reached the same
//! step turned out — whether they were won and how many days after reaching the step they closed.
//!
//! The steps are the milestones an opportunity records (`Milestone`), because they are dated: the
//! step a deal had on a past day is known, so the model can be back-tested on the days it would
//! have been asked.

use crate::{Money, Period};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// How far an opportunity has come: the last milestone it has reached (or only its creation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Opened,
    FirstAppointment,
    Gateway,
    Proposal,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Opened, Step::FirstAppointment, Step::Gateway, Step::Proposal];

    pub fn key(self) -> &'static str {
        match self {
            Step::Opened => "opened",
            Step::FirstAppointment => "first_appointment",
            Step::Gateway => "gateway",
            Step::Proposal => "proposal",
        }
    }

    /// The step of a key.
    pub fn of_key(key: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.key() == key)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The days an opportunity reached each step; a milestone is `None` until reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestones {
    pub created: NaiveDate,
    pub first_appointment: Option<NaiveDate>,
    pub gateway: Option<NaiveDate>,
    pub proposal: Option<NaiveDate>,
}

impl Milestones {
    /// The day the step was reached, if it was.
    pub fn reached(&self, step: Step) -> Option<NaiveDate> {
        match step {
            Step::Opened => Some(self.created),
            Step::FirstAppointment => self.first_appointment,
            Step::Gateway => self.gateway,
            Step::Proposal => self.proposal,
        }
    }

    /// The furthest step reached by the end of `day`, and the day it was reached. A milestone
    /// recorded later than a further one (a skipped step filled in afterwards) does not move the
    /// deal back.
    pub fn step_on(&self, day: NaiveDate) -> (Step, NaiveDate) {
        Step::ALL
            .iter()
            .rev()
            .find_map(|&step| self.reached(step).filter(|reached| *reached <= day).map(|reached| (step, reached)))
            .unwrap_or((Step::Opened, self.created))
    }
}

/// A closed opportunity as the history sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedDeal {
    pub milestones: Milestones,
    pub closed_on: NaiveDate,
    pub won: bool,
}

/// The outcomes of the closed deals of a pool (a rep, a team, the organisation): per step, the
/// days from reaching the step to the close, of every deal and of the won ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Per step, the days from reaching the step to the close, sorted: a chance is then two
    /// binary searches, not a pass over the organisation's deals for every open one.
    closes: [Vec<i64>; 4],
    /// Per step, the same of the won deals only, sorted.
    wins: [Vec<i64>; 4],
    closed: i64,
}

/// How many of the sorted `days` are at most `limit`.
fn at_most(days: &[i64], limit: i64) -> i64 {
    days.partition_point(|d| *d <= limit) as i64
}

/// A chance as an exact fraction, `won / of`, `of > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Chance {
    pub won: i64,
    pub of: i64,
}

impl Chance {
    pub const NONE: Chance = Chance { won: 0, of: 1 };

    pub fn value(self) -> f64 {
        self.won as f64 / self.of as f64
    }

    /// amount × won ÷ of, exact in integers, rounded half away from zero to the cent.
    pub fn of_amount(self, amount: Money) -> Money {
        let scaled = i128::from(amount.cents()) * i128::from(self.won) * 2;
        let of = i128::from(self.of) * 2;
        let rounded = (scaled + scaled.signum() * i128::from(self.of)) / of;
        Money::from_cents(i64::try_from(rounded).unwrap_or(i64::MAX))
    }
}

/// One step's rates in a history: the stage-to-close rate and the cycle time from the step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepRate {
    pub step: Step,
    pub closed: i64,
    pub won: i64,
    /// won ÷ closed, undefined without closed deals.
    pub win_rate: Option<f64>,
    /// The median days from reaching the step to a won close (the lower middle of an even count).
    pub median_days_to_won: Option<i64>,
}

impl History {
    /// The history of `deals`: each counts at every step it reached before it closed.
    pub fn of<'a>(deals: impl IntoIterator<Item = &'a ClosedDeal>) -> History {
        let mut history = History::default();
        for deal in deals {
            history.closed += 1;
            for step in Step::ALL {
                if let Some(reached) = deal.milestones.reached(step).filter(|r| *r <= deal.closed_on) {
                    let days = (deal.closed_on - reached).num_days();
                    history.closes[step.index()].push(days);
                    if deal.won {
                        history.wins[step.index()].push(days);
                    }
                }
            }
        }
        history.closes.iter_mut().chain(history.wins.iter_mut()).for_each(|days| days.sort_unstable());
        history
    }

    /// Closed deals (won or lost) in the history.
    pub fn closed(&self) -> i64 {
        self.closed
    }

    /// Of the deals that reached `step` and were still open `age` days after, the share won between
    /// `age + after` (exclusive) and `age + until` (inclusive) days after reaching it: the chance an
    /// opportunity at the step for `age` days is won in a window from `after` to `until` days
    /// ahead. `None` when no deal of the history was open that long, so there is nothing to learn from.
    pub fn chance(&self, step: Step, age: i64, after: i64, until: i64) -> Option<Chance> {
        let closes = &self.closes[step.index()];
        let of = closes.len() as i64 - at_most(closes, age);
        let wins = &self.wins[step.index()];
        let won = (at_most(wins, age + until) - at_most(wins, age + after)).max(0);
        (of > 0).then_some(Chance { won, of })
    }

    /// The rates of every step.
    pub fn rates(&self) -> Vec<StepRate> {
        Step::ALL
            .iter()
            .map(|&step| {
                let days_to_won = &self.wins[step.index()];
                let closed = self.closes[step.index()].len() as i64;
                let won = days_to_won.len() as i64;
                StepRate {
                    step,
                    closed,
                    won,
                    win_rate: crate::kpi::ratio(won, closed),
                    median_days_to_won: (!days_to_won.is_empty()).then(|| days_to_won[(days_to_won.len() - 1) / 2]),
                }
            })
            .collect()
    }
}

/// Whose history an opportunity's chance was learnt from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    Own,
    Team,
    Organisation,
    /// No closed deal of the organisation was open that long at that step: nothing expected.
    Nothing,
}

/// The histories a rep's opportunities are forecast from.
#[derive(Debug, Clone, Copy)]
pub struct Pools<'a> {
    pub own: &'a History,
    pub team: &'a History,
    pub organisation: &'a History,
    /// `method.min_closed_deals_for_own_rates`: below it, a history is too thin to use.
    pub min_closed: i64,
}

impl RateSource {
    pub const ALL: [RateSource; 4] = [RateSource::Own, RateSource::Team, RateSource::Organisation, RateSource::Nothing];

    pub fn key(self) -> &'static str {
        match self {
            RateSource::Own => "own",
            RateSource::Team => "team",
            RateSource::Organisation => "organisation",
            RateSource::Nothing => "nothing",
        }
    }

    /// The source of a key.
    pub fn of_key(key: &str) -> Option<RateSource> {
        RateSource::ALL.into_iter().find(|source| source.key() == key)
    }
}

impl Pools<'_> {
    /// The chance from the first history with enough closed deals (own, team, organisation — the
    /// organisation's is used whatever its size) that has deals open that long at the step.
    pub fn chance(&self, step: Step, age: i64, after: i64, until: i64) -> (Chance, RateSource) {
        let candidates = [(self.own, RateSource::Own), (self.team, RateSource::Team)];
        candidates
            .into_iter()
            .filter(|(history, _)| history.closed() >= self.min_closed)
            .chain([(self.organisation, RateSource::Organisation)])
            .find_map(|(history, source)| history.chance(step, age, after, until).map(|chance| (chance, source)))
            .unwrap_or((Chance::NONE, RateSource::Nothing))
    }
}

/// An opportunity open on the forecast's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenDeal {
    pub amount: Money,
    pub milestones: Milestones,
    /// Its stage's win probability on the day, in basis points (the weighted pipeline's).
    pub probability_bp: u32,
    pub expected_close_on: Option<NaiveDate>,
}

/// One open opportunity's part of the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DealForecast {
    pub step: Step,
    /// Days since it reached its step.
    pub age_days: i64,
    pub chance: Chance,
    pub source: RateSource,
    #[serde(rename = "amount_cents")]
    pub amount: Money,
    /// amount × chance.
    #[serde(rename = "expected_cents")]
    pub expected: Money,
}

/// The window of a period as seen from `as_of`: the days ahead after which (exclusive) and until
/// which (inclusive) a close falls in it; `None` once the period has ended.
pub fn window(as_of: NaiveDate, period_start: NaiveDate, period_end: NaiveDate) -> Option<(i64, i64)> {
    let until = (period_end - as_of).num_days();
    let after = ((period_start - as_of).num_days() - 1).max(0);
    (until > 0).then_some((after, until))
}

/// An open opportunity's expected part of a period's revenue as of `as_of`.
pub fn forecast_deal(deal: &OpenDeal, pools: Pools<'_>, as_of: NaiveDate, window: (i64, i64)) -> DealForecast {
    let (step, reached) = deal.milestones.step_on(as_of);
    let age_days = (as_of - reached).num_days().max(0);
    let (chance, source) = pools.chance(step, age_days, window.0, window.1);
    DealForecast { step, age_days, chance, source, amount: deal.amount, expected: chance.of_amount(deal.amount) }
}

/// Below this many open opportunities the interval is the distribution's own quantiles (on a grid);
/// above it the normal approximation, which the many independent outcomes make close.
pub const EXACT_INTERVAL_MAX_DEALS: usize = 400;
/// The grid the interval is computed on when the amounts share no divisor that keeps it shorter than
/// [`EXACT_GRID_MAX_STEPS`]: the open pipeline in this many steps.
const GRID_STEPS: i64 = 1_000;
const EXACT_GRID_MAX_STEPS: i64 = 20_000;

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The 10th and 90th percentiles of the revenue the deals bring, each won with its chance
/// independently of the others: `(low, high)`.
pub fn interval(deals: &[DealForecast]) -> (Money, Money) {
    let live: Vec<(i64, f64)> = deals
        .iter()
        .filter(|d| d.chance.won > 0 && d.amount.cents() > 0)
        .map(|d| (d.amount.cents(), d.chance.value()))
        .collect();
    if live.is_empty() {
        return (Money::ZERO, Money::ZERO);
    }
    if live.len() <= EXACT_INTERVAL_MAX_DEALS { exact_interval(&live) } else { normal_interval(&live) }
}

fn exact_interval(deals: &[(i64, f64)]) -> (Money, Money) {
    let total: i64 = deals.iter().map(|(amount, _)| amount).sum();
    // Each amount in whole steps, so the distribution is a vector: the amounts' greatest common
    // divisor when that keeps the vector short (exact), else a 1/1000 of the total (each amount
    // rounded to the nearest step).
    let divisor = deals.iter().fold(0, |divisor, (amount, _)| gcd(divisor, *amount)).max(1);
    let step = if total / divisor <= EXACT_GRID_MAX_STEPS { divisor } else { (total + GRID_STEPS - 1) / GRID_STEPS };
    let mut distribution = vec![1.0_f64];
    for &(amount, chance) in deals {
        let shift = ((amount + step / 2) / step) as usize;
        let mut next = vec![0.0; distribution.len() + shift];
        for (at, p) in distribution.iter().enumerate() {
            next[at] += p * (1.0 - chance);
            next[at + shift] += p * chance;
        }
        distribution = next;
    }
    let quantile = |q: f64| {
        let mut cumulative = 0.0;
        let at = distribution
            .iter()
            .position(|p| {
                cumulative += p;
                // A hair below q, so that sums of exact shares (0.1 + 0.9 × …) are not missed by rounding.
                cumulative >= q - 1e-9
            })
            .unwrap_or(distribution.len() - 1);
        Money::from_cents((at as i64 * step).min(total))
    };
    (quantile(0.1), quantile(0.9))
}

fn normal_interval(deals: &[(i64, f64)]) -> (Money, Money) {
    let total: i64 = deals.iter().map(|(amount, _)| amount).sum();
    let mean: f64 = deals.iter().map(|(a, p)| *a as f64 * p).sum();
    let variance: f64 = deals.iter().map(|(a, p)| (*a as f64).powi(2) * p * (1.0 - p)).sum();
    Spread { live: deals.len(), total, mean, variance }.normal()
}

impl std::ops::Add for Spread {
    type Output = Spread;

    fn add(self, other: Spread) -> Spread {
        Spread {
            live: self.live + other.live,
            total: self.total + other.total,
            mean: self.mean + other.mean,
            variance: self.variance + other.variance,
        }
    }
}

/// What the interval of a share of the deals (one owner's) needs to be added to the others':
/// the deals that may bring something (won with a chance above 0, an amount above 0), their
/// amounts, and the mean and variance of what they bring.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spread {
    pub live: usize,
    pub total: i64,
    pub mean: f64,
    pub variance: f64,
}

impl Spread {
    pub fn of(deals: &[DealForecast]) -> Spread {
        let live = deals.iter().filter(|d| d.chance.won > 0 && d.amount.cents() > 0);
        live.fold(Spread::default(), |sum, d| {
            let (amount, p) = (d.amount.cents(), d.chance.value());
            Spread {
                live: sum.live + 1,
                total: sum.total + amount,
                mean: sum.mean + amount as f64 * p,
                variance: sum.variance + (amount as f64).powi(2) * p * (1.0 - p),
            }
        })
    }

    /// Whether the interval of these deals is their exact distribution's, which needs the deals
    /// themselves ([`interval`]); else the normal approximation, which needs only the spread.
    pub fn exact(&self) -> bool {
        self.live <= EXACT_INTERVAL_MAX_DEALS
    }

    /// The interval of deals of this spread: [`interval`] of `deals` when [`Spread::exact`], else
    /// the normal approximation (the sums added owner by owner, so the last cent may differ from
    /// [`interval`] of all the deals at once).
    pub fn interval(&self, deals: &[DealForecast]) -> (Money, Money) {
        if self.exact() { interval(deals) } else { self.normal() }
    }

    fn normal(&self) -> (Money, Money) {
        // z of the 90th percentile of the standard normal distribution.
        const Z90: f64 = 1.281_551_565_5;
        let spread = Z90 * self.variance.sqrt();
        let clamp = |x: f64| Money::from_cents((x.round() as i64).clamp(0, self.total));
        (clamp(self.mean - spread), clamp(self.mean + spread))
    }
}

/// The forecast of a set of opportunities (a rep's, a team's) for a period, beside the naive ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataForecast {
    /// Won in the period up to and including the forecast's day.
    #[serde(rename = "won_cents")]
    pub won: Money,
    pub open_deals: i64,
    #[serde(rename = "open_pipeline_cents")]
    pub open_pipeline: Money,
    /// won + Σ each open deal's expected part.
    #[serde(rename = "expected_cents")]
    pub expected: Money,
    /// won + the 10th and 90th percentiles of the open deals' outcomes.
    #[serde(rename = "low_cents")]
    pub low: Money,
    #[serde(rename = "high_cents")]
    pub high: Money,
    /// Naive: won + the open deals expected to close by the period's end (or with no date),
    /// weighted by their stage's probability.
    #[serde(rename = "weighted_pipeline_cents")]
    pub weighted_pipeline: Money,
    /// Naive: what the previous period of the same kind won.
    #[serde(rename = "last_period_actual_cents")]
    pub last_period_actual: Money,
}

/// The forecast from the open deals' parts, the revenue won so far and the naive forecasts' inputs.
pub fn combine(
    parts: &[DealForecast],
    open: &[OpenDeal],
    won: Money,
    last_period_actual: Money,
    period_end: NaiveDate,
) -> DataForecast {
    let (low, high) = interval(parts);
    let weighted: Money = open
        .iter()
        .filter(|deal| deal.expected_close_on.is_none_or(|close| close <= period_end))
        .map(|deal| crate::kpi::weighted_amount(deal.amount, deal.probability_bp))
        .sum();
    DataForecast {
        won,
        open_deals: open.len() as i64,
        open_pipeline: open.iter().map(|deal| deal.amount).sum(),
        expected: won + parts.iter().map(|part| part.expected).sum(),
        low: won + low,
        high: won + high,
        weighted_pipeline: won + weighted,
        last_period_actual,
    }
}

/// An opportunity as the history and the forecast read it: enough to know, on any day, whether it
/// was open, which step it had reached, and how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deal {
    pub owner: i64,
    pub amount: Money,
    pub milestones: Milestones,
    /// The day it closed and whether it was won; `None` while open.
    pub closed: Option<(NaiveDate, bool)>,
    /// Its current stage's win probability, in basis points.
    pub stage_probability_bp: u32,
    pub expected_close_on: Option<NaiveDate>,
}

impl Deal {
    /// Whether it had been created and was not yet closed at the end of `day`.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.milestones.created <= day && self.closed.is_none_or(|(closed_on, _)| closed_on > day)
    }

    pub(crate) fn won_in(&self, from: NaiveDate, to: NaiveDate) -> Money {
        match self.closed {
            Some((on, true)) if from <= on && on <= to => self.amount,
            _ => Money::ZERO,
        }
    }
}

/// The days of history a forecast learns from: the closes of the trailing year, as the KPIs' rates.
pub const HISTORY_DAYS: i64 = 365;

/// An organisation's deals and what the forecast needs besides: whose team each owner is in, the
/// weighted pipeline's probability of each step on a past day, and the method's threshold.
#[derive(Debug, Clone)]
pub struct Book<'a> {
    pub deals: &'a [Deal],
    /// Each owner's team (their manager; an owner without one is a team of their own).
    pub team_of: &'a HashMap<i64, i64>,
    /// The probability of the stage that records each step's milestone (the first open stage for
    /// [`Step::Opened`]): what a deal's stage was worth on a day before today.
    pub step_probability_bp: [u32; 4],
    /// Today: a deal open now is weighted by its current stage on this day and after.
    pub today: NaiveDate,
    pub min_closed: i64,
}

/// The forecast of a subject's owners for a period as of a day: each owner's and the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookForecast {
    pub owners: Vec<(i64, DataForecast)>,
    pub total: DataForecast,
    /// Each open deal's part, by its index in the book's deals.
    pub deals: Vec<(usize, DealForecast)>,
    /// The rates of the subject's closed deals of the trailing year, per step.
    pub rates: Vec<StepRate>,
}

impl Book<'_> {
    /// The forecast of `owners` for `period` as of the end of `as_of`, from the deals closed in the
    /// year before it. Once the period has ended, it is what was won.
    pub fn forecast(&self, owners: &[i64], period: Period, as_of: NaiveDate) -> BookForecast {
        self.forecast_with(owners, period, as_of, Detail::Full)
    }

    /// What each of `owners` is expected to bring in `period` as of `as_of` and what they had won
    /// by then, as [`Book::forecast`] gives them, without the intervals, the deals' parts and the
    /// rates: what the band's past errors, the roll-up and the accuracy of calls read.
    pub fn expected(&self, owners: &[i64], period: Period, as_of: NaiveDate) -> Vec<(i64, Expected)> {
        let forecast = self.forecast_with(owners, period, as_of, Detail::Expected);
        forecast.owners.into_iter().map(|(owner, f)| (owner, Expected { expected: f.expected, won: f.won })).collect()
    }

    fn forecast_with(&self, owners: &[i64], period: Period, as_of: NaiveDate, detail: Detail) -> BookForecast {
        let learnt_from = as_of - chrono::Duration::days(HISTORY_DAYS);
        let team = |owner: i64| self.team_of.get(&owner).copied().unwrap_or(owner);
        let mut by_owner: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut closed_by_owner: HashMap<i64, Vec<ClosedDeal>> = HashMap::new();
        let mut closed_by_team: HashMap<i64, Vec<ClosedDeal>> = HashMap::new();
        let mut everyone = Vec::new();
        for (index, deal) in self.deals.iter().enumerate() {
            by_owner.entry(deal.owner).or_default().push(index);
            let Some((closed_on, won)) = deal.closed.filter(|(on, _)| learnt_from < *on && *on <= as_of) else {
                continue;
            };
            let closed = ClosedDeal { milestones: deal.milestones, closed_on, won };
            closed_by_owner.entry(deal.owner).or_default().push(closed);
            closed_by_team.entry(team(deal.owner)).or_default().push(closed);
            everyone.push(closed);
        }
        let organisation = History::of(&everyone);
        let teams: HashMap<i64, History> =
            closed_by_team.iter().map(|(team, deals)| (*team, History::of(deals))).collect();
        let empty = History::default();
        let window = window(as_of, period.start(), last_day(period));
        // What the previous period won, as far as it was known on the day.
        let previous = period.previous();
        let (won_to, last_to) = (as_of.min(last_day(period)), as_of.min(last_day(previous)));
        let mut total = Parts::default();
        let mut forecast = BookForecast {
            owners: Vec::new(),
            total: total.combine(period, Detail::Expected),
            deals: Vec::new(),
            rates: Vec::new(),
        };
        let mut subject_closed = Vec::new();
        for &owner in owners {
            let own_closed = closed_by_owner.get(&owner).map(Vec::as_slice).unwrap_or_default();
            let own = History::of(own_closed);
            subject_closed.extend_from_slice(own_closed);
            let pools = Pools {
                own: &own,
                team: teams.get(&team(owner)).unwrap_or(&empty),
                organisation: &organisation,
                min_closed: self.min_closed,
            };
            let mut parts = Parts::default();
            for &index in by_owner.get(&owner).into_iter().flatten() {
                let deal = &self.deals[index];
                parts.won += deal.won_in(period.start(), won_to);
                parts.last += deal.won_in(previous.start(), last_to);
                let Some(window) = window.filter(|_| deal.open_on(as_of)) else { continue };
                let open = OpenDeal {
                    amount: deal.amount,
                    milestones: deal.milestones,
                    probability_bp: self.probability_on(deal, as_of),
                    expected_close_on: deal.expected_close_on,
                };
                let part = forecast_deal(&open, pools, as_of, window);
                parts.parts.push(part);
                parts.open.push(open);
                if detail == Detail::Full {
                    forecast.deals.push((index, part));
                }
            }
            forecast.owners.push((owner, parts.combine(period, detail)));
            total.absorb(parts);
        }
        forecast.total = total.combine(period, detail);
        if detail == Detail::Full {
            forecast.rates = History::of(&subject_closed).rates();
        }
        forecast
    }

    /// The win probability a deal's stage had on `day`: its current stage's while it is open
    /// today, else that of the stage of the step it had reached (the history of stages is known
    /// through the milestones).
    fn probability_on(&self, deal: &Deal, day: NaiveDate) -> u32 {
        if day >= self.today && deal.closed.is_none() {
            deal.stage_probability_bp
        } else {
            self.step_probability_bp[deal.milestones.step_on(day).0.index()]
        }
    }
}

/// The last day of a period (whose end is the day after).
pub fn last_day(period: Period) -> NaiveDate {
    period.end().pred_opt().unwrap_or(period.start())
}

/// The open deals' parts and the won revenue gathered for one forecast.
#[derive(Default)]
struct Parts {
    parts: Vec<DealForecast>,
    open: Vec<OpenDeal>,
    won: Money,
    last: Money,
}

/// How much of a forecast to work out: everything, or only the expected and won revenue (no
/// interval, whose distribution costs the most, and no rates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Full,
    Expected,
}

/// What an owner is expected to bring in a period as of a day, and what they had won by then.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected {
    pub expected: Money,
    pub won: Money,
}

impl std::iter::Sum for Expected {
    fn sum<I: Iterator<Item = Expected>>(iter: I) -> Expected {
        iter.fold(Expected::default(), |sum, e| Expected { expected: sum.expected + e.expected, won: sum.won + e.won })
    }
}

impl Parts {
    fn combine(&self, period: Period, detail: Detail) -> DataForecast {
        match detail {
            Detail::Full => combine(&self.parts, &self.open, self.won, self.last, last_day(period)),
            Detail::Expected => {
                let expected = self.won + self.parts.iter().map(|part| part.expected).sum();
                let open_pipeline = self.open.iter().map(|deal| deal.amount).sum();
                DataForecast {
                    won: self.won,
                    open_deals: self.open.len() as i64,
                    open_pipeline,
                    expected,
                    low: expected,
                    high: expected,
                    weighted_pipeline: self.won,
                    last_period_actual: self.last,
                }
            }
        }
    }

    fn absorb(&mut self, other: Parts) {
        self.parts.extend(other.parts);
        self.open.extend(other.open);
        self.won += other.won;
        self.last += other.last;
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;

//! The data forecast's interval widened by the model's own past errors (`docs/FORECAST.md`). The
//! binomial interval treats the open deals as independent, and a period's deals rise and fall
//! together, so it holds the actual far less often than it claims. The band asks instead how far
//! the open deals' outcome strayed from what the model expected in earlier periods of the same
//! kind, forecast the same distance from their end, for the same people: the 10th and 90th
//! percentile of those ratios, applied to what it expects now (an empirical, conformal band).

use super::model::{Book, BookForecast, Chance, DataForecast, HISTORY_DAYS, last_day};
use crate::{Money, Period};
use chrono::{Duration, NaiveDate};
use std::collections::HashMap;

/// Earlier periods of the same kind a band learns from, at most.
pub const PAST_PERIODS: usize = 12;
/// Fewer past periods with something expected than this leave the binomial interval as it is.
pub const MIN_PAST_PERIODS: usize = 4;

/// What the model expected a past period's open deals to bring, and what the period then won
/// beyond what had been won by the forecast's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastError {
    pub expected: Money,
    pub actual: Money,
}

impl PastError {
    /// The error of a past forecast against the period's whole revenue.
    pub fn of(forecast: &DataForecast, actual: Money) -> PastError {
        PastForecast { expected: forecast.expected, won: forecast.won, actual }.error()
    }

    /// `amount` × actual ÷ expected, rounded half away from zero to the cent.
    fn scale(self, amount: Money) -> Money {
        Chance { won: self.actual.cents(), of: self.expected.cents() }.of_amount(amount)
    }
}

/// A forecast of an earlier period made as far from its end as the one asked (see [`same_lead`]):
/// what the model expected, what had been won by its day, and what the period won in the end. The
/// forecasts of several owners add up to theirs together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PastForecast {
    pub expected: Money,
    pub won: Money,
    pub actual: Money,
}

impl PastForecast {
    /// Its error: what the open deals brought beyond what was won by the day, against what was
    /// expected of them.
    pub fn error(self) -> PastError {
        let beyond = |amount: Money| Money::from_cents((amount - self.won).cents().max(0));
        PastError { expected: beyond(self.expected), actual: beyond(self.actual) }
    }

    /// The forecasts of several owners as one.
    pub fn sum<'a>(forecasts: impl IntoIterator<Item = &'a PastForecast>) -> PastForecast {
        forecasts.into_iter().fold(PastForecast::default(), |sum, f| PastForecast {
            expected: sum.expected + f.expected,
            won: sum.won + f.won,
            actual: sum.actual + f.actual,
        })
    }
}

/// Every owner's forecast of each earlier period a band learns from, the nearest period first: kept,
/// they band any set of owners' forecast again ([`widen_by`]).
pub type PastForecasts = Vec<HashMap<i64, PastForecast>>;

/// Widens the interval of the forecast of `owners` by their past forecasts: each earlier period's
/// error is that of their forecasts together.
pub fn widen_by(forecast: &mut DataForecast, owners: &[i64], past: &PastForecasts) {
    let together: Vec<PastForecast> =
        past.iter().map(|by_owner| PastForecast::sum(owners.iter().filter_map(|o| by_owner.get(o)))).collect();
    widen_by_together(forecast, &together);
}

/// Widens the interval of a forecast by the forecasts of the same owners together of each
/// earlier period.
pub fn widen_by_together(forecast: &mut DataForecast, past: &[PastForecast]) {
    let errors: Vec<PastError> = past.iter().map(|p| p.error()).collect();
    widen(forecast, &errors);
}

/// The past errors at the 10th and 90th percentile of actual ÷ expected, as split conformal
/// prediction takes them: of n ratios in order, the ⌊0.1 (n + 1)⌋-th and the ⌈0.9 (n + 1)⌉-th
/// (clamped to the first and the last, so below 9 periods the band is their whole range). None
/// with fewer than [`MIN_PAST_PERIODS`] periods in which the model expected something.
pub fn ratio_band(past: &[PastError]) -> Option<(PastError, PastError)> {
    let mut usable: Vec<PastError> = past.iter().filter(|p| p.expected.cents() > 0).copied().collect();
    if usable.len() < MIN_PAST_PERIODS {
        return None;
    }
    // a ÷ b against c ÷ d without rounding: a × d against c × b (both divisors positive).
    let cross = |a: &PastError, b: &PastError| i128::from(a.actual.cents()) * i128::from(b.expected.cents());
    usable.sort_by(|a, b| cross(a, b).cmp(&cross(b, a)));
    let n = usable.len();
    let low = ((n + 1) / 10).clamp(1, n);
    let high = (9 * (n + 1)).div_ceil(10).clamp(1, n);
    Some((usable[low - 1], usable[high - 1]))
}

/// Widens the forecast's interval to hold the band of the past errors applied to what it expects
/// of its open deals: it never narrows it.
pub fn widen(forecast: &mut DataForecast, past: &[PastError]) {
    let Some((low, high)) = ratio_band(past) else { return };
    let open_expected = forecast.expected - forecast.won;
    forecast.low = forecast.low.min(forecast.won + low.scale(open_expected));
    forecast.high = forecast.high.max(forecast.won + high.scale(open_expected));
}

/// The day in an earlier period as far from it as `as_of` is from `period`: as many days before
/// its start when `as_of` is before `period`, else as many days before its last day (at the
/// earliest its eve, for a shorter period).
pub fn same_lead(period: Period, as_of: NaiveDate, earlier: Period) -> NaiveDate {
    let eve = earlier.start() - Duration::days(1);
    if as_of < period.start() {
        earlier.start() - (period.start() - as_of)
    } else {
        (last_day(earlier) - (last_day(period) - as_of)).max(eve)
    }
}

/// The first day a banded forecast of `period` as of `as_of` reads deals of: the history year
/// before the earliest of its own and its past forecasts' days and the periods before theirs.
pub fn earliest_day(period: Period, as_of: NaiveDate) -> NaiveDate {
    let mut earliest = as_of.min(period.previous().start());
    let mut earlier = period;
    for _ in 0..PAST_PERIODS {
        earlier = earlier.previous();
        earliest = earliest.min(same_lead(period, as_of, earlier)).min(earlier.previous().start());
    }
    earliest - Duration::days(HISTORY_DAYS)
}

/// The past forecasts of one set of owners, by period and day, so that a back-test forecasting
/// many periods asks each earlier one once.
#[derive(Debug, Default)]
pub struct PastErrors {
    memo: HashMap<(Period, NaiveDate), HashMap<i64, PastForecast>>,
}

impl Book<'_> {
    /// The forecast of `owners` (as [`Book::forecast`]) with each owner's and the total's interval
    /// widened by their past errors. `past` must have served only these owners.
    pub fn forecast_banded(
        &self,
        owners: &[i64],
        period: Period,
        as_of: NaiveDate,
        past: &mut PastErrors,
    ) -> BookForecast {
        let mut forecast = self.forecast(owners, period, as_of);
        let mut earlier_forecasts = Vec::new();
        for (earlier, day) in earlier_days(period, as_of) {
            let by_owner = past.memo.entry((earlier, day)).or_insert_with(|| self.past_forecast(owners, earlier, day));
            earlier_forecasts.push(by_owner.clone());
        }
        for (owner, owner_forecast) in &mut forecast.owners {
            widen_by(owner_forecast, &[*owner], &earlier_forecasts);
        }
        widen_by(&mut forecast.total, owners, &earlier_forecasts);
        forecast
    }

    /// Every owner's forecast of each earlier period of the same kind that had ended by `as_of`,
    /// made the same distance from its end (the nearest period first).
    pub fn past_forecasts(&self, owners: &[i64], period: Period, as_of: NaiveDate) -> PastForecasts {
        earlier_days(period, as_of).into_iter().map(|(earlier, day)| self.past_forecast(owners, earlier, day)).collect()
    }

    /// Each owner's forecast of `period` made as of `day`, beside what the period won.
    fn past_forecast(&self, owners: &[i64], period: Period, day: NaiveDate) -> HashMap<i64, PastForecast> {
        let last = last_day(period);
        let mut actual: HashMap<i64, Money> = HashMap::new();
        for deal in self.deals {
            *actual.entry(deal.owner).or_default() += deal.won_in(period.start(), last);
        }
        self.expected(owners, period, day)
            .into_iter()
            .map(|(owner, f)| {
                let actual = actual.get(&owner).copied().unwrap_or_default();
                (owner, PastForecast { expected: f.expected, won: f.won, actual })
            })
            .collect()
    }
}

/// The earlier periods of the same kind a band of `period` as of `as_of` learns from (those ended
/// by then, the nearest first), each with the day at the same lead.
fn earlier_days(period: Period, as_of: NaiveDate) -> Vec<(Period, NaiveDate)> {
    let mut days = Vec::new();
    let mut earlier = period;
    for _ in 0..PAST_PERIODS {
        earlier = earlier.previous();
        if last_day(earlier) <= as_of {
            days.push((earlier, same_lead(period, as_of, earlier)));
        }
    }
    days
}

#[cfg(test)]
#[path = "band_tests.rs"]
mod tests;

//! How accurate forecasts turned out (`docs/FORECAST.md`): each call for a closed period — a
//! person's submission or the data's forecast — against what the period won, so a manager learns
//! whose calls to trust and whether they tend high or low.

use crate::Money;
use chrono::NaiveDate;
use serde::Serialize;

/// One call for a closed period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastCall {
    /// Whole weeks from the day of the call to the period's last day (0 in the last week).
    pub weeks_before_end: i64,
    pub called: Money,
    pub actual: Money,
}

/// The whole weeks from `day` to `period_end`; 0 from the period's last week on.
pub fn weeks_before_end(day: NaiveDate, period_end: NaiveDate) -> i64 {
    ((period_end - day).num_days() / 7).max(0)
}

/// The errors of a set of calls.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accuracy {
    pub calls: i64,
    /// Mean |called − actual| ÷ actual in %, over the calls whose period won something (a
    /// percentage of nothing is undefined); `None` without any.
    pub mean_absolute_pct_error: Option<f64>,
    /// Mean (called − actual) ÷ actual in %: above 0 the calls run high, below 0 low.
    pub bias_pct: Option<f64>,
    /// Mean |called − actual|, rounded half away from zero to the cent; over every call.
    #[serde(rename = "mean_absolute_error_cents")]
    pub mean_absolute_error: Money,
}

impl Accuracy {
    pub fn of(calls: &[PastCall]) -> Accuracy {
        let pct_errors: Vec<f64> = calls
            .iter()
            .filter(|call| call.actual.cents() > 0)
            .map(|call| (call.called.cents() - call.actual.cents()) as f64 / call.actual.cents() as f64 * 100.0)
            .collect();
        let mean = |values: &mut dyn Iterator<Item = f64>| {
            (!pct_errors.is_empty()).then(|| values.sum::<f64>() / pct_errors.len() as f64)
        };
        let absolute: i128 =
            calls.iter().map(|call| i128::from((call.called.cents() - call.actual.cents()).abs())).sum();
        let count = calls.len() as i128;
        let mean_absolute_error =
            if count == 0 { 0 } else { i64::try_from((2 * absolute + count) / (2 * count)).unwrap_or(i64::MAX) };
        Accuracy {
            calls: calls.len() as i64,
            mean_absolute_pct_error: mean(&mut pct_errors.iter().map(|e| e.abs())),
            bias_pct: mean(&mut pct_errors.iter().copied()),
            mean_absolute_error: Money::from_cents(mean_absolute_error),
        }
    }
}

/// The accuracy of the calls made each number of weeks before the periods' ends, the nearest first.
pub fn by_weeks_before_end(calls: &[PastCall]) -> Vec<(i64, Accuracy)> {
    let mut weeks: Vec<i64> = calls.iter().map(|call| call.weeks_before_end).collect();
    weeks.sort_unstable();
    weeks.dedup();
    weeks
        .into_iter()
        .map(|week| {
            let of_week: Vec<PastCall> = calls.iter().filter(|call| call.weeks_before_end == week).copied().collect();
            (week, Accuracy::of(&of_week))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(weeks_before_end: i64, called: i64, actual: i64) -> PastCall {
        PastCall { weeks_before_end, called: Money::from_units(called), actual: Money::from_units(actual) }
    }

    #[test]
    fn percentage_errors_average_to_the_mape_and_the_bias() {
        // 110 for 100: +10 %; 80 for 100: −20 %; 150 for 120: +25 %.
        // MAPE (10 + 20 + 25) ÷ 3 = 18.33 %; bias (10 − 20 + 25) ÷ 3 = 5 %;
        // absolute errors 10, 20, 30 → mean 20.00.
        let accuracy = Accuracy::of(&[call(0, 110, 100), call(0, 80, 100), call(1, 150, 120)]);
        assert_eq!(accuracy.calls, 3);
        assert!(accuracy.mean_absolute_pct_error.is_some_and(|mape| (mape - 55.0 / 3.0).abs() < 1e-9));
        assert!(accuracy.bias_pct.is_some_and(|bias| (bias - 5.0).abs() < 1e-9));
        assert_eq!(accuracy.mean_absolute_error, Money::from_units(20));
    }

    #[test]
    fn a_period_that_won_nothing_has_no_percentage_but_an_absolute_error() {
        // 50 for 0, 100 for 100: only the second has a percentage (0 %); absolute errors 50 and 0.
        let accuracy = Accuracy::of(&[call(0, 50, 0), call(0, 100, 100)]);
        assert_eq!((accuracy.mean_absolute_pct_error, accuracy.bias_pct), (Some(0.0), Some(0.0)));
        assert_eq!(accuracy.mean_absolute_error, Money::from_units(25));
        let none = Accuracy::of(&[call(0, 50, 0)]);
        assert_eq!((none.mean_absolute_pct_error, none.bias_pct), (None, None));
        assert_eq!(Accuracy::of(&[]).mean_absolute_error, Money::ZERO);
    }

    #[test]
    fn calls_group_by_whole_weeks_before_the_end() {
        let day = |text: &str| text.parse::<NaiveDate>().unwrap_or_else(|e| panic!("{text}: {e}"));
        let end = day("2026-03-31");
        // 03-31 − 03-25 = 6 days: week 0; 03-24: 7 days, week 1; after the end: 0.
        assert_eq!(weeks_before_end(day("2026-03-25"), end), 0);
        assert_eq!(weeks_before_end(day("2026-03-24"), end), 1);
        assert_eq!(weeks_before_end(day("2026-04-02"), end), 0);
        let grouped = by_weeks_before_end(&[call(2, 90, 100), call(0, 100, 100), call(2, 130, 100)]);
        let weeks: Vec<i64> = grouped.iter().map(|(week, _)| *week).collect();
        assert_eq!(weeks, [0, 2]);
        // Week 2: −10 % and +30 %: MAPE 20 %, bias 10 %.
        assert_eq!(grouped[1].1.mean_absolute_pct_error, Some(20.0));
        assert_eq!(grouped[1].1.bias_pct, Some(10.0));
    }
}

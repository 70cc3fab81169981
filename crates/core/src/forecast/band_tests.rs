use super::*;
use crate::period::PeriodKind;

fn cents(c: i64) -> Money {
    Money::from_cents(c)
}

fn error(expected: i64, actual: i64) -> PastError {
    PastError { expected: cents(expected), actual: cents(actual) }
}

fn forecast(won: i64, expected: i64, low: i64, high: i64) -> DataForecast {
    DataForecast {
        won: cents(won),
        open_deals: 3,
        open_pipeline: cents(1_000),
        expected: cents(expected),
        low: cents(low),
        high: cents(high),
        weighted_pipeline: cents(0),
        last_period_actual: cents(0),
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn a_past_error_is_what_the_open_deals_brought_against_what_was_expected_of_them() {
    // Won 100 by the day, 300 expected in all, 450 won in the end: 200 expected of the open deals,
    // 350 brought.
    assert_eq!(PastError::of(&forecast(100, 300, 0, 0), cents(450)), error(200, 350));
    // A deal won then deleted leaves less than was won by the day: nothing brought, not less.
    assert_eq!(PastError::of(&forecast(100, 300, 0, 0), cents(80)), error(200, 0));
}

#[test]
fn below_nine_periods_the_band_is_the_range_of_the_ratios() {
    // Ratios 1.5, 0.5, 2.0, 1.0 (and a period that expected nothing, left out): the band runs
    // from 0.5 to 2.0.
    let past = [error(200, 300), error(400, 200), error(0, 50), error(100, 200), error(300, 300)];
    assert_eq!(ratio_band(&past), Some((error(400, 200), error(100, 200))));
    // Three usable periods are too few.
    assert_eq!(ratio_band(&past[..4]), None);
}

#[test]
fn nineteen_periods_take_the_second_and_the_eighteenth_ratio() {
    // Ratios 1/10 … 19/10, given in reverse: ⌊0.1 × 20⌋ = 2nd, ⌈0.9 × 20⌉ = 18th.
    let past: Vec<PastError> = (1..=19).rev().map(|k| error(10, k)).collect();
    assert_eq!(ratio_band(&past), Some((error(10, 2), error(10, 18))));
}

#[test]
fn the_band_widens_the_interval_and_never_narrows_it() {
    let past = [error(200, 300), error(400, 200), error(100, 200), error(300, 300)];
    // Won 100, expected 300: 200 of the open deals, × 0.5 = 100 and × 2.0 = 400, so the interval
    // 250–350 becomes 200–500.
    let mut wide = forecast(100, 300, 250, 350);
    widen(&mut wide, &past);
    assert_eq!((wide.low, wide.high), (cents(200), cents(500)));
    // An interval already wider keeps its bounds.
    let mut wider = forecast(100, 300, 150, 900);
    widen(&mut wider, &past);
    assert_eq!((wider.low, wider.high), (cents(150), cents(900)));
    // Without enough history it is the binomial interval.
    let mut alone = forecast(100, 300, 250, 350);
    widen(&mut alone, &past[..3]);
    assert_eq!((alone.low, alone.high), (cents(250), cents(350)));
}

#[test]
fn an_earlier_period_is_asked_the_same_distance_from_its_end() {
    let q4 = Period::containing(PeriodKind::Quarter, day("2026-11-01"));
    let q3 = q4.previous();
    // The eve of the quarter: the eve of the earlier one.
    assert_eq!(same_lead(q4, day("2026-09-30"), q3), day("2026-06-30"));
    // Four weeks before 31 December: four weeks before 30 September.
    assert_eq!(same_lead(q4, day("2026-12-03"), q3), day("2026-09-02"));
    // 29 days before the end of March is before February began: February's eve.
    let march = Period::containing(PeriodKind::Month, day("2026-03-10"));
    assert_eq!(same_lead(march, day("2026-03-02"), march.previous()), day("2026-01-31"));
}

#[test]
fn past_forecasts_add_up_to_the_error_of_the_owners_together() {
    // Owner 1: expected 300, won 100 by the day, 450 in the end; owner 2: expected 50, won 0,
    // 0 in the end. Together 350, 100 and 450: 250 expected of the open deals, 350 brought.
    let one = PastForecast { expected: cents(300), won: cents(100), actual: cents(450) };
    let two = PastForecast { expected: cents(50), won: cents(0), actual: cents(0) };
    assert_eq!(PastForecast::sum([&one, &two]).error(), error(250, 350));
    // Each alone as PastError::of gives it.
    assert_eq!(one.error(), PastError::of(&forecast(100, 300, 0, 0), cents(450)));
    // Four such periods band any set of owners: the ratio 350/250 four times for both, 350/200
    // for owner 1 alone.
    let past: PastForecasts = (0..4).map(|_| HashMap::from([(1, one), (2, two)])).collect();
    let mut both = forecast(0, 100, 90, 110);
    widen_by(&mut both, &[1, 2], &past);
    // 100 of open deals × 350/250 = 140.
    assert_eq!((both.low, both.high), (cents(90), cents(140)));
    let mut first = forecast(0, 100, 90, 110);
    widen_by(&mut first, &[1], &past);
    // × 350/200 = 175.
    assert_eq!((first.low, first.high), (cents(90), cents(175)));
}

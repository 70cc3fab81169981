use super::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn opened(created: &str, first_appointment: Option<&str>) -> Milestones {
    Milestones { created: day(created), first_appointment: first_appointment.map(day), gateway: None, proposal: None }
}

fn closed(milestones: Milestones, closed_on: &str, won: bool) -> ClosedDeal {
    ClosedDeal { milestones, closed_on: day(closed_on), won }
}

/// Days from each step to the close (2026):
/// A created 01-01, first appointment 01-05, won 01-21:  opened 20, first appointment 16.
/// B created 01-01, first appointment 01-11, lost 01-31: opened 30, first appointment 20.
/// C created 01-01, lost 01-11 without an appointment:   opened 10.
/// D created 01-01, first appointment 01-02, won 03-03:  opened 61, first appointment 60.
fn four_deals() -> Vec<ClosedDeal> {
    vec![
        closed(opened("2026-01-01", Some("2026-01-05")), "2026-01-21", true),
        closed(opened("2026-01-01", Some("2026-01-11")), "2026-01-31", false),
        closed(opened("2026-01-01", None), "2026-01-11", false),
        closed(opened("2026-01-01", Some("2026-01-02")), "2026-03-03", true),
    ]
}

#[test]
fn the_step_is_the_last_milestone_reached_by_the_day() {
    let deal = Milestones { gateway: Some(day("2026-02-01")), ..opened("2026-01-01", Some("2026-01-10")) };
    assert_eq!(deal.step_on(day("2026-01-09")), (Step::Opened, day("2026-01-01")));
    assert_eq!(deal.step_on(day("2026-01-10")), (Step::FirstAppointment, day("2026-01-10")));
    assert_eq!(deal.step_on(day("2026-02-05")), (Step::Gateway, day("2026-02-01")));
}

#[test]
fn a_chance_counts_the_deals_still_open_at_that_age_and_those_won_in_the_window() {
    let history = History::of(&four_deals());
    assert_eq!(history.closed(), 4);
    // At the first appointment for 10 days, the next 10: A (16), B (20), D (60) were open after
    // 10 days; only A was won in days 11..=20.
    assert_eq!(history.chance(Step::FirstAppointment, 10, 0, 10), Some(Chance { won: 1, of: 3 }));
    // For 18 days: B (20, lost) and D (60) were open; D was won only on day 60, after day 48.
    assert_eq!(history.chance(Step::FirstAppointment, 18, 0, 30), Some(Chance { won: 0, of: 2 }));
    // Older than every deal that closed from the step: nothing to learn from.
    assert_eq!(history.chance(Step::FirstAppointment, 60, 0, 30), None);
    // Just opened, the next 30 days: all four open after day 0, A won on day 20.
    assert_eq!(history.chance(Step::Opened, 0, 0, 30), Some(Chance { won: 1, of: 4 }));
    // A window that begins 20 days ahead (a later period) leaves A out: (20, 70] holds only D.
    assert_eq!(history.chance(Step::Opened, 0, 20, 70), Some(Chance { won: 1, of: 4 }));
    assert_eq!(history.chance(Step::Opened, 0, 21, 70), Some(Chance { won: 1, of: 4 }));
    assert_eq!(history.chance(Step::Opened, 0, 61, 70), Some(Chance { won: 0, of: 4 }));
}

#[test]
fn rates_are_won_over_closed_from_each_step_and_the_median_days_to_won() {
    let rates = History::of(&four_deals()).rates();
    // Opened: 4 closed, A and D won after 20 and 61 days; the lower middle of two is 20.
    assert_eq!((rates[0].closed, rates[0].won, rates[0].win_rate), (4, 2, Some(0.5)));
    assert_eq!(rates[0].median_days_to_won, Some(20));
    // First appointment: A, B, D closed; A (16) and D (60) won.
    assert_eq!((rates[1].closed, rates[1].won, rates[1].median_days_to_won), (3, 2, Some(16)));
    // No deal reached the gateway: undefined, not 0.
    assert_eq!((rates[2].closed, rates[2].win_rate, rates[2].median_days_to_won), (0, None, None));
}

#[test]
fn a_thin_history_falls_back_to_the_team_then_the_organisation() {
    let own = History::of(&four_deals()[..1]);
    let mut team_deals = four_deals();
    team_deals.push(closed(opened("2026-01-01", None), "2026-01-05", true));
    let team = History::of(&team_deals);
    let organisation = History::of(&four_deals());
    let pools = Pools { own: &own, team: &team, organisation: &organisation, min_closed: 5 };
    // 1 own deal < 5: the team's 5; opened, the next 30 days: all 5 open after day 0, A (20) and
    // the fifth (4) won.
    assert_eq!(pools.chance(Step::Opened, 0, 0, 30), (Chance { won: 2, of: 5 }, RateSource::Team));
    // With 1 needed, the rep's own: A won on day 20 of its one deal.
    let own_enough = Pools { min_closed: 1, ..pools };
    assert_eq!(own_enough.chance(Step::Opened, 0, 0, 30), (Chance { won: 1, of: 1 }, RateSource::Own));
    // Older than anything the rep and the team closed from the step: the organisation's, which has
    // no deal open 61 days either — nothing.
    assert_eq!(own_enough.chance(Step::Opened, 25, 0, 30), (Chance { won: 0, of: 2 }, RateSource::Team));
    assert_eq!(pools.chance(Step::Opened, 61, 0, 30), (Chance::NONE, RateSource::Nothing));
}

#[test]
fn expected_amounts_round_half_away_from_zero_to_the_cent() {
    // 100.00 × 1/3 = 33.333… → 33.33; 0.50 × 1/4 = 0.125 → 0.13.
    assert_eq!(Chance { won: 1, of: 3 }.of_amount(Money::from_cents(10_000)), Money::from_cents(3_333));
    assert_eq!(Chance { won: 1, of: 4 }.of_amount(Money::from_cents(50)), Money::from_cents(13));
}

#[test]
fn a_window_runs_from_the_day_after_to_the_period_end() {
    // As of 2026-01-10 in January: days 1..=21 ahead.
    assert_eq!(window(day("2026-01-10"), day("2026-01-01"), day("2026-01-31")), Some((0, 21)));
    // As of 2025-12-25 for January: days 7 (January 1) ..= 37 ahead.
    assert_eq!(window(day("2025-12-25"), day("2026-01-01"), day("2026-01-31")), Some((6, 37)));
    assert_eq!(window(day("2026-01-31"), day("2026-01-01"), day("2026-01-31")), None);
}

fn part(amount_cents: i64, won: i64, of: i64) -> DealForecast {
    let chance = Chance { won, of };
    let amount = Money::from_cents(amount_cents);
    DealForecast {
        step: Step::Opened,
        age_days: 0,
        chance,
        source: RateSource::Own,
        amount,
        expected: chance.of_amount(amount),
    }
}

#[test]
fn the_exact_interval_is_the_10th_and_90th_percentile_of_the_outcomes() {
    // One deal won with 19/20: nothing with 1/20 < 10 %, so both percentiles are the amount.
    assert_eq!(interval(&[part(10_000, 19, 20)]), (Money::from_cents(10_000), Money::from_cents(10_000)));
    // 100.00 and 300.00, each 1/2: 0, 100, 300, 400 with 1/4 each; 10 % → 0, 90 % → 400.
    assert_eq!(interval(&[part(10_000, 1, 2), part(30_000, 1, 2)]), (Money::ZERO, Money::from_cents(40_000)));
    // 100.00 at 3/4 and 300.00 at 1/4: 0 (3/16), 100 (9/16), 300 (1/16), 400 (3/16); the
    // cumulative 3/16, 12/16, 13/16, 1: 10 % → 0, 90 % → 400.
    assert_eq!(interval(&[part(10_000, 3, 4), part(30_000, 1, 4)]), (Money::ZERO, Money::from_cents(40_000)));
    assert_eq!(interval(&[part(10_000, 0, 3)]), (Money::ZERO, Money::ZERO));
}

#[test]
fn many_deals_take_the_normal_approximation() {
    // 401 deals of 10.00 at 1/2: mean 2005.00, variance 401 × 1000² × 1/4 = 100,250,000 cents²,
    // standard deviation 10,012.49; × 1.28155 = 12,831.53 → 1876.68 and 2133.32.
    let parts = vec![part(1_000, 1, 2); 401];
    assert_eq!(interval(&parts), (Money::from_cents(187_668), Money::from_cents(213_332)));
}

#[test]
fn the_forecast_adds_the_won_revenue_to_the_expected_and_weights_what_is_due() {
    let end = day("2026-01-31");
    let deal = |amount, close: Option<&str>| OpenDeal {
        amount: Money::from_cents(amount),
        milestones: opened("2026-01-01", None),
        probability_bp: 2_000,
        expected_close_on: close.map(day),
    };
    let open = [deal(10_000, Some("2026-01-20")), deal(30_000, None), deal(50_000, Some("2026-02-10"))];
    let parts = [part(10_000, 1, 2), part(30_000, 1, 2), part(50_000, 0, 1)];
    let forecast = combine(&parts, &open, Money::from_cents(7_000), Money::from_cents(99_000), end);
    // 70 won + 50 + 150 expected; the weighted: 70 + 20 % of (100 + 300), the February deal left out.
    assert_eq!(forecast.expected, Money::from_cents(27_000));
    assert_eq!(forecast.weighted_pipeline, Money::from_cents(15_000));
    assert_eq!((forecast.low, forecast.high), (Money::from_cents(7_000), Money::from_cents(47_000)));
    assert_eq!((forecast.open_deals, forecast.open_pipeline), (3, Money::from_cents(90_000)));
    assert_eq!(forecast.last_period_actual, Money::from_cents(99_000));
}

/// Reps 1 and 2 of team 10 (2026):
/// d0 rep 1, 100.00, created 01-05, won 01-25 (20 days);
/// d1 rep 2, 200.00, created 01-10, lost 02-09 (30 days);
/// d2 rep 1, 300.00, created 03-01, open at a 50 % stage;
/// d3 rep 1,  50.00, created 02-10, won 03-05 (23 days);
/// d4 rep 1,  70.00, created 01-01, won 02-20 (50 days).
fn book_deals() -> Vec<Deal> {
    let deal = |owner, units, created: &str, closed: Option<(&str, bool)>| Deal {
        owner,
        amount: Money::from_units(units),
        milestones: opened(created, None),
        closed: closed.map(|(on, won)| (day(on), won)),
        stage_probability_bp: 5_000,
        expected_close_on: None,
    };
    vec![
        deal(1, 100, "2026-01-05", Some(("2026-01-25", true))),
        deal(2, 200, "2026-01-10", Some(("2026-02-09", false))),
        deal(1, 300, "2026-03-01", None),
        deal(1, 50, "2026-02-10", Some(("2026-03-05", true))),
        deal(1, 70, "2026-01-01", Some(("2026-02-20", true))),
    ]
}

#[test]
fn a_book_forecasts_each_owner_from_what_was_known_on_the_day() {
    let deals = book_deals();
    let team_of = HashMap::from([(1, 10), (2, 10)]);
    let book = Book {
        deals: &deals,
        team_of: &team_of,
        step_probability_bp: [500, 2_000, 4_000, 6_000],
        today: day("2026-12-01"),
        min_closed: 3,
    };
    let march: Period = "2026-03".parse().unwrap_or_else(|e| panic!("{e:?}"));
    // As of 03-10: rep 1 closed d0, d3, d4 (3, enough). d2, opened 9 days ago, the 21 days left:
    // all three were open after 9 days, d0 (20) and d3 (23) won within 30 → 2/3 of 300 = 200.
    let forecast = book.forecast(&[1, 2], march, day("2026-03-10"));
    let (owner, rep1) = &forecast.owners[0];
    assert_eq!(*owner, 1);
    assert_eq!(forecast.deals.len(), 1);
    assert_eq!(forecast.deals[0].0, 2);
    assert_eq!((forecast.deals[0].1.chance, forecast.deals[0].1.source), (Chance { won: 2, of: 3 }, RateSource::Own));
    // Won in March so far: d3's 50; February won d4's 70. Expected 50 + 200; weighted on a past
    // day by the step's stage, 5 % of 300 = 15 → 65; the interval 50 + (0 … 300).
    assert_eq!(rep1.won, Money::from_units(50));
    assert_eq!(rep1.last_period_actual, Money::from_units(70));
    assert_eq!(rep1.expected, Money::from_units(250));
    assert_eq!(rep1.weighted_pipeline, Money::from_units(65));
    assert_eq!((rep1.low, rep1.high), (Money::from_units(50), Money::from_units(350)));
    assert_eq!(forecast.owners[1].1.expected, Money::ZERO);
    assert_eq!(forecast.total.expected, Money::from_units(250));
    // The subject's rates: 4 closed, 3 won after 20, 23 and 50 days.
    assert_eq!(
        (forecast.rates[0].closed, forecast.rates[0].won, forecast.rates[0].median_days_to_won),
        (4, 3, Some(23))
    );

    // Needing 4 closed deals, rep 1 takes the team's: d0, d1, d3, d4 open after 9 days, d0 and d3
    // won within 30 → 2/4 of 300 = 150.
    let thin = Book { min_closed: 4, ..book.clone() };
    let forecast = thin.forecast(&[1], march, day("2026-03-10"));
    assert_eq!(forecast.deals[0].1.source, RateSource::Team);
    assert_eq!(forecast.total.expected, Money::from_units(200));

    // As of 02-15: d2 does not exist yet; d3 (5 days old) is forecast for days 14..=44 ahead from
    // d0 (20, won) and d1 (30, lost) — the team's two are fewer than 3, so the organisation's —:
    // won in (18, 49] → d0, 1/2 of 50 = 25. d4, open
    // 45 days, is older than anything closed by then: nothing. Nothing of March or of February was
    // won by then.
    let early = book.forecast(&[1], march, day("2026-02-15"));
    let chances: Vec<(usize, Chance, RateSource)> = early.deals.iter().map(|(i, d)| (*i, d.chance, d.source)).collect();
    assert_eq!(
        chances,
        [(3, Chance { won: 1, of: 2 }, RateSource::Organisation), (4, Chance::NONE, RateSource::Nothing)]
    );
    assert_eq!(
        (early.total.expected, early.total.won, early.total.last_period_actual),
        (Money::from_units(25), Money::ZERO, Money::ZERO)
    );

    // Today, an open deal is weighted by its current stage: 50 % of 300.
    let live = Book { today: day("2026-03-10"), ..book.clone() };
    assert_eq!(live.forecast(&[1], march, day("2026-03-10")).total.weighted_pipeline, Money::from_units(200));
}

#[test]
fn amounts_with_a_common_divisor_give_an_exact_interval() {
    // 4500.00 for sure and 2000.00 at 1/2: 4500 or 6500, each 1/2 — exact on the 500.00 divisor.
    let parts = [part(450_000, 1, 1), part(200_000, 1, 2)];
    assert_eq!(interval(&parts), (Money::from_cents(450_000), Money::from_cents(650_000)));
    // 0.01 and 1000.00: no divisor keeps it short, so a grid of 1000.01 / 1000 = 1.01 (rounded up
    // to 101 cents); 100,000 cents round to 990 steps = 99,990 cents, the 1 cent to none.
    assert_eq!(interval(&[part(100_000, 1, 1), part(1, 1, 1)]), (Money::from_cents(99_990), Money::from_cents(99_990)));
}

#[test]
fn expected_alone_is_the_forecasts_expected_and_won() {
    let deals = book_deals();
    let team_of = HashMap::from([(1, 10), (2, 10)]);
    let book = Book {
        deals: &deals,
        team_of: &team_of,
        step_probability_bp: [500, 2_000, 4_000, 6_000],
        today: day("2026-12-01"),
        min_closed: 3,
    };
    let march: Period = "2026-03".parse().unwrap_or_else(|e| panic!("{e:?}"));
    for as_of in ["2026-02-15", "2026-03-10", "2026-04-01"] {
        let full = book.forecast(&[1, 2], march, day(as_of));
        let light: Vec<(i64, Money, Money)> =
            book.expected(&[1, 2], march, day(as_of)).into_iter().map(|(o, e)| (o, e.expected, e.won)).collect();
        let of_full: Vec<(i64, Money, Money)> = full.owners.iter().map(|(o, f)| (*o, f.expected, f.won)).collect();
        assert_eq!(light, of_full, "{as_of}");
    }
    // As of 03-10 (as a_book_forecasts_each_owner_from_what_was_known_on_the_day): rep 1 250 of which 50 won.
    let light = book.expected(&[1], march, day("2026-03-10"));
    assert_eq!(light, [(1, Expected { expected: Money::from_units(250), won: Money::from_units(50) })]);
}

#[test]
fn spreads_add_up_and_pick_the_interval() {
    // 4500.00 for sure and 2000.00 at 1/2, in two owners' shares: exact, as interval gives it.
    let (one, two) = ([part(450_000, 1, 1)], [part(200_000, 1, 2), part(0, 1, 2), part(700, 0, 1)]);
    let spread = Spread::of(&one) + Spread::of(&two);
    assert_eq!((spread.live, spread.total), (2, 650_000));
    // mean 450,000 + 100,000; variance 200,000² × 1/4.
    assert_eq!((spread.mean, spread.variance), (550_000.0, 10_000_000_000.0));
    assert!(spread.exact());
    let all = [one.as_slice(), two.as_slice()].concat();
    assert_eq!(spread.interval(&all), interval(&all));
    // Above 400 live deals only the sums are read: 401 deals of 100.00 at 1/2 — mean 20,050.00,
    // spread 1.2816 × √(401 × 10,000² / 4) = 128,315 cents either side.
    let many = vec![part(10_000, 1, 2); 401];
    let spread = Spread::of(&many);
    assert!(!spread.exact());
    assert_eq!(spread.interval(&[]), interval(&many));
    assert_eq!(spread.interval(&[]), (Money::from_cents(2_005_000 - 128_315), Money::from_cents(2_005_000 + 128_315)));
}

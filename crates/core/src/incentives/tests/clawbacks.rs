//! Changes after a lock: every locked component period recomputed with today's credit, falls
//! and rises by one rule, per deal and component, never twice, inside and outside `clawback_days`.

use super::*;

/// 5% of revenue below quota, 8% of all of it from 100%, monthly; `extra` adds fields.
fn monthly(extra: &str) -> String {
    format!(
        r#"{{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ {{ "from": 0, "rate": "0.05" }}, {{ "from": 1, "rate": "0.08" }} ]{extra} }}"#
    )
}

fn reference() -> ComponentRef {
    ComponentRef { plan: "AE".into(), key: "m".into() }
}

/// A deal line paid on a locked statement: closed in January 2027, credited `units` × 100 cents.
fn line(opportunity_id: i64, closed: u32, units: i64, earnings_cents: i64) -> LockedLine {
    LockedLine { opportunity_id, closed_on: day(2027, 1, closed), credited: Decimal::from(units * 100), earnings_cents }
}

/// January 2027 of component `m` as locked against a quota of 10,000.00.
fn january(lines: Vec<LockedLine>) -> LockedPeriod {
    LockedPeriod { component: reference(), window: period("2027-01"), quota: Some(dec("1000000")), lines }
}

/// The monthly plan with deal 42 (1,000.00, 10 January) paid 50.00 on the locked January.
fn books(extra: &str) -> Books {
    let mut books = Books::new(&[&monthly(extra)]);
    books.quotas = vec![quota(Metric::Revenue, "2027-01", 1_000_000), quota(Metric::Revenue, "2027-02", 1_000_000)];
    books.locked = vec![january(vec![line(42, 10, 1_000, 5_000)])];
    books
}

fn adjusted(statement: &Statement) -> Vec<(Option<i64>, AdjustmentCause, i64)> {
    statement.adjustments.iter().map(|a| (a.opportunity_id, a.cause, a.amount_cents)).collect()
}

/// What earlier statements adjusted for deal 42 on `m`.
fn prior_adjusted(cents: i64) -> PriorStatements {
    let mut prior = PriorStatements::default();
    prior.adjusted.insert((42, reference()), cents);
    prior
}

#[test]
fn the_window_counts_days_from_the_close_to_the_change() {
    let closed = day(2027, 1, 10);
    // 1 March is 50 days after the close, inside 90; 1 May is 111, outside; 10 April is 90, inside.
    assert!(!after_window(closed, Some(day(2027, 3, 1)), Some(90)));
    assert!(after_window(closed, Some(day(2027, 5, 1)), Some(90)));
    assert!(!after_window(closed, Some(day(2027, 4, 10)), Some(90)));
    // Without clawback_days, or without a known change day, every fall is charged.
    assert!(!after_window(closed, Some(day(2027, 12, 1)), None));
    assert!(!after_window(closed, None, Some(90)));
}

#[test]
fn a_deal_lost_inside_the_window_is_charged_back_and_after_it_is_not() {
    let mut books = books(r#", "clawback_days": 30"#);
    // Lost on 1 February, 22 days after its close: January recomputed credits nothing, 0 − 50.00.
    books.changed_on.insert(42, day(2027, 2, 1));
    let february = books.statement("2027-02", &PriorStatements::default());
    assert_eq!(adjusted(&february), [(Some(42), AdjustmentCause::Clawback, -5_000)]);
    assert_eq!(february.adjustments[0].note, "AE m: deal no longer credited");
    assert_eq!(february.adjustments[0].component, Some(reference()));
    assert_eq!((february.earnings_cents, february.payable_cents), (-5_000, -5_000));
    // Lost on 1 March, 50 days after: outside the 30 days, nothing.
    books.changed_on.insert(42, day(2027, 3, 1));
    assert!(books.statement("2027-03", &PriorStatements::default()).adjustments.is_empty());
}

#[test]
fn a_raised_deal_is_paid_its_difference_once_and_a_later_fall_from_there() {
    let mut books = books("");
    // Raised to 1,500.00: 1,500.00 × 5% = 75.00 − 50.00 locked = +25.00.
    books.deals = vec![deal(42, day(2027, 1, 10), 1_500)];
    let february = books.statement("2027-02", &PriorStatements::default());
    assert_eq!(adjusted(&february), [(Some(42), AdjustmentCause::DealChanged, 2_500)]);
    assert_eq!(february.adjustments[0].note, "AE m: credited amount rose");
    // Once a statement carries the 25.00, the same change adjusts nothing more.
    assert!(books.statement("2027-03", &prior_adjusted(2_500)).adjustments.is_empty());
    // Lowered to 1,200.00: 60.00 − 50.00 − 25.00 already adjusted = −15.00.
    books.deals = vec![deal(42, day(2027, 1, 10), 1_200)];
    assert_eq!(
        adjusted(&books.statement("2027-03", &prior_adjusted(2_500))),
        [(Some(42), AdjustmentCause::Clawback, -1_500)]
    );
    // Lost: 0 − 50.00 − 10.00 (25.00 − 15.00) = −60.00; re-won at 1,000.00 after that: 50.00 −
    // 50.00 − (−50.00) = +50.00. Paid in all: 50.00, what the deal earns today.
    books.deals = Vec::new();
    assert_eq!(books.statement("2027-04", &prior_adjusted(1_000)).adjustments[0].amount_cents, -6_000);
    books.deals = vec![deal(42, day(2027, 1, 10), 1_000)];
    assert_eq!(
        adjusted(&books.statement("2027-05", &prior_adjusted(-5_000))),
        [(Some(42), AdjustmentCause::DealChanged, 5_000)]
    );
}

#[test]
fn a_rise_is_paid_with_the_tiers_the_period_reaches() {
    let mut books = Books::new(&[&monthly("")]);
    // Locked January: deals 1 (6,000.00) and 2 (3,000.00) of 10,000.00: 9,000.00 × 5% = 450.00,
    // shared 300.00 and 150.00.
    books.locked = vec![january(vec![line(1, 5, 6_000, 30_000), line(2, 6, 3_000, 15_000)])];
    // Deal 1 raised to 8,000.00: 11,000.00 reaches 100%, 8% on all of it = 880.00, shared
    // 880.00 × 8/11 = 640.00 and 880.00 × 3/11 = 240.00: +340.00 and +90.00, 430.00 in all.
    books.deals = vec![deal(1, day(2027, 1, 5), 8_000), deal(2, day(2027, 1, 6), 3_000)];
    let february = books.statement("2027-02", &PriorStatements::default());
    assert_eq!(
        adjusted(&february),
        [(Some(1), AdjustmentCause::DealChanged, 34_000), (Some(2), AdjustmentCause::DealChanged, 9_000)]
    );
    assert_eq!(february.adjustments[1].note, "AE m: the period's earnings changed with another deal");
}

#[test]
fn a_deal_won_or_reassigned_into_a_locked_month_is_paid() {
    let mut books = books("");
    // Deal 7 (2,000.00) is now won on 20 January, or credited to the rep since: 3,000.00 × 5% =
    // 150.00, 50.00 for deal 42 as locked and 100.00 for deal 7.
    books.deals = vec![deal(42, day(2027, 1, 10), 1_000), deal(7, day(2027, 1, 20), 2_000)];
    let february = books.statement("2027-02", &PriorStatements::default());
    assert_eq!(adjusted(&february), [(Some(7), AdjustmentCause::DealChanged, 10_000)]);
    assert_eq!(february.adjustments[0].note, "AE m: deal credited after the lock");
}

#[test]
fn the_gate_and_the_cap_apply_to_the_recomputed_period() {
    // Gate at 50% and a cap of 300.00.
    let mut books = Books::new(&[&monthly(r#", "gate": "0.5", "cap_cents": 30000"#)]);
    // Locked January: deal 1 (6,000.00) alone, 60% of 10,000.00 × 5% = 300.00.
    books.locked = vec![january(vec![line(1, 5, 6_000, 30_000)])];
    // Deal 1 falls to 4,000.00: 40% is below the gate, 0 − 300.00.
    books.deals = vec![deal(1, day(2027, 1, 5), 4_000)];
    assert_eq!(books.statement("2027-02", &PriorStatements::default()).adjustments[0].amount_cents, -30_000);
    // Deal 1 rises to 12,000.00: 120% × 8% = 960.00, capped at 300.00: nothing to pay.
    books.deals = vec![deal(1, day(2027, 1, 5), 12_000)];
    assert!(books.statement("2027-02", &PriorStatements::default()).adjustments.is_empty());
}

#[test]
fn a_plan_or_quota_changed_after_the_lock_moves_nothing_but_a_removed_component_is_charged_back() {
    // The rate is now 6%: January recomputed as locked and with today's (same) credit both pay
    // 60.00, so nothing is owed for deal 42; its quota is the one locked.
    let mut books = Books::new(&[&monthly("").replace("0.05", "0.06")]);
    books.locked = vec![january(vec![line(42, 10, 1_000, 5_000)])];
    books.deals = vec![deal(42, day(2027, 1, 10), 1_000)];
    assert!(books.statement("2027-02", &PriorStatements::default()).adjustments.is_empty());
    // A component the plan no longer has: its locked lines are charged back whole, window or not.
    books.locked[0].component.key = "gone".into();
    books.changed_on.insert(42, day(2027, 12, 1));
    let february = books.statement("2027-02", &PriorStatements::default());
    assert_eq!(adjusted(&february), [(Some(42), AdjustmentCause::Clawback, -5_000)]);
}

#[test]
fn a_fall_after_the_window_takes_back_nothing_paid_since() {
    let mut books = books(r#", "clawback_days": 30"#);
    // Raised to 1,500.00 and paid +25.00, then lost on 1 March (50 days after its close): the deal
    // keeps its locked 1,000.00 in January, 50.00 − 50.00 − 25.00 = −25.00, not charged.
    books.changed_on.insert(42, day(2027, 3, 1));
    assert!(books.statement("2027-03", &prior_adjusted(2_500)).adjustments.is_empty());
}

#[test]
fn a_cumulative_component_takes_a_lost_deal_back_once() {
    let mut books =
        Books::new(&[r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true,
        "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ] }"#]);
    books.quotas = vec![quota(Metric::Revenue, "2027-01", 1_000_000), quota(Metric::Revenue, "2027-02", 1_000_000)];
    // January (locked): deal 42, 1,000.00 at 5% = 50.00 paid.
    books.locked = vec![january(vec![line(42, 10, 1_000, 5_000)])];
    let mut prior = PriorStatements::default();
    prior.paid.insert(reference(), 5_000);
    // Lost on 1 February: the year to February credits nothing, 0 − 50.00 paid = −50.00 trued up.
    // The line paid in January is that same 50.00: adjusting it too would take 100.00.
    books.changed_on.insert(42, day(2027, 2, 1));
    let february = books.statement("2027-02", &prior);
    assert_eq!(february.components[0].due_cents, -5_000);
    assert!(february.adjustments.is_empty(), "{:?}", february.adjustments);
    assert_eq!((february.earnings_cents, february.payable_cents), (-5_000, -5_000));
}

#[test]
fn a_cumulative_component_keeps_a_deal_lost_after_its_window() {
    let mut books = Books::new(&[
        r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true,
        "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ], "clawback_days": 30 }"#,
    ]);
    books.quotas = (1..=3).map(|month| quota(Metric::Revenue, &format!("2027-0{month}"), 1_000_000)).collect();
    // January and February locked, February's year to date paying 50.00 for deal 42 (1,000.00 at 5%).
    let year_to_february = Period::range(day(2027, 1, 1), day(2027, 3, 1)).unwrap_or(period("2027"));
    books.locked = vec![
        january(vec![line(42, 10, 1_000, 5_000)]),
        LockedPeriod { window: year_to_february, ..january(vec![line(42, 10, 1_000, 5_000)]) },
    ];
    let mut prior = PriorStatements::default();
    prior.paid.insert(reference(), 5_000);
    // Lost on 1 March, 50 days after its close: outside the 30 days, so the year to date still
    // credits its 1,000.00 once → 50.00, less 50.00 paid = 0; nothing adjusted.
    books.changed_on.insert(42, day(2027, 3, 1));
    let march = books.statement("2027-03", &prior);
    assert_eq!((march.components[0].due_cents, march.earnings_cents), (0, 0));
    assert_eq!(march.components[0].computed.credited, dec("100000"));
    // Inside the window (lost on 1 February) the true-up takes the 50.00 back.
    books.changed_on.insert(42, day(2027, 2, 1));
    assert_eq!(books.statement("2027-03", &prior).earnings_cents, -5_000);
}

#[test]
fn a_deal_of_last_year_lost_this_year_is_adjusted_on_a_cumulative_component() {
    let mut books =
        Books::new(&[r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true,
        "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ] }"#]);
    books.in_force = vec![period("2028")];
    // Closed 20 December 2027 and paid 50.00 on the locked December (the year 2027 to date, quota
    // 10,000.00); lost on 5 January 2028. The 2028 year to date never credits it, so the 2027
    // period recomputed (1,000.00 then, nothing now) takes the 50.00 back.
    let line = LockedLine { closed_on: day(2027, 12, 20), ..line(42, 10, 1_000, 5_000) };
    books.locked = vec![LockedPeriod { window: period("2027"), ..january(vec![line]) }];
    let january = books.statement("2028-01", &PriorStatements::default());
    assert_eq!(adjusted(&january), [(Some(42), AdjustmentCause::Clawback, -5_000)]);
    assert_eq!(january.earnings_cents, -5_000);
}

//! Clawbacks inside and outside `clawback_days`, and on a statement.

use super::*;

/// A deal closed 10 January 2027, credited 1,000.00 and paid 50.00 on a locked statement.
fn paid(changed_on: NaiveDate, credited_now: &str) -> PaidDeal {
    PaidDeal {
        opportunity_id: 42,
        plan: "AE".into(),
        component_key: "m".into(),
        closed_on: day(2027, 1, 10),
        changed_on,
        credited_then: dec("100000"),
        credited_now: dec(credited_now),
        earned_cents: 5_000,
    }
}

#[test]
fn a_deal_lost_inside_the_window_is_charged_back_in_full() {
    // Lost on 1 March: 50 days after its close, inside 90.
    let adjustment = clawback(&paid(day(2027, 3, 1), "0"), Some(90)).expect("charged back");
    assert_eq!(
        (adjustment.amount_cents, adjustment.opportunity_id, adjustment.cause),
        (-5_000, Some(42), AdjustmentCause::Clawback)
    );
}

#[test]
fn a_deal_lost_after_the_window_is_not_charged_back() {
    // Lost on 1 May: 111 days after its close, more than 90.
    assert_eq!(clawback(&paid(day(2027, 5, 1), "0"), Some(90)), None);
    // Exactly 90 days (10 April) is still inside.
    assert!(clawback(&paid(day(2027, 4, 10), "0"), Some(90)).is_some());
    // Without clawback_days every fall is charged back.
    assert!(clawback(&paid(day(2027, 12, 1), "0"), None).is_some());
}

#[test]
fn a_fallen_amount_charges_back_the_share_lost() {
    // 1,000.00 → 600.00: 40% of the 50.00 paid = 20.00.
    assert_eq!(clawback(&paid(day(2027, 2, 1), "60000"), Some(90)).map(|a| a.amount_cents), Some(-2_000));
    // A deal that grew is not a clawback.
    assert_eq!(clawback(&paid(day(2027, 2, 1), "120000"), Some(90)), None);
}

#[test]
fn a_statement_charges_back_with_the_components_window() {
    let mut books =
        Books::new(&[r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ], "clawback_days": 30 }"#]);
    // Lost on 1 March, 50 days after its close: outside the plan's 30 days, nothing charged.
    books.paid_deals = vec![paid(day(2027, 3, 1), "0")];
    assert!(books.statement("2027-03", &PriorStatements::default()).adjustments.is_empty());
    // Lost on 1 February, 22 days after: −50.00 on the next statement.
    books.paid_deals = vec![paid(day(2027, 2, 1), "0")];
    let statement = books.statement("2027-02", &PriorStatements::default());
    assert_eq!((statement.adjustments.len(), statement.earnings_cents, statement.payable_cents), (1, -5_000, -5_000));
}

#[test]
fn a_cumulative_component_takes_a_lost_deal_back_once() {
    let mut books =
        Books::new(&[r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true,
        "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ] }"#]);
    books.quotas = vec![quota(Metric::Revenue, "2027-01", 1_000_000), quota(Metric::Revenue, "2027-02", 1_000_000)];
    // January (locked): deal 42, 1,000.00 at 5% = 50.00 paid.
    let mut prior = PriorStatements::default();
    prior.paid.insert(ComponentRef { plan: "AE".into(), key: "m".into() }, 5_000);
    // Lost on 1 February: the year to February credits nothing, 0 − 50.00 paid = −50.00 trued up.
    // The line paid in January is that same 50.00: charging it back too would take 100.00.
    books.paid_deals = vec![paid(day(2027, 2, 1), "0")];
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
    // January and February (locked) paid 50.00 for deal 42 (1,000.00 at 5%).
    let mut prior = PriorStatements::default();
    prior.paid.insert(ComponentRef { plan: "AE".into(), key: "m".into() }, 5_000);
    // Lost on 1 March, 50 days after its close: outside the 30 days, so the year to date still
    // credits its 1,000.00 → 50.00, less 50.00 paid = 0; nothing charged back.
    books.paid_deals = vec![paid(day(2027, 3, 1), "0")];
    let march = books.statement("2027-03", &prior);
    assert_eq!((march.components[0].due_cents, march.earnings_cents), (0, 0));
    assert_eq!(march.components[0].computed.credited, dec("100000"));
    // Inside the window (lost on 1 February) the true-up takes the 50.00 back.
    books.paid_deals = vec![paid(day(2027, 2, 1), "0")];
    assert_eq!(books.statement("2027-03", &prior).earnings_cents, -5_000);
}

#[test]
fn a_deal_of_last_year_lost_this_year_is_charged_back_on_a_cumulative_component() {
    let mut books =
        Books::new(&[r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true,
        "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ] }"#]);
    books.in_force = vec![period("2028")];
    // Closed 20 December 2027 and paid 50.00 on the locked December statement; lost on 5 January
    // 2028. The 2028 year to date never credited it, so only a clawback takes the 50.00 back.
    books.paid_deals = vec![PaidDeal { closed_on: day(2027, 12, 20), ..paid(day(2028, 1, 5), "0") }];
    let january = books.statement("2028-01", &PriorStatements::default());
    assert_eq!(january.adjustments.iter().map(|a| a.amount_cents).collect::<Vec<_>>(), [-5_000]);
    assert_eq!(january.earnings_cents, -5_000);
}

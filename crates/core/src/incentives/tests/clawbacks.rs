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

//! What closing an open deal adds, and what the next tier is worth.

use super::*;

const MONTHLY: &str = r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
    "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" }, { "from": 1, "rate": "0.08" } ] }"#;

fn books() -> Books {
    let mut books = Books::new(&[MONTHLY]);
    books.quotas = vec![quota(Metric::Revenue, "2027-03", 1_000_000)];
    books.deals = vec![deal(1, day(2027, 3, 3), 9_000)];
    books
}

#[test]
fn closing_a_deal_adds_what_the_engine_recomputes() {
    let books = books();
    let plans = books.rep_plans();
    let prior = PriorStatements::default();
    let open = deal(2, day(2027, 3, 31), 2_000);
    let what_if = what_if_close(&books.input(&plans, "2027-03", &prior), &open);
    // Now 9,000.00 of 10,000.00 × 5% = 450.00; with the deal 11,000.00 reaches 8% on everything:
    // 880.00 → adds 430.00.
    assert_eq!(what_if.added_cents, 43_000);
    assert_eq!(what_if.components, [(ComponentRef { plan: "AE".into(), key: "m".into() }, 43_000)]);
}

#[test]
fn the_next_tier_is_what_reaching_it_is_worth() {
    let plan = component(MONTHLY);
    let step = next_step(&plan, dec("900000"), Some(dec("1000000"))).expect("a next tier");
    // 1,000.00 more reaches 100%: 10,000.00 × 8% = 800.00, 350.00 more than the 450.00 now.
    assert_eq!(
        (step.attainment, step.credited_needed, step.earnings_cents, step.worth_cents),
        (Decimal::ONE, dec("100000"), 80_000, 35_000)
    );
    assert_eq!(next_step(&plan, dec("1200000"), Some(dec("1000000"))), None, "past the last tier");
    assert_eq!(next_step(&plan, dec("900000"), None), None, "no quota");
}

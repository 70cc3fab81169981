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

#[test]
fn the_next_step_may_be_the_gate_or_a_curve_point() {
    let gated = component(
        r#"{ "key": "g", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
            "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" }, { "from": 1, "rate": "0.08" } ], "gate": "0.5" }"#,
    );
    // 3,000.00 of 10,000.00 is below the gate 0.5: 2,000.00 more opens it, 5,000.00 × 5% = 250.00.
    let step = next_step(&gated, dec("300000"), Some(dec("1000000"))).expect("the gate");
    assert_eq!((step.attainment, step.credited_needed, step.worth_cents), (dec("0.5"), dec("200000"), 25_000));
    let bonus = component(
        r#"{ "key": "b", "metric": "deals", "credit": "own", "period": "year", "kind": "bonus", "target_cents": 1000000,
            "curve": [ { "attainment": "0.5", "payout": "0.25" }, { "attainment": "1", "payout": "1" } ] }"#,
    );
    // 6 of 10 deals pays 0.25 + 0.1 × 0.75 / 0.5 = 0.4 → 4,000.00; 4 more reach 1 → 10,000.00.
    let step = next_step(&bonus, dec("6"), Some(dec("10"))).expect("a curve point");
    assert_eq!((step.credited_needed, step.earnings_cents, step.worth_cents), (dec("4"), 1_000_000, 600_000));
}

#[test]
fn a_what_if_on_a_cumulative_component_counts_the_catch_up() {
    let mut books = Books::new(&[
        r#"{ "key": "ytd", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true,
        "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" }, { "from": 1, "rate": "0.10" } ] }"#,
    ]);
    books.quotas = vec![quota(Metric::Revenue, "2027-01", 1_000_000), quota(Metric::Revenue, "2027-02", 1_000_000)];
    books.deals = vec![deal(1, day(2027, 1, 20), 9_000), deal(2, day(2027, 2, 3), 9_000)];
    let plans = books.rep_plans();
    let prior = PriorStatements::default();
    // Year to February: 18,000.00 of 20,000.00 at 5% = 900.00. A 3,000.00 deal makes 21,000.00,
    // all at 10%: 2,100.00 → adds 1,200.00 (300.00 on the deal, 900.00 catch-up).
    let what_if = what_if_close(&books.input(&plans, "2027-02", &prior), &deal(3, day(2027, 2, 27), 3_000));
    assert_eq!(what_if.added_cents, 120_000);
}

#[test]
fn a_tier_start_below_the_gate_is_not_a_next_step() {
    let gated = component(
        r#"{ "key": "g", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
            "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" }, { "from": "0.3", "rate": "0.06" } ], "gate": "0.5" }"#,
    );
    // 1,000.00 of 10,000.00: the tier at 0.3 still pays nothing (below the gate 0.5); the gate is
    // the next step: 4,000.00 more, 5,000.00 × 6% = 300.00.
    let step = next_step(&gated, dec("100000"), Some(dec("1000000"))).expect("the gate");
    assert_eq!((step.attainment, step.credited_needed, step.worth_cents), (dec("0.5"), dec("400000"), 30_000));
}

//! Statements: which components a month holds, the cumulative true-up, adjustments and awards.

use super::*;

const RETRO_MONTHLY_CUMULATIVE: &str = r#"{ "key": "ytd", "metric": "revenue", "credit": "own", "period": "month",
    "cumulative": true, "kind": "commission", "tier_mode": "retroactive",
    "tiers": [ { "from": 0, "rate": "0.05" }, { "from": 1, "rate": "0.10" } ] }"#;

fn monthly_quotas(target: i64) -> Vec<QuotaEntry> {
    (1..=12).map(|month| quota(Metric::Revenue, &format!("2027-{month:02}"), target)).collect()
}

#[test]
fn a_retroactive_rate_reached_in_august_pays_the_catch_up_in_august() {
    let mut books = Books::new(&[RETRO_MONTHLY_CUMULATIVE]);
    books.quotas = monthly_quotas(1_000_000);
    // 9,000.00 won each month January to July (of a 10,000.00 monthly quota), 20,000.00 in August.
    books.deals = (1..=7).map(|month| deal(i64::from(month), day(2027, month, 15), 9_000)).collect();
    books.deals.push(deal(8, day(2027, 8, 15), 20_000));
    let statements = books.year(8);
    // January to July: year-to-date attainment 0.9, 5% of each month's 9,000.00 = 450.00 a month.
    // August: 83,000.00 of 80,000.00 (1.0375) reaches 10% on everything: 8,300.00, less the
    // 7 × 450.00 = 3,150.00 paid → 5,150.00 (2,000.00 on August's deal, 3,150.00 catch-up).
    assert_eq!(due(&statements, "ytd"), [45_000, 45_000, 45_000, 45_000, 45_000, 45_000, 45_000, 515_000]);
    let august = &statements[7].components[0];
    assert_eq!((august.computed.earned.earnings_cents, august.paid_before_cents), (830_000, 315_000));
    assert_eq!(august.period, "2027-01-01..2027-09-01");
}

#[test]
fn a_cumulative_quarter_pays_at_quarter_ends() {
    let quarterly = RETRO_MONTHLY_CUMULATIVE.replace(r#""period": "month""#, r#""period": "quarter""#);
    let mut books = Books::new(&[&quarterly]);
    books.quotas = monthly_quotas(1_000_000);
    // Q1: 25,000.00 of 30,000.00 → 5% = 1,250.00 in March. Q2 to June: 65,000.00 of 60,000.00
    // → 10% on everything = 6,500.00, less 1,250.00 → 5,250.00 in June.
    books.deals =
        vec![deal(1, day(2027, 1, 10), 10_000), deal(2, day(2027, 3, 31), 15_000), deal(3, day(2027, 5, 5), 40_000)];
    let statements = books.year(6);
    assert_eq!(due(&statements, "ytd"), [0, 0, 125_000, 0, 0, 525_000]);
    assert!(statements[0].components.is_empty(), "January is not a quarter's end");
}

#[test]
fn a_non_cumulative_component_pays_the_period_ending_in_the_month() {
    let quarterly = r#"{ "key": "q", "metric": "revenue", "credit": "own", "period": "quarter", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" }, { "from": 1, "rate": "0.10" } ] }"#;
    let mut books = Books::new(&[quarterly]);
    books.quotas = monthly_quotas(1_000_000);
    // Q1 25,000.00 of 30,000.00 → 1,250.00; Q2 40,000.00 of 30,000.00 → 10% = 4,000.00 (no catch-up).
    books.deals =
        vec![deal(1, day(2027, 1, 10), 10_000), deal(2, day(2027, 3, 31), 15_000), deal(3, day(2027, 5, 5), 40_000)];
    let statements = books.year(6);
    assert_eq!(due(&statements, "q"), [0, 0, 125_000, 0, 0, 400_000]);
    assert_eq!(statements[5].components[0].period, "2027-Q2");
}

#[test]
fn earnings_add_components_adjustments_and_awards_and_nothing_else() {
    let mut books = Books::new(&[RETRO_MONTHLY_CUMULATIVE]);
    books.quotas = monthly_quotas(1_000_000);
    books.deals = vec![deal(1, day(2027, 3, 15), 2_000)];
    books.awards = vec![ContestAward {
        contest: "Sprint".into(),
        rep_id: 1,
        place: Some(1),
        value: dec("3"),
        amount_cents: 5_000,
        prizes: Vec::new(),
    }];
    let adjustments = [Adjustment {
        opportunity_id: None,
        component: None,
        fiscal_year: None,
        cause: AdjustmentCause::Manual,
        amount_cents: -1_000,
        note: "fix".into(),
    }];
    let plans = books.rep_plans();
    let prior = PriorStatements::default();
    let statement =
        compute_statement(&StatementInput { adjustments: &adjustments, ..books.input(&plans, "2027-03", &prior) });
    // March: 2,000.00 × 5% = 100.00; + 50.00 award − 10.00 adjustment = 140.00, no draw.
    assert_eq!((statement.earnings_cents, statement.payable_cents, statement.draw), (14_000, 14_000, None));
    assert_eq!(statement.month, "2027-03");
}

#[test]
fn a_rep_off_the_plan_for_the_whole_period_gets_no_line() {
    let mut books =
        Books::new(&[r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ] }"#]);
    books.in_force = vec![Period::range(day(2027, 1, 1), day(2027, 3, 1)).expect("range")];
    books.quotas = monthly_quotas(1_000_000);
    books.deals = vec![deal(1, day(2027, 3, 15), 2_000)];
    assert!(books.statement("2027-03", &PriorStatements::default()).components.is_empty());
    assert_eq!(books.statement("2027-02", &PriorStatements::default()).components.len(), 1);
}

#[test]
fn rep_plans_gathers_a_reps_assignments_and_draws_from_the_file() {
    let file = read_plans_file(super::plans_file::EXAMPLE).expect("the example reads");
    let (plans, draws) = rep_plans(&file, "R1");
    assert_eq!(plans.len(), 1);
    assert_eq!(
        plans[0].in_force.iter().map(|p| (p.start(), p.end())).collect::<Vec<_>>(),
        [(day(2027, 1, 1), day(2028, 1, 1))]
    );
    assert!(draws.is_empty());
    assert!(rep_plans(&file, "R9").0.is_empty());
}

#[test]
fn a_team_component_credits_the_subtree_against_the_team_quota() {
    let overlay = r#"{ "key": "team", "metric": "revenue", "credit": "team", "period": "month", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.01" } ] }"#;
    let own = r#"{ "key": "own", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.1" } ] }"#;
    let books = Books::new(&[overlay, own]);
    let plans = books.rep_plans();
    let prior = PriorStatements::default();
    let mine = [deal(1, day(2027, 3, 2), 1_000)];
    let team = [deal(1, day(2027, 3, 2), 1_000), CreditedDeal { rep_id: 2, ..deal(2, day(2027, 3, 9), 9_000) }];
    let own_quotas = [quota(Metric::Revenue, "2027-03", 100_000)];
    let team_quotas = [quota(Metric::Revenue, "2027-03", 1_000_000)];
    let input = StatementInput {
        own_deals: &mine,
        team_deals: &team,
        own_quotas: &own_quotas,
        team_quotas: &team_quotas,
        ..books.input(&plans, "2027-03", &prior)
    };
    let statement = compute_statement(&input);
    // Team: 10,000.00 of the subtree × 1% = 100.00 (attainment 1 against 10,000.00).
    // Own: 1,000.00 × 10% = 100.00 (attainment 1 against 1,000.00).
    let lines: Vec<(&str, i64, Option<Decimal>)> =
        statement.components.iter().map(|l| (l.key.as_str(), l.due_cents, l.computed.earned.attainment)).collect();
    assert_eq!(lines, [("team", 10_000, Some(Decimal::ONE)), ("own", 10_000, Some(Decimal::ONE))]);
    assert_eq!(statement.components[0].computed.lines.len(), 2);
}

#[test]
fn amounts_beyond_cents_saturate_on_the_statement_instead_of_overflowing() {
    let huge = r#"{ "key": "KEY", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "1000000" } ] }"#;
    let mut books = Books::new(&[&huge.replace("KEY", "a"), &huge.replace("KEY", "b")]);
    books.quotas = vec![quota(Metric::Revenue, "2027-01", 100)];
    // Two deals of 50,000,000,000.00 each: 10^13 cents × 1,000,000 = 10^19 > i64::MAX per
    // component, so each saturates at i64::MAX; the two lines split i64::MAX (odd) in halves that
    // both round up, and the statement adds two saturated components.
    books.deals = vec![deal(1, day(2027, 1, 5), 50_000_000_000), deal(2, day(2027, 1, 6), 50_000_000_000)];
    let january = books.statement("2027-01", &PriorStatements::default());
    assert_eq!(january.components[0].due_cents, i64::MAX);
    let lines: i128 = january.components[0].computed.lines.iter().map(|line| i128::from(line.earnings_cents)).sum();
    assert_eq!(lines, i128::from(i64::MAX));
    assert_eq!((january.earnings_cents, january.payable_cents), (i64::MAX, i64::MAX));
}

#[test]
fn a_cumulative_cap_is_the_most_each_period_pays() {
    let capped = r#"{ "key": "ytd", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true,
        "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ], "cap_cents": 3000 }"#;
    let mut books = Books::new(&[capped]);
    books.quotas = monthly_quotas(1_000_000);
    books.deals = vec![deal(1, day(2027, 1, 10), 1_000), deal(2, day(2027, 3, 10), 2_000)];
    // January: 5% of 1,000.00 = 50.00, capped at 30.00 for one month.
    // February: the year to date earns 50.00, at most 2 × 30.00 = 60.00 → 50.00 − 30.00 = 20.00.
    // March: 5% of 3,000.00 = 150.00, at most 3 × 30.00 = 90.00 → 90.00 − 50.00 = 40.00.
    assert_eq!(due(&books.year(3), "ytd"), [3_000, 2_000, 4_000]);
}

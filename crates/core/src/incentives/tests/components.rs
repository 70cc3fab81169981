//! One component period: tiers, curve, gate, cap, rounding, deals rates, split credit, proration.

use super::*;

/// The `bookings` component of `INCENTIVES.md` §7: 5% from 0, 8% from 100%, 10% from 150%, gate
/// 50%, cap 50,000.00; here paid per month.
fn bookings(mode: &str) -> Component {
    component(&format!(
        r#"{{ "key": "bookings", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
            "tier_mode": "{mode}", "tiers": [ {{ "from": 0, "rate": "0.05" }}, {{ "from": 1, "rate": "0.08" }},
            {{ "from": 1.5, "rate": "0.10" }} ], "gate": "0.5", "cap_cents": 5000000 }}"#
    ))
}

fn cents(units: i64) -> Decimal {
    Decimal::from(units * 100)
}

#[test]
fn retroactive_applies_the_highest_tier_reached_to_everything() {
    let plan = bookings("retroactive");
    // 120,000.00 of 100,000.00: attainment 1.2 reaches the 8% tier: 120,000.00 × 0.08 = 9,600.00.
    let earned = earn(&plan, cents(120_000), Some(cents(100_000)));
    assert_eq!(earned.attainment, Some(dec("1.2")));
    assert_eq!(earned.earnings_cents, 960_000);
    // Exactly at the gate (0.5) pays: 50,000.00 × 0.05 = 2,500.00.
    assert_eq!(earn(&plan, cents(50_000), Some(cents(100_000))).earnings_cents, 250_000);
}

#[test]
fn marginal_pays_each_slice_at_its_own_rate() {
    let plan = bookings("marginal");
    // 160,000.00 of 100,000.00: 5% × 100,000 + 8% × 50,000 + 10% × 10,000
    // = 5,000 + 4,000 + 1,000 = 10,000.00.
    assert_eq!(earn(&plan, cents(160_000), Some(cents(100_000))).earnings_cents, 1_000_000);
    // 80,000.00 stays in the first slice: 80,000 × 5% = 4,000.00.
    assert_eq!(earn(&plan, cents(80_000), Some(cents(100_000))).earnings_cents, 400_000);
}

#[test]
fn below_the_gate_pays_nothing_and_says_so() {
    // 40,000.00 of 100,000.00 is 0.4, below the gate 0.5.
    let earned = earn(&bookings("retroactive"), cents(40_000), Some(cents(100_000)));
    assert_eq!((earned.earnings_cents, earned.reason), (0, Some(NoPay::BelowGate)));
}

#[test]
fn the_cap_is_the_most_a_period_pays() {
    // 600,000.00 of 100,000.00 reaches 10%: 60,000.00, capped at 50,000.00.
    let earned = earn(&bookings("retroactive"), cents(600_000), Some(cents(100_000)));
    assert_eq!((earned.earnings_cents, earned.capped), (5_000_000, true));
}

#[test]
fn no_quota_pays_nothing_and_says_why() {
    for quota in [None, Some(Decimal::ZERO)] {
        let earned = earn(&bookings("retroactive"), cents(120_000), quota);
        assert_eq!((earned.attainment, earned.earnings_cents, earned.reason), (None, 0, Some(NoPay::NoQuota)));
    }
}

#[test]
fn earnings_round_once_half_away_from_zero() {
    let plan = component(
        r#"{ "key": "k", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
            "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.05" } ] }"#,
    );
    // 10.10 × 0.05 = 0.505: half a cent rounds up to 0.51.
    assert_eq!(earn(&plan, dec("1010"), Some(dec("1000"))).earnings_cents, 51);
    // 10.09 × 0.05 = 0.5045 → 0.50.
    assert_eq!(earn(&plan, dec("1009"), Some(dec("1000"))).earnings_cents, 50);
}

fn deals_commission(mode: &str) -> Component {
    component(&format!(
        r#"{{ "key": "logos", "metric": "deals", "credit": "own", "period": "month", "kind": "commission",
            "tier_mode": "{mode}", "tiers": [ {{ "from": 0, "rate": "100.00" }}, {{ "from": 1, "rate": "150.00" }} ] }}"#
    ))
}

#[test]
fn deals_rates_are_money_per_deal() {
    // 12 deals of a quota of 10 (attainment 1.2).
    // Retroactive: 12 × 150.00 = 1,800.00.
    assert_eq!(earn(&deals_commission("retroactive"), dec("12"), Some(dec("10"))).earnings_cents, 180_000);
    // Marginal: 10 × 100.00 + 2 × 150.00 = 1,300.00.
    assert_eq!(earn(&deals_commission("marginal"), dec("12"), Some(dec("10"))).earnings_cents, 130_000);
}

fn new_logos_bonus() -> Component {
    component(
        r#"{ "key": "new_logos", "metric": "deals", "credit": "own", "period": "year", "kind": "bonus",
            "target_cents": 1000000, "curve": [ { "attainment": "0.5", "payout": "0.25" },
            { "attainment": "1", "payout": "1" }, { "attainment": "2", "payout": "2.5" } ] }"#,
    )
}

#[test]
fn the_bonus_curve_is_zero_below_linear_between_and_flat_after() {
    let bonus = new_logos_bonus();
    let paid = |deals: &str| earn(&bonus, dec(deals), Some(dec("10"))).earnings_cents;
    // Target 10,000.00, quota 10 deals.
    assert_eq!(paid("4"), 0, "0.4 is below the first point");
    assert_eq!(paid("5"), 250_000, "at the first point: 0.25 × 10,000.00");
    // 0.8: 0.25 + (0.8 − 0.5) × (1 − 0.25) / (1 − 0.5) = 0.25 + 0.45 = 0.7 → 7,000.00.
    assert_eq!(paid("8"), 700_000);
    // 1.5: 1 + (1.5 − 1) × (2.5 − 1) / (2 − 1) = 1.75 → 17,500.00.
    assert_eq!(paid("15"), 1_750_000);
    assert_eq!(paid("30"), 2_500_000, "3.0 is past the last point: flat at 2.5");
}

#[test]
fn split_credit_counts_the_share_of_amount_and_of_a_deal() {
    let half = CreditedDeal { share: dec("0.4"), ..deal(1, day(2027, 3, 10), 1_000) };
    // 40% of 1,000.00 is 400.00 of revenue, 40% of a deal for `deals`.
    assert_eq!(half.credit(Metric::Revenue), dec("40000"));
    assert_eq!(half.credit(Metric::Margin), dec("12000"), "40% of a margin of 300.00");
    assert_eq!(half.credit(Metric::Deals), dec("0.4"));
}

fn flat_revenue(period: &str) -> Component {
    component(&format!(
        r#"{{ "key": "flat", "metric": "revenue", "credit": "own", "period": "{period}", "kind": "commission",
            "tier_mode": "retroactive", "tiers": [ {{ "from": 0, "rate": "0.1" }} ] }}"#
    ))
}

#[test]
fn a_mid_period_assignment_credits_its_days_and_prorates_the_quota() {
    let plan = flat_revenue("month");
    // In force from 11 March: 21 of March's 31 days. Quota 3,100.00 × 21 / 31 = 2,100.00.
    let in_force = [Period::range(day(2027, 3, 11), day(2028, 1, 1)).expect("range")];
    let deals = [deal(1, day(2027, 3, 5), 500), deal(2, day(2027, 3, 20), 2_100)];
    let quotas = [quota(Metric::Revenue, "2027-03", 310_000)];
    let input = ComponentInput {
        component: &plan,
        window: period("2027-03"),
        in_force: &in_force,
        deals: &deals,
        quotas: &quotas,
    };
    let computed = compute_component(&input);
    // Only the deal of 20 March counts: 2,100.00 of 2,100.00, × 10% = 210.00.
    assert_eq!((computed.credited, computed.quota), (dec("210000"), Some(dec("210000"))));
    assert_eq!((computed.earned.attainment, computed.earned.earnings_cents), (Some(Decimal::ONE), 21_000));
    assert_eq!(computed.lines.iter().map(|line| line.opportunity_id).collect::<Vec<_>>(), [2]);
}

#[test]
fn quotas_prorate_as_kpis_do_and_money_rounds_to_the_cent() {
    // A quarter's 9,000.00 in force from 15 February: 14 + 31 = 45 of Q1 2027's 90 days → 4,500.00.
    let pieces = [Period::range(day(2027, 2, 15), day(2027, 4, 1)).expect("range")];
    assert_eq!(
        quota_for(&[quota(Metric::Revenue, "2027-Q1", 900_000)], Metric::Revenue, None, &pieces),
        Some(dec("450000"))
    );
    // Monthly quotas count fully in their quarter: 3 × 1,000.00.
    let months = [
        quota(Metric::Revenue, "2027-01", 100_000),
        quota(Metric::Revenue, "2027-02", 100_000),
        quota(Metric::Revenue, "2027-03", 100_000),
    ];
    assert_eq!(quota_for(&months, Metric::Revenue, None, &[period("2027-Q1")]), Some(dec("300000")));
    // A year's 1,000.00 over January: 100,000 × 31 / 365 = 8,493.15… cents → 84.93.
    assert_eq!(
        quota_for(&[quota(Metric::Revenue, "2027", 100_000)], Metric::Revenue, None, &[period("2027-01")]),
        Some(dec("8493"))
    );
    // Deals stay exact: 12 × 31 / 365.
    assert_eq!(
        quota_for(&[quota(Metric::Deals, "2027", 12)], Metric::Deals, None, &[period("2027-01")]),
        Some(dec("372") / dec("365"))
    );
    // Another metric or product line is not this quota.
    assert_eq!(quota_for(&months, Metric::Margin, None, &[period("2027-Q1")]), None);
    assert_eq!(quota_for(&months, Metric::Revenue, Some("PL3"), &[period("2027-Q1")]), None);
}

#[test]
fn a_product_line_component_credits_only_its_line() {
    let plan = component(
        r#"{ "key": "storage", "metric": "revenue", "product_line_id": "PL3", "credit": "own", "period": "month",
            "kind": "commission", "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.1" } ] }"#,
    );
    let on_line = CreditedDeal { product_line: Some("PL3".into()), ..deal(1, day(2027, 3, 2), 1_000) };
    let other = CreditedDeal { product_line: Some("PL1".into()), ..deal(2, day(2027, 3, 3), 5_000) };
    let quotas = [QuotaEntry { product_line: Some("PL3".into()), ..quota(Metric::Revenue, "2027-03", 100_000) }];
    let in_force = [period("2027")];
    let deals = [on_line, other];
    let computed = compute_component(&ComponentInput {
        component: &plan,
        window: period("2027-03"),
        in_force: &in_force,
        deals: &deals,
        quotas: &quotas,
    });
    // 1,000.00 of PL3 against 1,000.00: 10% = 100.00.
    assert_eq!((computed.credited, computed.earned.earnings_cents), (dec("100000"), 10_000));
}

#[test]
fn deal_lines_share_the_total_and_the_largest_takes_the_remainder() {
    let deals = [deal(1, day(2027, 3, 1), 100), deal(2, day(2027, 3, 2), 100), deal(3, day(2027, 3, 3), 100)];
    let refs: Vec<&CreditedDeal> = deals.iter().collect();
    // 1.00 over three equal deals: 0.33 each, the remaining cent to the first of the largest.
    let shares: Vec<i64> = deal_lines(&refs, Metric::Revenue, 100).iter().map(|line| line.earnings_cents).collect();
    assert_eq!(shares, [34, 33, 33]);
    // 10.00 over 100.00, 300.00 and 600.00: 1.00, 3.00, 6.00 exactly.
    let uneven = [deal(1, day(2027, 3, 1), 100), deal(2, day(2027, 3, 2), 300), deal(3, day(2027, 3, 3), 600)];
    let refs: Vec<&CreditedDeal> = uneven.iter().collect();
    let shares: Vec<i64> = deal_lines(&refs, Metric::Revenue, 1_000).iter().map(|line| line.earnings_cents).collect();
    assert_eq!(shares, [100, 300, 600]);
    // 0.07 over 1 : 1 : 2 → 1.75, 1.75, 3.5 → 2, 2, 4 = 8, a cent too many: the largest line gives
    // it back → 2, 2, 3.
    let one_one_two = [deal(1, day(2027, 3, 1), 100), deal(2, day(2027, 3, 2), 100), deal(3, day(2027, 3, 3), 200)];
    let refs: Vec<&CreditedDeal> = one_one_two.iter().collect();
    let shares: Vec<i64> = deal_lines(&refs, Metric::Revenue, 7).iter().map(|line| line.earnings_cents).collect();
    assert_eq!(shares, [2, 2, 3]);
}

#[test]
fn a_split_deal_credits_each_rep_their_share_on_their_line() {
    let plan = flat_revenue("month");
    // Deal 7 of 1,000.00 split 60/40 between reps 1 and 2, and deal 8 of 600.00 of rep 1's alone:
    // the team credits 600.00 + 400.00 + 600.00 = 1,600.00, × 10% = 160.00, shared 60 : 40 : 60.
    let team = [
        CreditedDeal { share: dec("0.6"), ..deal(7, day(2027, 3, 2), 1_000) },
        CreditedDeal { rep_id: 2, share: dec("0.4"), ..deal(7, day(2027, 3, 2), 1_000) },
        deal(8, day(2027, 3, 9), 600),
    ];
    let quotas = [quota(Metric::Revenue, "2027-03", 160_000)];
    let in_force = [period("2027")];
    let input = ComponentInput {
        component: &plan,
        window: period("2027-03"),
        in_force: &in_force,
        deals: &team,
        quotas: &quotas,
    };
    let computed = compute_component(&input);
    let lines: Vec<(i64, i64, i64)> =
        computed.lines.iter().map(|l| (l.opportunity_id, l.rep_id, l.earnings_cents)).collect();
    assert_eq!((computed.credited, computed.earned.earnings_cents), (dec("160000"), 16_000));
    assert_eq!(lines, [(7, 1, 6_000), (7, 2, 4_000), (8, 1, 6_000)]);
}

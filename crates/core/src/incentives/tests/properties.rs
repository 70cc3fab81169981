//! Properties: a statement recomputed from the same data is identical; deal lines add up to their
//! component's earnings.

use super::*;
use proptest::prelude::*;

fn arbitrary_deal() -> impl Strategy<Value = CreditedDeal> {
    (1..=365u32, 0..5_000_000i64, 0..=100i64, 0..=4usize).prop_map(|(ordinal, amount_cents, share_pct, line)| {
        CreditedDeal {
            opportunity_id: i64::from(ordinal) * 1_000 + amount_cents % 997,
            rep_id: 1,
            closed_on: NaiveDate::from_yo_opt(2027, ordinal).unwrap_or(NaiveDate::MIN),
            amount_cents,
            margin_cents: amount_cents / 3,
            product_line: ["PL1", "PL2", "PL3", "PL4"].get(line).map(|id| (*id).to_string()),
            share: Decimal::new(share_pct, 2),
        }
    })
}

const COMPONENTS: [&str; 4] = [
    r#"{ "key": "retro", "metric": "revenue", "credit": "own", "period": "month", "cumulative": true, "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.033" }, { "from": "0.7", "rate": "0.071" }, { "from": "1.3", "rate": "0.117" } ],
        "gate": "0.2", "cap_cents": 2500000 }"#,
    r#"{ "key": "marginal", "metric": "margin", "credit": "own", "period": "quarter", "kind": "commission",
        "tier_mode": "marginal", "tiers": [ { "from": 0, "rate": "0.0713" }, { "from": "1.1", "rate": "0.1391" } ] }"#,
    r#"{ "key": "deals", "metric": "deals", "credit": "team", "period": "month", "kind": "commission",
        "tier_mode": "marginal", "tiers": [ { "from": 0, "rate": "33.33" }, { "from": 1, "rate": "66.67" } ] }"#,
    r#"{ "key": "bonus", "metric": "revenue", "product_line_id": "PL3", "credit": "own", "period": "quarter", "cumulative": true,
        "kind": "bonus", "target_cents": 333333, "curve": [ { "attainment": "0.3", "payout": "0.1" }, { "attainment": "1", "payout": "1" },
        { "attainment": "1.7", "payout": "2.3" } ] }"#,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn statements_are_reproducible_and_lines_add_up(deals in proptest::collection::vec(arbitrary_deal(), 0..40), month in 1..=12u32) {
        let mut books = Books::new(&COMPONENTS);
        books.deals = deals;
        books.quotas = (1..=12)
            .flat_map(|m| {
                let month = format!("2027-{m:02}");
                [quota(Metric::Revenue, &month, 3_000_000), quota(Metric::Margin, &month, 1_000_000), quota(Metric::Deals, &month, 2),
                 QuotaEntry { product_line: Some("PL3".into()), ..quota(Metric::Revenue, &month, 700_000) }]
            })
            .collect();
        let first = books.year(month);
        let again = books.year(month);
        prop_assert_eq!(&first, &again);
        for statement in &first {
            for line in &statement.components {
                let sum: i64 = line.computed.lines.iter().map(|deal| deal.earnings_cents).sum();
                if !line.computed.lines.is_empty() {
                    prop_assert_eq!(sum, line.computed.earned.earnings_cents, "{} {}", statement.month, line.key);
                }
            }
        }
    }
}

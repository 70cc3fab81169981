//! A plans file of any content is read without panicking: every mistake is a problem with a
//! message, and a file that reads computes statements without panicking either.

use super::plans_file::EXAMPLE;
use super::*;
use proptest::prelude::*;
use serde_json::Value;

/// Field names and values a plans file uses, so that generated objects get past the first field.
const KEYS: [&str; 40] = [
    "fiscal_year",
    "plans",
    "contests",
    "name",
    "assignments",
    "components",
    "rep_id",
    "from",
    "to",
    "draw",
    "kind",
    "amount_cents",
    "key",
    "metric",
    "product_line_id",
    "credit",
    "period",
    "cumulative",
    "tier_mode",
    "tiers",
    "rate",
    "target_cents",
    "curve",
    "attainment",
    "payout",
    "gate",
    "cap_cents",
    "clawback_days",
    "start",
    "end",
    "participants",
    "measure",
    "kpi",
    "award",
    "per_unit_cents",
    "threshold",
    "prizes",
    "unknown",
    "",
    "ß",
];

const WORDS: [&str; 30] = [
    "revenue",
    "margin",
    "deals",
    "own",
    "team",
    "month",
    "quarter",
    "year",
    "commission",
    "bonus",
    "retroactive",
    "marginal",
    "recoverable",
    "guaranteed",
    "organisation",
    "team:",
    "team:M1",
    "deals_won",
    "2027-01-01",
    "2027-02-30",
    "2027-12-31",
    "2028-01-01",
    "0.05",
    "1e400",
    "-1",
    "99999999999999999999999999999999",
    ".5",
    "1000000.0000001",
    "",
    "\u{0}",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0..=3_000i64).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (-3.0..1e7f64).prop_map(Value::from),
        proptest::sample::select(&WORDS[..]).prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(&KEYS[..]), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// The example with one JSON value replaced somewhere: mostly valid files with one odd field.
fn example_with_one_change() -> impl Strategy<Value = String> {
    let example: Value = serde_json::from_str(EXAMPLE).unwrap_or(Value::Null);
    (any::<proptest::sample::Index>(), json()).prop_map(move |(index, replacement)| {
        let mut file = example.clone();
        let mut spots = Vec::new();
        collect_pointers(&file, String::new(), &mut spots);
        if let Some(spot) = spots.get(index.index(spots.len().max(1))).cloned()
            && let Some(target) = file.pointer_mut(&spot)
        {
            *target = replacement;
        }
        file.to_string()
    })
}

fn collect_pointers(value: &Value, at: String, into: &mut Vec<String>) {
    into.push(at.clone());
    match value {
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(index, item)| collect_pointers(item, format!("{at}/{index}"), into))
        }
        Value::Object(fields) => {
            fields.iter().for_each(|(key, item)| collect_pointers(item, format!("{at}/{key}"), into))
        }
        _ => {}
    }
}

/// The example with a stretch of its text cut out or doubled.
fn example_cut() -> impl Strategy<Value = String> {
    (0..EXAMPLE.len(), 0..40usize, any::<bool>()).prop_map(|(at, length, cut)| {
        let bytes = EXAMPLE.as_bytes();
        let end = (at + length).min(bytes.len());
        let mut text = bytes[..at].to_vec();
        if !cut {
            text.extend_from_slice(&bytes[at..end]);
        }
        text.extend_from_slice(&bytes[at..]);
        String::from_utf8_lossy(&text).into_owned()
    })
}

/// Reads `text`; a problem must say something, a file that reads must compute a year.
fn read_and_use(text: &str) -> Result<(), TestCaseError> {
    match read_plans_file(text) {
        Err(problems) => {
            prop_assert!(!problems.is_empty());
            for problem in &problems {
                prop_assert!(problem.message.trim().len() > 5, "{problem:?} says nothing");
            }
        }
        Ok(file) => {
            prop_assert!(check(&file).is_empty());
            let _ = file.moved_to(file.fiscal_year - 1);
            let deals = [deal(1, day(file.fiscal_year, 3, 31), 9_000_000_000), deal(2, day(file.fiscal_year, 6, 1), 1)];
            let quotas: Vec<QuotaEntry> = [Metric::Revenue, Metric::Margin, Metric::Deals]
                .into_iter()
                .flat_map(|metric| {
                    [
                        quota(metric, &file.fiscal_year.to_string(), 1),
                        quota(metric, &format!("{}-03", file.fiscal_year), 1),
                    ]
                })
                .collect();
            for rep in ["R1", "R2", "M1"] {
                let (plans, draws) = rep_plans(&file, rep);
                let prior = PriorStatements { draw_balance_cents: i64::MAX, ..Default::default() };
                let changed_on = Default::default();
                for month in [3, 12] {
                    let input = StatementInput {
                        rep_id: 1,
                        month: Period::containing(crate::period::PeriodKind::Month, day(file.fiscal_year, month, 1)),
                        plans: &plans,
                        draws: &draws,
                        own_deals: &deals,
                        team_deals: &deals,
                        own_quotas: &quotas,
                        team_quotas: &quotas,
                        prior: &prior,
                        locked: &[],
                        changed_on: &changed_on,
                        earlier: &[],
                        adjustments: &[],
                        awards: &[],
                    };
                    let _ = compute_statement(&input);
                    let _ = what_if_close(&input, &deals[1]);
                }
            }
            for contest in &file.contests {
                let standings = [
                    Standing { rep_id: 1, value: dec("79228162514264337593543950") },
                    Standing { rep_id: 2, value: Decimal::ONE },
                ];
                let _ = decide_awards(contest, &standings);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_reads_without_panicking(text in "\\PC{0,200}") {
        read_and_use(&text)?;
    }

    #[test]
    fn any_json_reads_without_panicking(value in json()) {
        read_and_use(&value.to_string())?;
    }

    #[test]
    fn the_example_with_one_change_reads_without_panicking(text in example_with_one_change()) {
        read_and_use(&text)?;
    }

    #[test]
    fn the_example_cut_or_doubled_reads_without_panicking(text in example_cut()) {
        read_and_use(&text)?;
    }
}

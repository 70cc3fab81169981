//! Reading a plans file: the spec's example, shape errors with their path, every rule at once.

use super::*;

/// The example of `INCENTIVES.md` §7.
pub(super) const EXAMPLE: &str = r#"{ "fiscal_year": 2027, "plans": [ { "name": "AE 2027",
  "assignments": [ { "rep_id": "R1", "from": "2027-01-01" } ],
  "components": [
    { "key": "bookings", "metric": "revenue", "credit": "own", "period": "quarter", "cumulative": false,
      "kind": "commission", "tier_mode": "retroactive",
      "tiers": [ { "from": 0, "rate": "0.05" }, { "from": 1, "rate": "0.08" }, { "from": 1.5, "rate": "0.10" } ],
      "gate": "0.5", "cap_cents": 5000000 },
    { "key": "new_logos", "metric": "deals", "credit": "own", "period": "year", "kind": "bonus",
      "target_cents": 1000000, "curve": [ { "attainment": "0.5", "payout": "0.25" }, { "attainment": "1", "payout": "1" }, { "attainment": "2", "payout": "2.5" } ] } ] } ],
  "contests": [ { "name": "Storage sprint", "start": "2027-03-01", "end": "2027-03-31", "participants": "organisation",
      "measure": { "kpi": "deals_won", "product_line_id": "PL3" }, "award": { "per_unit_cents": 15000 } } ] }"#;

#[test]
fn the_specs_example_reads_and_writes_back_the_same() {
    let file = read_plans_file(EXAMPLE).expect("the example reads");
    assert_eq!(file.fiscal_year, 2027);
    let bookings = &file.plans[0].components[0];
    assert_eq!(bookings.gate, Some(dec("0.5")));
    let ComponentKind::Commission { tiers, tier_mode } = &bookings.kind else { panic!("a commission") };
    assert_eq!((*tier_mode, tiers[2].from, tiers[2].rate), (TierMode::Retroactive, dec("1.5"), dec("0.1")));
    assert_eq!(file.contests[0].award, Award::PerUnit { per_unit_cents: 15_000, threshold: None });
    let written = serde_json::to_string(&file).expect("writes");
    assert_eq!(read_plans_file(&written).expect("reads back"), file);
    assert!(written.contains(r#""rate":"0.08""#), "decimals are written as strings: {written}");
}

fn problems(text: &str) -> Vec<String> {
    read_plans_file(text).err().unwrap_or_default().iter().map(ToString::to_string).collect()
}

#[test]
fn a_shape_error_names_its_path() {
    let missing_tiers = EXAMPLE.replace(r#""tier_mode": "retroactive","#, r#""tier_mode": "retroactive", "tiers_": 1,"#).replace(r#""tiers": [ { "from": 0, "rate": "0.05" }, { "from": 1, "rate": "0.08" }, { "from": 1.5, "rate": "0.10" } ],"#, "");
    let found = problems(&missing_tiers);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("plans[0].components[0]") && found[0].contains("tiers"), "{found:?}");
    let bad_metric = EXAMPLE.replace(r#""metric": "revenue""#, r#""metric": "profit""#);
    let found = problems(&bad_metric);
    assert!(found[0].starts_with("plans[0].components[0].metric: unknown variant `profit`"), "{found:?}");
    let bad_date = EXAMPLE.replace("\"from\": \"2027-01-01\"", "\"from\": \"2027-02-30\"");
    assert!(problems(&bad_date)[0].starts_with("plans[0].assignments[0].from:"), "{:?}", problems(&bad_date));
    let not_json = problems("{ \"fiscal_year\": 2027,\n  \"plans\": [ }");
    assert!(not_json[0].contains("line 2, column"), "{not_json:?}");
}

#[test]
fn decimals_are_strings_or_numbers_with_six_decimals_at_most() {
    let seven = EXAMPLE.replace(r#""gate": "0.5""#, r#""gate": 0.1234567"#);
    let found = problems(&seven);
    assert!(found[0].starts_with("plans[0].components[0].gate: 0.1234567 has more than 6 decimals"), "{found:?}");
    let six = EXAMPLE.replace(r#""gate": "0.5""#, r#""gate": 0.123456"#);
    let file = read_plans_file(&six).expect("six decimals read");
    assert_eq!(file.plans[0].components[0].gate, Some(dec("0.123456")));
    let words = EXAMPLE.replace(r#""gate": "0.5""#, r#""gate": "half""#);
    assert!(problems(&words)[0].contains("'half' is not a decimal"), "{:?}", problems(&words));
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let text = r#"{ "fiscal_year": 2027, "plans": [ { "name": "AE",
      "assignments": [ { "rep_id": "R1", "from": "2027-01-01", "to": "2027-06-30" },
                       { "rep_id": "R1", "from": "2027-06-01" },
                       { "rep_id": "R2", "from": "2026-12-01", "draw": { "kind": "guaranteed", "amount_cents": 0 } } ],
      "components": [
        { "key": "a", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission", "tier_mode": "marginal",
          "tiers": [ { "from": "0.1", "rate": "0.05" }, { "from": "0.1", "rate": "0.08" } ] },
        { "key": "a", "metric": "deals", "credit": "team", "period": "year", "kind": "bonus", "target_cents": 100,
          "curve": [ { "attainment": "1", "payout": "1" }, { "attainment": "0.5", "payout": "-1" } ] } ] } ],
      "contests": [ { "name": "S", "start": "2027-03-31", "end": "2027-03-01", "participants": "team:M1",
          "measure": { "kpi": "proposals", "product_line_id": "PL3" }, "award": { "prizes": [] } } ] }"#;
    let found = problems(text);
    let paths: Vec<&str> = found.iter().map(|problem| problem.split(':').next().unwrap_or_default()).collect();
    assert_eq!(
        paths,
        [
            "plans[0].assignments[2].from",
            "plans[0].assignments[2].draw.amount_cents",
            "plans[0].components[0].tiers[0].from",
            "plans[0].components[0].tiers[1].from",
            "plans[0].components[1].key",
            "plans[0].components[1].curve[1].attainment",
            "plans[0].components[1].curve[1].payout",
            "plans[0].assignments[1].from",
            "contests[0].end",
            "contests[0].measure.product_line_id",
            "contests[0].award.prizes",
        ],
        "{found:#?}"
    );
}

#[test]
fn participants_read_organisation_or_a_team() {
    assert_eq!("team:M1".parse(), Ok(Participants::Team("M1".into())));
    assert_eq!("organisation".parse(), Ok(Participants::Organisation));
    for bad in ["team:", "everyone", "team"] {
        assert!(bad.parse::<Participants>().is_err(), "{bad}");
    }
}

#[test]
fn a_mistake_inside_a_component_or_contest_names_its_full_path() {
    for (from, to, expected) in [
        (r#""rate": "0.08""#, r#""rate": "abc""#, "plans[0].components[0].tiers[1].rate: 'abc' is not a decimal"),
        (
            r#""tier_mode": "retroactive""#,
            r#""tier_mode": "flat""#,
            "plans[0].components[0].tier_mode: unknown variant `flat`",
        ),
        (r#""kind": "bonus""#, r#""kind": "spiff""#, "plans[0].components[1].kind: unknown variant `spiff`"),
        (r#""cap_cents": 5000000"#, r#""cap_cents": 50.5"#, "plans[0].components[0].cap_cents: invalid type"),
        (r#""cap_cents": 5000000"#, r#""cap_cent": 5000000"#, "plans[0].components[0].cap_cent: unknown field"),
        (r#""kind": "bonus""#, r#""kind": "commission""#, "plans[0].components[1]: a commission has no target_cents"),
        (r#""per_unit_cents": 15000"#, r#""per_unit": 15000"#, "contests[0].award.per_unit: unknown field"),
        (r#""per_unit_cents": 15000"#, r#""threshold": 1"#, "contests[0].award: no award"),
        (r#""participants": "organisation""#, r#""participants": "all""#, "contests[0].participants: 'all' is not"),
    ] {
        let found = problems(&EXAMPLE.replace(from, to));
        assert!(found.len() == 1 && found[0].starts_with(expected), "{to}: {found:?}");
    }
}

#[test]
fn prizes_are_whole_cents_or_words() {
    let ranking = EXAMPLE.replace(r#""per_unit_cents": 15000"#, r#""prizes": [ 10000, "a day off" ]"#);
    let file = read_plans_file(&ranking).expect("reads");
    assert_eq!(
        file.contests[0].award,
        Award::Ranking { prizes: vec![Prize::Cents(10_000), Prize::Text("a day off".into())] }
    );
    let fraction = EXAMPLE.replace(r#""per_unit_cents": 15000"#, r#""prizes": [ 100.5 ]"#);
    assert!(
        problems(&fraction)[0].starts_with("contests[0].award.prizes[0]: invalid type"),
        "{:?}",
        problems(&fraction)
    );
}

#[test]
fn a_file_moves_to_another_year_date_by_date() {
    let leap = EXAMPLE.replace("\"from\": \"2027-01-01\"", "\"from\": \"2027-03-01\", \"to\": \"2027-12-31\"");
    let file = read_plans_file(&leap).expect("reads");
    let moved = file.moved_to(2024);
    let assignment = &moved.plans[0].assignments[0];
    assert_eq!((moved.fiscal_year, assignment.from, assignment.to), (2024, day(2024, 3, 1), Some(day(2024, 12, 31))));
    assert_eq!((moved.contests[0].start, moved.contests[0].end), (day(2024, 3, 1), day(2024, 3, 31)));
    assert!(check(&moved).is_empty());
    // 29 February 2024 has no day in 2025: it becomes the 28th.
    let mut leap_day = moved.clone();
    leap_day.plans[0].assignments[0].from = day(2024, 2, 29);
    assert_eq!(leap_day.moved_to(2025).plans[0].assignments[0].from, day(2025, 2, 28));
}

#[test]
fn a_shape_error_says_what_to_do() {
    let missing_key = problems(&EXAMPLE.replace(r#""key": "bookings", "#, ""));
    assert!(missing_key[0].contains("missing field `key`") && missing_key[0].contains("add it"), "{missing_key:?}");
    let words_for_cents = problems(&EXAMPLE.replace(r#""cap_cents": 5000000"#, r#""cap_cents": "lots""#));
    assert!(words_for_cents[0].contains("expected a whole number"), "{words_for_cents:?}");
    let negative_days = problems(&EXAMPLE.replace(r#""cap_cents": 5000000"#, r#""clawback_days": -1"#));
    assert!(negative_days[0].contains("expected a whole number from 0"), "{negative_days:?}");
    let no_such_day = problems(&EXAMPLE.replace("\"from\": \"2027-01-01\"", "\"from\": \"2027-02-30\""));
    assert!(no_such_day[0].contains("a date that exists, as \"YYYY-MM-DD\""), "{no_such_day:?}");
    let list_for_object = problems("[2027]");
    assert!(list_for_object[0].contains("write it as an object"), "{list_for_object:?}");
    let not_json = problems("{ \"fiscal_year\": 2027,\n  \"plans\": [ }");
    assert!(not_json[0].contains("not valid JSON"), "{not_json:?}");
}

#[test]
fn a_file_moved_to_a_year_out_of_reach_does_not_panic() {
    let file = read_plans_file(EXAMPLE).expect("reads");
    // 2027 → i32::MIN is more years than i32 counts; the move is refused by the check instead.
    for year in [i32::MIN, i32::MAX, -1] {
        let moved = file.moved_to(year);
        assert_eq!(moved.fiscal_year, year);
        assert!(!check(&moved).is_empty(), "{year} is no fiscal year");
    }
}

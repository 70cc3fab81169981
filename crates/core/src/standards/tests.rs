use super::*;

fn period(text: &str) -> Period {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// A line judged over March 2026 alone.
fn one_month(line: &str, estimates: i64, deal_quota: Option<f64>) -> LineEstimates {
    LineEstimates {
        line: line.into(),
        months: vec![MonthEstimates { piece: period("2026-03"), estimates, deal_quota }],
    }
}

/// A line judged over `period` on `as_of`, with its deal quotas and its estimates per judged month.
fn line_over(period_text: &str, as_of: &str, quotas: &[(i64, &str)], estimates: &[i64]) -> LineEstimates {
    let quotas: Vec<(i64, Period)> = quotas.iter().map(|&(target, p)| (target, period(p))).collect();
    let months = judged_months(period(period_text), day(as_of));
    assert_eq!(months.len(), estimates.len(), "one count per judged month");
    LineEstimates {
        line: "Storage".into(),
        months: months
            .into_iter()
            .zip(estimates)
            .map(|(piece, &estimates)| MonthEstimates { piece, estimates, deal_quota: deal_quota_in(piece, &quotas) })
            .collect(),
    }
}

fn judge(line: LineEstimates) -> Evaluation {
    let facts = StandardsFacts { estimates_by_line: vec![line], ..StandardsFacts::default() };
    let results = evaluate(&Standards::default(), &facts, Lang::ENGLISH);
    results.into_iter().find(|e| e.standard == StandardKey::EstimatesPerProductLine).expect("an evaluation")
}

fn facts() -> StandardsFacts {
    StandardsFacts {
        revenue_attainment: Some(1.02),
        estimates_by_line: vec![one_month("Storage", 7, Some(4.0)), one_month("Backup", 3, Some(1.0))],
        company_leads: 10,
        company_leads_touched_in_time: 9,
        company_leads_untouched: 1,
        contacts: 4,
        complete_contacts: 4,
        stale_open_opportunities: 1,
        past_due_open_opportunities: 0,
        meetings_and_events: 0,
        satisfaction_scores: vec![10, 9, 6, 8],
        ..StandardsFacts::default()
    }
}

#[test]
fn the_default_set_says_pass_or_fail_with_the_figures() {
    let results = evaluate(&Standards::default(), &facts(), Lang::ENGLISH);
    let summary: Vec<(&str, Option<&str>, bool)> =
        results.iter().map(|e| (e.standard.key(), e.subject.as_deref(), e.passed)).collect();
    assert_eq!(
        summary,
        [
            ("quota_attainment", None, true),
            // Storage: 3 × 4 = 12 required, 7 issued; Backup: 3 × 1 = 3, 3 issued.
            ("estimates_per_product_line", Some("Storage"), false),
            ("estimates_per_product_line", Some("Backup"), true),
            // 9 of 10 in time against 100%.
            ("lead_follow_up", None, false),
            ("contact_completeness", None, true),
            // One stale opportunity.
            ("crm_currency", None, false),
            ("meetings_and_events", None, false),
            // Mean (10 + 9 + 6 + 8) ÷ 4 = 8.25 ≥ 8.
            ("customer_satisfaction", None, true),
        ]
    );
    assert_eq!(results[1].text, "estimates for Storage: 7 of 12 — short by 5 in 2026-03");
    assert_eq!(results[1].shortfall, Some(5.0));
    assert_eq!(results[2].shortfall, None);
    assert_eq!(results[3].text, "company leads touched within the follow-up window: 90% of 100%");
    let german = evaluate(&Standards::default(), &facts(), Lang::from_tag("de").expect("German"));
    assert_eq!(german[1].text, "Kostenvoranschläge für Storage: 7 von 12 — 5 fehlen in 2026-03");
    assert_eq!(german[7].text, "Kundenzufriedenheit: 8,2 von 8");
}

#[test]
fn nothing_to_evaluate_is_left_out_and_rules_are_configurable() {
    let empty = StandardsFacts::default();
    let keys: Vec<&str> =
        evaluate(&Standards::default(), &empty, Lang::ENGLISH).iter().map(|e| e.standard.key()).collect();
    assert_eq!(keys, ["crm_currency", "meetings_and_events"]);
    let mut standards = Standards::default();
    standards.set("crm_currency.enabled", "false").unwrap_or_else(|e| panic!("{e}"));
    standards.set("meetings_and_events.target", "0").unwrap_or_else(|e| panic!("{e}"));
    let results = evaluate(&standards, &empty, Lang::ENGLISH);
    assert_eq!(results.len(), 1);
    assert!(results[0].passed, "0 of 0 meetings required");
    assert!(standards.set("quota_attainment.target", "-1").is_err());
    assert!(standards.set("bogus.enabled", "true").is_err());
}

#[test]
fn satisfaction_mean_and_nps() {
    // Promoters 10, 9 (2 of 4), detractors 6 (1 of 4): NPS = 50 − 25 = 25.
    assert_eq!(satisfaction(&[10, 9, 6, 8]), (Some(8.25), Some(25.0)));
    assert_eq!(satisfaction(&[]), (None, None));
}

#[test]
fn a_week_asks_three_times_its_share_of_the_month() {
    // A March deal quota of 4 over 2026-W11 (9–15 March, 7 of March's 31 days): 4 × 7 / 31 =
    // 0.903 deals; 3 × 0.903 = 2.71, so 3 estimates (not 3 × 4 = 12).
    let two = judge(line_over("2026-W11", "2026-03-15", &[(4, "2026-03")], &[2]));
    assert_eq!((two.passed, two.actual, two.required, two.shortfall), (false, 2.0, 3.0, Some(1.0)));
    assert_eq!(two.text, "estimates for Storage: 2 of 3 — short by 1 in 2026-03");
    assert!(judge(line_over("2026-W11", "2026-03-15", &[(4, "2026-03")], &[3])).passed);
}

#[test]
fn a_week_across_two_months_is_judged_in_each() {
    // 2026-W09 runs 23 February – 1 March. February (deal quota 4, 28 days): 6 days, 4 × 6 / 28 =
    // 0.857, 3 × 0.857 = 2.57 → 3. March (deal quota 4, 31 days): 1 day, 4 / 31 = 0.129, × 3 =
    // 0.39 → at least 1. Three in February and none on 1 March fails March alone.
    let quotas = [(4, "2026-02"), (4, "2026-03")];
    let result = judge(line_over("2026-W09", "2026-03-01", &quotas, &[3, 0]));
    assert_eq!((result.passed, result.actual, result.required), (false, 3.0, 4.0));
    assert_eq!(result.text, "estimates for Storage: 3 of 4 — short by 1 in 2026-03");
    // On Saturday 28 February, March has not begun: only February is judged.
    let saturday = judge(line_over("2026-W09", "2026-02-28", &quotas, &[3]));
    assert_eq!((saturday.passed, saturday.required), (true, 3.0));
}

#[test]
fn a_month_asks_three_times_its_quota() {
    // A March deal quota of 5: 3 × 5 = 15 estimates.
    let result = judge(line_over("2026-03", "2026-03-31", &[(5, "2026-03")], &[14]));
    assert_eq!((result.passed, result.required, result.shortfall), (false, 15.0, Some(1.0)));
}

#[test]
fn a_quarter_is_judged_month_by_month_up_to_the_evaluation_day() {
    // A Q1 2026 deal quota of 12 (90 days), evaluated on 14 February: January (31 days) 12 × 31 /
    // 90 = 4.13, × 3 = 12.4 → 13; February (28 days) 12 × 28 / 90 = 3.73, × 3 = 11.2 → 12; March
    // has not begun and is not judged. 14 in January pass, 5 in February fall 7 short: the
    // surplus of January does not make up for February. Before, the quarter asked 3 × 12 = 36.
    let result = judge(line_over("2026-Q1", "2026-02-14", &[(12, "2026-Q1")], &[14, 5]));
    assert_eq!((result.passed, result.actual, result.required), (false, 19.0, 25.0));
    assert_eq!(result.shortfall, Some(7.0));
    assert_eq!(result.text, "estimates for Storage: 19 of 25 — short by 7 in 2026-02");
    let met = judge(line_over("2026-Q1", "2026-02-14", &[(12, "2026-Q1")], &[13, 12]));
    assert!(met.passed, "13 of 13 and 12 of 12");
}

#[test]
fn a_line_without_a_deal_quota_needs_an_estimate_a_month() {
    // No deal quota: one estimate in each month judged. January has one, February none.
    let result = judge(line_over("2026-Q1", "2026-03-31", &[], &[1, 0, 2]));
    assert_eq!((result.passed, result.actual, result.required), (false, 3.0, 3.0));
    assert_eq!(result.text, "estimates for Storage: 3 of 3 — short by 1 in 2026-02");
    assert!(judge(line_over("2026-Q1", "2026-03-31", &[], &[1, 1, 1])).passed);
    // A deal quota in another month is no quota for this one.
    assert_eq!(deal_quota_in(period("2026-02"), &[(4, period("2026-03"))]), None);
}

#[test]
fn a_line_with_no_month_begun_is_left_out() {
    // A period starting after the evaluation day judges no month.
    assert!(judged_months(period("2026-04"), day("2026-03-31")).is_empty());
    let facts = StandardsFacts {
        estimates_by_line: vec![LineEstimates { line: "Storage".into(), months: vec![] }],
        ..StandardsFacts::default()
    };
    let results = evaluate(&Standards::default(), &facts, Lang::ENGLISH);
    assert!(results.iter().all(|e| e.standard != StandardKey::EstimatesPerProductLine));
}

fn only(key: StandardKey) -> Standards {
    let mut standards = Standards::default();
    for rule in &mut standards.rules {
        rule.enabled = rule.key == key;
    }
    standards
}

#[test]
fn an_unhappy_account_fails_satisfaction_and_is_named() {
    let facts = StandardsFacts {
        satisfaction_scores: vec![10, 9, 6, 7],
        satisfaction_by_account: vec![
            // Acme: (10 + 9) ÷ 2 = 9.5 ≥ 8; Beta: (6 + 7) ÷ 2 = 6.5 < 8.
            AccountScores { account: "Acme".into(), scores: vec![10, 9] },
            AccountScores { account: "Beta".into(), scores: vec![6, 7] },
        ],
        ..StandardsFacts::default()
    };
    // The mean (10 + 9 + 6 + 7) ÷ 4 = 8 meets the target of 8, but Beta does not.
    let results = evaluate(&only(StandardKey::CustomerSatisfaction), &facts, Lang::ENGLISH);
    assert_eq!(results.len(), 1);
    assert!(!results[0].passed);
    assert_eq!((results[0].actual, results[0].required), (8.0, 8.0));
    assert_eq!(results[0].accounts, ["Beta"]);
    assert_eq!(results[0].text, "customer satisfaction: 8 of 8; below target: Beta");
    let german = evaluate(&only(StandardKey::CustomerSatisfaction), &facts, Lang::from_tag("de").expect("German"));
    assert_eq!(german[0].text, "Kundenzufriedenheit: 8 von 8; unter dem Ziel: Beta");

    // Every account at 8 or above: met, nobody named.
    let happy = StandardsFacts {
        satisfaction_scores: vec![10, 8],
        satisfaction_by_account: vec![
            AccountScores { account: "Acme".into(), scores: vec![10] },
            AccountScores { account: "Beta".into(), scores: vec![8] },
        ],
        ..StandardsFacts::default()
    };
    let results = evaluate(&only(StandardKey::CustomerSatisfaction), &happy, Lang::ENGLISH);
    assert!(results[0].passed);
    assert!(results[0].accounts.is_empty());
}

#[test]
fn a_long_list_of_unhappy_accounts_names_five_and_counts_the_rest() {
    // Seven accounts below 8 and one above, handed over out of name order: the text and the list
    // name them in order.
    let names = ["A1", "A2", "A3", "A4", "A5", "A6", "A7"];
    let mut by_account: Vec<AccountScores> =
        names.iter().rev().map(|name| AccountScores { account: name.to_string(), scores: vec![5] }).collect();
    by_account.insert(3, AccountScores { account: "Z".into(), scores: vec![10] });
    let facts = StandardsFacts {
        satisfaction_scores: by_account.iter().flat_map(|a| a.scores.clone()).collect(),
        satisfaction_by_account: by_account,
        ..StandardsFacts::default()
    };
    // The mean (7 × 5 + 10) ÷ 8 = 5.625; the text names five and counts two, the list has all seven.
    let results = evaluate(&only(StandardKey::CustomerSatisfaction), &facts, Lang::ENGLISH);
    assert_eq!(results[0].accounts, names);
    assert_eq!(results[0].text, "customer satisfaction: 5.6 of 8; below target: A1, A2, A3, A4, A5 and 2 more");
    let spanish = evaluate(&only(StandardKey::CustomerSatisfaction), &facts, Lang::from_tag("es").expect("Spanish"));
    assert!(spanish[0].text.ends_with("por debajo del objetivo: A1, A2, A3, A4, A5 y 2 más"), "{}", spanish[0].text);

    // Exactly five: all named, nothing counted.
    let five = StandardsFacts {
        satisfaction_scores: vec![5; 5],
        satisfaction_by_account: names[..5]
            .iter()
            .map(|name| AccountScores { account: name.to_string(), scores: vec![5] })
            .collect(),
        ..StandardsFacts::default()
    };
    let results = evaluate(&only(StandardKey::CustomerSatisfaction), &five, Lang::ENGLISH);
    assert!(results[0].text.ends_with("below target: A1, A2, A3, A4, A5"), "{}", results[0].text);
}

#[test]
fn unhappy_accounts_are_named_in_the_order_of_their_names() {
    // Names alike but for their last characters, a prefix of another, empty, beyond ASCII, twice.
    let names = [
        "Lakeside Hotels 10",
        "Lakeside Hotels 2",
        "Zeta",
        "Lakeside Hotels 1",
        "Lake",
        "Lakeside Hotels",
        "Ärzte am See",
        "Lakeside Hotels 1 B",
        "",
        "Lakeside Hotels 1",
    ];
    let by_account: Vec<AccountScores> =
        names.iter().map(|name| AccountScores { account: name.to_string(), scores: vec![3] }).collect();
    let facts = StandardsFacts {
        satisfaction_scores: vec![3; names.len()],
        satisfaction_by_account: by_account,
        ..StandardsFacts::default()
    };
    let results = evaluate(&only(StandardKey::CustomerSatisfaction), &facts, Lang::ENGLISH);
    let mut sorted = names.map(str::to_string).to_vec();
    sorted.sort();
    assert_eq!(results[0].accounts, sorted);
    assert_eq!(sorted[..3], ["", "Lake", "Lakeside Hotels"]);
}

#[test]
fn demos_per_product_line_are_required_per_month() {
    let facts = StandardsFacts {
        demos_by_line: vec![
            LineDemos { line: "Storage".into(), demos: 4 },
            LineDemos { line: "Backup".into(), demos: 2 },
        ],
        months: 3.0,
        ..StandardsFacts::default()
    };
    // A quarter: 1 a month × 3 months = 3 required; Storage 4 ≥ 3, Backup 2 < 3.
    let results = evaluate(&only(StandardKey::DemosPerProductLine), &facts, Lang::ENGLISH);
    let summary: Vec<(Option<&str>, bool, f64)> =
        results.iter().map(|e| (e.subject.as_deref(), e.passed, e.required)).collect();
    assert_eq!(summary, [(Some("Storage"), true, 3.0), (Some("Backup"), false, 3.0)]);
    assert_eq!(results[1].text, "demos of Backup: 2 of 3");

    // A week (7 ÷ 31 of January ≈ 0.23 of a month) rounds to no demo required: nothing judged.
    let week = StandardsFacts { months: 7.0 / 31.0, ..facts.clone() };
    assert!(evaluate(&only(StandardKey::DemosPerProductLine), &week, Lang::ENGLISH).is_empty());

    // A target of 2 a month over one month: 2 required; Backup's 2 meet it, Storage's 4 too.
    let mut two = only(StandardKey::DemosPerProductLine);
    two.set("demos_per_product_line.target", "2").unwrap_or_else(|e| panic!("{e}"));
    let month = StandardsFacts { months: 1.0, ..facts };
    assert!(evaluate(&two, &month, Lang::ENGLISH).iter().all(|e| e.passed && e.required == 2.0));
}

#[test]
fn months_in_a_period_count_each_month_by_its_days() {
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    let quarter = crate::Period::containing(crate::period::PeriodKind::Quarter, day(2, 10));
    assert!((months_in(quarter) - 3.0).abs() < 1e-12);
    // The week of Monday 26 January: 6 of January's 31 days and 1 of February's 28.
    let week = crate::Period::week_of(day(1, 26));
    assert!((months_in(week) - (6.0 / 31.0 + 1.0 / 28.0)).abs() < 1e-12);
}

#[test]
fn every_standard_is_worded_under_its_own_key() {
    for key in StandardKey::ALL {
        assert_eq!(key.text_key(), format!("standard.{}", key.key()));
        assert!(crate::Lang::ENGLISH.has(key.text_key()), "{}", key.text_key());
    }
}

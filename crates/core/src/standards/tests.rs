use super::*;

fn facts() -> StandardsFacts {
    StandardsFacts {
        revenue_attainment: Some(1.02),
        estimates_by_line: vec![
            LineEstimates { line: "Storage".into(), estimates: 7, deal_quota: 4.0 },
            LineEstimates { line: "Backup".into(), estimates: 3, deal_quota: 1.0 },
        ],
        company_leads: 10,
        company_leads_touched_in_time: 9,
        company_leads_untouched: 1,
        contacts: 4,
        complete_contacts: 4,
        stale_open_opportunities: 1,
        past_due_open_opportunities: 0,
        meetings_and_events: 0,
        satisfaction_scores: vec![10, 9, 6, 8],
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
    assert_eq!(results[1].text, "estimates for Storage: 7 of 12");
    assert_eq!(results[3].text, "company leads touched within the follow-up window: 90% of 100%");
    let german = evaluate(&Standards::default(), &facts(), Lang::from_tag("de").expect("German"));
    assert_eq!(german[1].text, "Kostenvoranschläge für Storage: 7 von 12");
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

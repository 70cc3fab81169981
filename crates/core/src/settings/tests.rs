use super::*;

#[test]
fn the_defaults_are_those_of_kpis_md() {
    let settings = Settings::default();
    assert_eq!(settings.method.lead_follow_up_hours, 48);
    assert_eq!(settings.method.untouched_after_days, 90);
    assert_eq!(settings.method.top_level_authority, 4);
    assert_eq!(settings.method.min_closed_deals_for_own_rates, 5);
    assert_eq!(settings.method.working_days_per_week, 5);
    assert_eq!(settings.value("threshold.closing_ratio"), Some(SettingValue::Number(0.65)));
    assert_eq!(settings.value("threshold.top_level_contact_share"), Some(SettingValue::Number(0.5)));
    assert_eq!(settings.value("standard.crm_currency.target"), Some(SettingValue::Number(30.0)));
    assert_eq!(settings.value("standard.crm_currency.enabled"), Some(SettingValue::Switch(true)));
    assert_eq!(settings.value("method.lead_follow_up_hours"), Some(SettingValue::Whole(48)));
    assert_eq!(settings.value("threshold.win_rate"), None);
}

#[test]
fn every_setting_has_a_spec_and_a_value() {
    let settings = Settings::default();
    // 8 thresholds, 8 standards × (enabled, target), 6 method parameters.
    assert_eq!(specs().len(), 8 + 8 * 2 + 6);
    assert_eq!(settings.entries().len(), specs().len());
    let rebuilding: Vec<&str> = specs().iter().filter(|s| s.rebuilds_rollups).map(|s| s.key).collect();
    assert_eq!(rebuilding, ["method.lead_follow_up_hours", "method.top_level_authority"]);
}

#[test]
fn values_are_applied_by_type() {
    let mut settings = Settings::default();
    settings
        .apply_all([
            ("threshold.closing_ratio", "0.5"),
            ("standard.crm_currency.enabled", "false"),
            ("standard.crm_currency.target", "14"),
            ("method.lead_follow_up_hours", " 24 "),
        ])
        .unwrap_or_else(|refusals| panic!("{refusals:?}"));
    assert_eq!(settings.thresholds.closing_ratio, 0.5);
    assert_eq!(settings.standards.target(StandardKey::CrmCurrency), 14.0);
    assert!(!settings.standards.rules.iter().any(|r| r.key == StandardKey::CrmCurrency && r.enabled));
    assert_eq!(settings.method.lead_follow_up_hours, 24);
    // The follow-up window feeds the rollups; the closing ratio only the reading.
    assert!(settings.rollups_differ(&Settings::default()));
    let mut threshold_only = Settings::default();
    threshold_only.apply("threshold.closing_ratio", "0.5").unwrap_or_else(|r| panic!("{r:?}"));
    assert!(!threshold_only.rollups_differ(&Settings::default()));
}

#[test]
fn bad_values_are_refused_by_code_and_nothing_is_applied() {
    let mut settings = Settings::default();
    let refused = settings
        .apply_all([
            ("threshold.closing_ratio", "0.5"),
            ("threshold.closing_ratio", "65"),
            ("threshold.barometer_pct", "lots"),
            ("standard.crm_currency.enabled", "maybe"),
            ("method.top_level_authority", "6"),
            ("method.working_days_per_week", "4.5"),
            ("method.colour", "blue"),
        ])
        .err()
        .unwrap_or_default();
    let codes: Vec<(&str, Code)> = refused.iter().map(|r| (r.field, r.code)).collect();
    assert_eq!(
        codes,
        [
            // A share is 0–1: 65 is out of range (65% is written 0.65).
            ("threshold.closing_ratio", Code::ValueOutOfRange),
            ("threshold.barometer_pct", Code::Number),
            ("standard.crm_currency.enabled", Code::Boolean),
            // Authority levels are 1–5.
            ("method.top_level_authority", Code::NumberOutOfRange),
            ("method.working_days_per_week", Code::WholeNumber),
            ("key", Code::UnknownSetting),
        ]
    );
    assert_eq!(settings, Settings::default(), "all or nothing: the valid 0.5 is not applied either");
    assert_eq!(
        refused[0].args,
        [("min", crate::refusal::Arg::Text("0".into())), ("max", crate::refusal::Arg::Text("1".into()))]
    );
}

#[test]
fn every_new_refusal_has_its_words() {
    for code in [
        Code::UnknownSetting,
        Code::ValueOutOfRange,
        Code::StageInUse,
        Code::OneWonStage,
        Code::OneLostStage,
        Code::KeyMalformed,
    ] {
        let key = Refusal::message_key(code);
        for lang in crate::Lang::all() {
            assert_ne!(lang.t(&key), key, "{key} in {lang:?}");
        }
    }
}

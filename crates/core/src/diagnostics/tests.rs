use super::*;

#[test]
fn flags_fire_below_their_thresholds_and_not_on_undefined_figures() {
    let inputs = FlagInputs {
        first_appointment_to_next_step: Some(0.649),
        first_appointment_to_proposal: Some(0.60),
        closing_ratio: None,
        barometer_pct: Some(99.9),
        revenue_per_sale_vs_peers: Some(-0.40),
        cycle_days_vs_peers: Some(-0.29),
        pace: Some(1.0),
        top_level_contact_share: None,
        conversation_to_appointment: None,
    };
    let raised = flags(&inputs, &Thresholds::default());
    let kinds: Vec<FlagKind> = raised.iter().map(|f| f.kind).collect();
    // 64.9% < 65%; 60% is not below 60%; closing undefined; 99.9% < 100%; exactly 40% below peers
    // counts ("40% or more"); 29% shorter is not 30%; on pace.
    assert_eq!(
        kinds,
        [FlagKind::FirstAppointmentToNextStepLow, FlagKind::BarometerLow, FlagKind::RevenuePerSaleBelowPeers]
    );
    assert_eq!((raised[0].actual, raised[0].threshold), (0.649, 0.65));
    assert!(flags(&FlagInputs::default(), &Thresholds::default()).is_empty());
}

#[test]
fn the_top_level_share_and_conversation_to_appointment_flag_below_their_thresholds() {
    // 2 of 5 first appointments at the top = 40% < 50%; 1 appointment set in 6 conversations =
    // 16.7% < 20%: both flag at the defaults.
    let inputs = FlagInputs {
        top_level_contact_share: Some(2.0 / 5.0),
        conversation_to_appointment: Some(1.0 / 6.0),
        ..FlagInputs::default()
    };
    let kinds: Vec<FlagKind> = flags(&inputs, &Thresholds::default()).iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FlagKind::TopLevelContactShareLow, FlagKind::ConversationToAppointmentLow]);
    // Exactly at the threshold passes: 5 of 10 = 50%; 2 of 10 = 20%.
    let at = FlagInputs {
        top_level_contact_share: Some(0.5),
        conversation_to_appointment: Some(0.2),
        ..FlagInputs::default()
    };
    assert!(flags(&at, &Thresholds::default()).is_empty());
    // Lowering the thresholds to 40% and 15% clears the first case; undefined ratios never flag.
    let mut lower = Thresholds::default();
    lower.set("top_level_contact_share", "0.4").unwrap_or_else(|e| panic!("{e}"));
    lower.set("conversation_to_appointment", "0.15").unwrap_or_else(|e| panic!("{e}"));
    assert!(flags(&inputs, &lower).is_empty());
    assert!(flags(&FlagInputs::default(), &Thresholds::default()).is_empty());
}

#[test]
fn thresholds_are_configurable_and_checked() {
    let mut thresholds = Thresholds::default();
    thresholds.set("closing_ratio", "0.5").unwrap_or_else(|e| panic!("{e}"));
    let inputs = FlagInputs { closing_ratio: Some(0.55), ..FlagInputs::default() };
    assert!(flags(&inputs, &thresholds).is_empty(), "55% passes a 50% threshold");
    assert!(matches!(thresholds.set("closing_ratio", "65"), Err(SettingError::BadValue { .. })));
    assert!(matches!(thresholds.set("win_rate", "0.5"), Err(SettingError::UnknownKey(_))));
}

#[test]
fn every_flag_has_its_words_in_every_language() {
    for kind in FlagKind::ALL {
        let english = kind.diagnosis(Lang::ENGLISH);
        assert_ne!(english.title, format!("flag.{}.title", kind.key()), "{kind:?} has no title");
        for lang in Lang::all() {
            let text = kind.diagnosis(lang);
            assert!(!text.title.is_empty() && !text.causes.is_empty() && !text.prescriptions.is_empty());
            if lang != Lang::ENGLISH {
                assert_ne!(text.title, english.title, "{kind:?} untranslated in {lang:?}");
            }
        }
    }
    let german = Lang::from_tag("de").expect("German");
    assert_eq!(FlagKind::ClosingRatioLow.diagnosis(german).title, "Abschlussquote unter dem Schwellenwert");
    assert_eq!(FlagKind::ClosingRatioLow.diagnosis(german).causes[2], "Entscheider fehlen in den Gesprächen");
}

#[test]
fn flag_keys_are_their_json_names() {
    for kind in FlagKind::ALL {
        assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::Value::String(kind.key().to_string())));
    }
}

#[test]
fn the_barometer_flag_prescribes_all_five_remedies_of_the_method() {
    // Dials to what the magic number needs, conversation → appointment as a skill, business reasons
    // to meet, prompt lead follow-up, calling at the top: five, in every language.
    for tag in ["en", "de", "es"] {
        let lang = Lang::from_tag(tag).expect("a catalog");
        let diagnosis = FlagKind::BarometerLow.diagnosis(lang);
        assert_eq!(diagnosis.prescriptions.len(), 5, "{tag}");
        assert_eq!(diagnosis.causes.len(), 5, "{tag}");
    }
    let english = FlagKind::BarometerLow.diagnosis(Lang::ENGLISH);
    assert!(english.prescriptions[0].contains("magic number"));
    assert!(english.prescriptions[4].contains("top of the account"));
}

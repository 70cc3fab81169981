//! The organisation's settings on SQLite and PostgreSQL: saved all or nothing and refused by code,
//! read by the scorecards at once (thresholds) or after a rebuild of the rollups (the follow-up
//! window, the authority cut-off), audited, by role; and the pipeline's stages and gateway types
//! with their definitions, refused where a change would break the data.

mod common;

use common::{TestDb, fixture, ok, refused, viewer_of};
use quotient_core::Lang;
use quotient_core::diagnostics::FlagKind;
use quotient_core::model::{Evaluation, UserRole};
use quotient_store::access::Viewer;
use quotient_store::crm::pipeline_config::{GatewayTypeInput, StageInput};
use quotient_store::kpi::{self, Card, Directory, ReportRequest, Subject};
use quotient_store::ops::settings::{self, SaveSettings};
use quotient_store::orgs::Organisation;
use quotient_store::{Code, StoreError, Value, bundle};

fn setup(test: &mut TestDb) -> (Organisation, Viewer) {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut bundle::Silent).unwrap_or_else(|e| panic!("{e}"));
    let directory = Directory::load(&mut test.db, org.id).unwrap_or_else(|e| panic!("{e}"));
    let admin = Viewer::operator(org.id, &directory);
    (org, admin)
}

fn save(test: &mut TestDb, who: &Viewer, values: &[(&str, &str)]) -> Result<kpi::Saved, StoreError> {
    let command = SaveSettings { values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() };
    settings::save_settings(&mut test.db, who, &command)
}

/// R1's card for the first quarter of 2026, as of its end.
fn r1(test: &mut TestDb, org: &Organisation) -> Card {
    let request = ReportRequest {
        subject: Subject::Rep("R1".into()),
        period: ok_parse("2026-Q1"),
        as_of: "2026-03-31".parse().unwrap_or_else(|e| panic!("{e}")),
        lang: Lang::ENGLISH,
    };
    let report = ok(kpi::report(&mut test.db, org.id, &request));
    report.reps.into_iter().next().unwrap_or_else(|| panic!("R1's card"))
}

fn ok_parse(period: &str) -> quotient_core::Period {
    period.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn flagged(card: &Card, kind: FlagKind) -> bool {
    card.scorecard.flags.iter().any(|f| f.kind == kind)
}

fn a_threshold_takes_effect_at_the_next_read(test: &mut TestDb) {
    let (org, admin) = setup(test);
    // R1's first appointments in Q1: O1 (with C1, authority 5) and O3 (no appointment logged):
    // 1 of 2 at the top = 50%, not below the default 50%. One conversation (X1) set one
    // appointment: 100%.
    let before = r1(test, &org);
    assert_eq!(before.top_level_contact_share, Some(0.5));
    assert_eq!(before.scorecard.activity.conversation_to_appointment, Some(1.0));
    assert!(!flagged(&before, FlagKind::TopLevelContactShareLow));
    let saved = ok(save(test, &admin, &[("threshold.top_level_contact_share", "0.6")]));
    assert_eq!((saved.changed.as_slice(), saved.rebuild_rollups), (&["threshold.top_level_contact_share"][..], false));
    // 50% < 60%: flagged, with its causes and prescriptions.
    let after = r1(test, &org);
    assert!(flagged(&after, FlagKind::TopLevelContactShareLow));
    let diagnosis = after.diagnoses.iter().find(|d| d.flag == FlagKind::TopLevelContactShareLow);
    assert!(diagnosis.is_some_and(|d| !d.diagnosis.causes.is_empty() && !d.diagnosis.prescriptions.is_empty()));
    assert_eq!(ok(settings::read_settings(&mut test.db, &admin)).thresholds.top_level_contact_share, 0.6);
    // Audited once, with the value before and after.
    let entries =
        test.db.query_i64("SELECT COUNT(*) FROM audit_log WHERE org_id = ? AND entity = 'settings'", &[org.id.value()]);
    assert_eq!(ok(entries), 1);
}

fn bad_values_save_nothing(test: &mut TestDb) {
    let (org, admin) = setup(test);
    let refusals = refused(save(
        test,
        &admin,
        &[
            ("threshold.closing_ratio", "0.5"),
            ("threshold.conversation_to_appointment", "20"),
            ("method.working_days_per_week", "8"),
            ("standard.crm_currency.enabled", "perhaps"),
            ("threshold.nonsense", "1"),
        ],
    ));
    assert_eq!(
        refusals,
        [
            ("threshold.conversation_to_appointment", Code::ValueOutOfRange),
            ("method.working_days_per_week", Code::NumberOutOfRange),
            ("standard.crm_currency.enabled", Code::Boolean),
            ("key", Code::UnknownSetting),
        ]
    );
    assert_eq!(test.count("org_settings", &org), 0, "the valid closing ratio is not saved either");
}

fn only_admins_save_and_executives_read(test: &mut TestDb) {
    let (org, _) = setup(test);
    let executive = viewer_of(test, &org, "M1", UserRole::Executive);
    let manager = viewer_of(test, &org, "R2", UserRole::Manager);
    assert!(settings::read_settings(&mut test.db, &executive).is_ok());
    assert!(matches!(save(test, &executive, &[("threshold.closing_ratio", "0.5")]), Err(StoreError::NotPermitted)));
    assert!(matches!(settings::read_settings(&mut test.db, &manager), Err(StoreError::NotPermitted)));
    assert!(matches!(settings::pipeline_setup(&mut test.db, &manager), Err(StoreError::NotPermitted)));
    let mut nothing = |_: usize, _: usize| {};
    assert!(matches!(settings::rebuild_rollups(&mut test.db, &executive, &mut nothing), Err(StoreError::NotPermitted)));
}

fn the_follow_up_window_and_the_authority_cut_off_rebuild_the_rollups(test: &mut TestDb) {
    let (org, admin) = setup(test);
    // L1 (company, R1) was created 2026-01-05 09:00 and touched at 15:30: 6.5 hours, in time
    // within 48 hours.
    assert_eq!(r1(test, &org).lead_follow_up.touched_within_48h_share, Some(1.0));
    let saved = ok(save(test, &admin, &[("method.lead_follow_up_hours", "6")]));
    assert!(saved.rebuild_rollups, "the window is baked into the rollup cells");
    // Until the rebuild the reports read the cells as they were.
    assert_eq!(r1(test, &org).lead_follow_up.touched_within_48h_share, Some(1.0));
    let mut progress = Vec::new();
    ok(settings::rebuild_rollups(&mut test.db, &admin, &mut |done, total| progress.push((done, total))));
    // 6.5 hours > 6: late. 0 of 1.
    assert_eq!(r1(test, &org).lead_follow_up.touched_within_48h_share, Some(0.0));
    // The fixture's four people of the reps' table (E1, M1, R1, R2), one after the other.
    assert_eq!(progress.first(), Some(&(0, 4)));
    assert_eq!(progress.last(), Some(&(4, 4)));

    // C1 at authority 3: O1's first appointment is no longer at the top (0 of 2) …
    ok(test.db.execute("UPDATE contacts SET authority_level = 3 WHERE external_id = 'C1'", &[]));
    ok(settings::rebuild_rollups(&mut test.db, &admin, &mut |_, _| {}));
    assert_eq!(r1(test, &org).top_level_contact_share, Some(0.0));
    // … until the top starts at level 3: 1 of 2 again.
    assert!(ok(save(test, &admin, &[("method.top_level_authority", "3")])).rebuild_rollups);
    ok(settings::rebuild_rollups(&mut test.db, &admin, &mut |_, _| {}));
    assert_eq!(r1(test, &org).top_level_contact_share, Some(0.5));
    // A write after the change reads the settings too: L1 touched after 5 hours is in time
    // within 6 (1 of 1), and the cells the write moved equal a rebuild's.
    let lead = ok(test.db.query_i64("SELECT id FROM leads WHERE external_id = 'L1'", &[]));
    ok(kpi::with_delta(&mut test.db, org.id, &[kpi::Fact::Lead(lead)], |db| {
        db.execute(
            "UPDATE leads SET first_touch_at = ? WHERE id = ?",
            &[Value::Timestamp("2026-01-05T14:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"))), Value::Int(lead)],
        )
        .map(|_| ())
    }));
    assert_eq!(r1(test, &org).lead_follow_up.touched_within_48h_share, Some(1.0));
    let incremental = ok(kpi::snapshot(&mut test.db, org.id));
    ok(kpi::rebuild(&mut test.db, org.id));
    assert_eq!(ok(kpi::snapshot(&mut test.db, org.id)), incremental);
}

fn stages_keep_the_data_whole(test: &mut TestDb) {
    let (org, admin) = setup(test);
    let stage = |key: &str, name: &str, pct: &str| StageInput {
        key: key.into(),
        name: name.into(),
        probability_pct: pct.into(),
        definition: "The customer agreed to evaluate.".into(),
        business_rules: "A date and a decision maker are set.".into(),
        ..StageInput::default()
    };
    // Proposal at 55% instead of 60%, with its definition.
    let saved = ok(settings::save_stage(&mut test.db, &admin, &stage("proposal", "Proposal sent", "55")));
    assert_eq!((saved.probability_bp, saved.name.as_str()), (5_500, "Proposal sent"));
    assert_eq!(saved.definition, "The customer agreed to evaluate.");
    // Bad input, refused field by field.
    let bad = StageInput { milestone: "halfway".into(), position: "-1".into(), ..stage("", "", "140") };
    assert_eq!(
        refused(settings::save_stage(&mut test.db, &admin, &bad)),
        [
            ("key", Code::KeyMalformed),
            ("name", Code::Required),
            ("probability_pct", Code::NumberOutOfRange),
            ("position", Code::NumberOutOfRange),
            ("milestone", Code::Choice),
        ]
    );
    // Won stays 100%.
    assert_eq!(
        refused(settings::save_stage(&mut test.db, &admin, &stage("won", "Won", "90"))),
        [("probability_pct", Code::NumberOutOfRange)]
    );
    // A stage deals are at, or the only won stage, is not removed; a new unused one is.
    assert_eq!(refused(settings::remove_stage(&mut test.db, &admin, "proposal")), [("key", Code::StageInUse)]);
    ok(settings::save_stage(&mut test.db, &admin, &stage("verbal", "Verbal yes", "90")));
    assert!(settings::remove_stage(&mut test.db, &admin, "verbal").is_ok());
    assert_eq!(refused(settings::remove_stage(&mut test.db, &admin, "verbal")), [("key", Code::StageUnknown)]);
    // In an organisation without deals, the one won and the one lost stage stay all the same.
    let empty = test.org("empty");
    let directory = ok(Directory::load(&mut test.db, empty.id));
    let admin = Viewer::operator(empty.id, &directory);
    assert_eq!(refused(settings::remove_stage(&mut test.db, &admin, "won")), [("key", Code::OneWonStage)]);
    assert_eq!(refused(settings::remove_stage(&mut test.db, &admin, "lost")), [("key", Code::OneLostStage)]);
    assert!(settings::remove_stage(&mut test.db, &admin, "qualified").is_ok());
    let _ = org;
}

fn gateway_types_carry_definitions_and_retire(test: &mut TestDb) {
    let (_, admin) = setup(test);
    let demo = GatewayTypeInput {
        key: "demo".into(),
        name: "On-site demo".into(),
        definition: "We show the product on the customer's site.".into(),
        business_rules: "Only with the decision maker present.".into(),
        evaluation: "side_by_side".into(),
        retired: false,
    };
    let saved = ok(settings::save_gateway_type(&mut test.db, &admin, &demo));
    assert_eq!(saved.evaluation, Some(Evaluation::SideBySide));
    assert_eq!(saved.opportunities, 1, "O1's gateway was a demo");
    let workshop = GatewayTypeInput { key: "workshop".into(), name: "Workshop".into(), ..GatewayTypeInput::default() };
    ok(settings::save_gateway_type(&mut test.db, &admin, &workshop));
    ok(settings::save_gateway_type(&mut test.db, &admin, &GatewayTypeInput { retired: true, ..workshop.clone() }));
    let setup = ok(settings::pipeline_setup(&mut test.db, &admin));
    assert!(setup.gateway_types.iter().any(|g| g.key == "workshop" && g.retired));
    // Retired types are not offered where reps choose.
    let offered = ok(quotient_store::crm::pipeline::gateway_types(&mut test.db, &admin));
    assert!(!offered.iter().any(|(key, _)| key == "workshop"));
    let bad =
        GatewayTypeInput { key: "Bad Key".into(), evaluation: "gut_feeling".into(), ..GatewayTypeInput::default() };
    assert_eq!(
        refused(settings::save_gateway_type(&mut test.db, &admin, &bad)),
        [("key", Code::KeyMalformed), ("name", Code::Required), ("evaluation", Code::Choice)]
    );
}

on_both_backends!(
    a_threshold_takes_effect_at_the_next_read,
    bad_values_save_nothing,
    only_admins_save_and_executives_read,
    the_follow_up_window_and_the_authority_cut_off_rebuild_the_rollups,
    stages_keep_the_data_whole,
    gateway_types_carry_definitions_and_retire,
);

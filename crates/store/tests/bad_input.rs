//! Bad bundles: every problem reported where it is, nothing written, no panic whatever the bytes.

mod common;

use common::{TestDb, fixture, fixture_copy};
use proptest::prelude::*;
use quotient_store::bundle::{self, ImportError, Silent};

fn problems_of(test: &mut TestDb, dir: &std::path::Path) -> Vec<String> {
    let org = test.org("acme");
    let result = bundle::import(&mut test.db, org.id, dir, &mut Silent);
    let written: i64 = common::bundle_tables().map(|t| test.count(t, &org)).sum();
    assert_eq!(written, 0, "an invalid bundle must write nothing");
    match result {
        Err(ImportError::Invalid(problems)) => problems.list().iter().map(ToString::to_string).collect(),
        Ok(_) => panic!("the bundle should have been rejected"),
        Err(error) => panic!("{error}"),
    }
}

fn every_problem_is_reported_with_its_place(test: &mut TestDb) {
    let problems = problems_of(test, &fixture("invalid"));
    let expected = [
        "activities.csv:3:1: activity_id: 'X1' is used again (first on line 2): ids must be unique in the file",
        "activities.csv:4:3: type: is required: fill it in",
        "leads.csv:2:3: source: 'partner' is not one of: company, self",
        "leads.csv:3:9: first_touch_at: is before created_at: a lead cannot be touched before it exists",
        "leads.csv:3:10: opportunity_id: unknown opportunity 'O9': it is neither in opportunities.csv nor already stored",
        "notes.csv: is not a bundle file: rename it to one of territories.csv, product_lines.csv, reps.csv, accounts.csv, contacts.csv, opportunities.csv, leads.csv, stage_changes.csv, activities.csv, estimates.csv, feedback.csv, quotas.csv, opportunity_splits.csv or move it out of the folder",
        "opportunities.csv:2:15: status: is won but its last stage change (stage_changes.csv line 3, 2026-03-31T23:59:00Z) is to a stage that is lost: make them agree",
        "opportunities.csv:3:6: amount: '-5' is negative: amounts must be 0 or more",
        "opportunities.csv:4:14: closed_at: is set but status is open: clear it, or set status to won or lost",
        "opportunities.csv:5:14: closed_at: is empty but status is won: fill in when it closed",
        "opportunities.csv:6:10: first_appointment_at: 2026-01-01T10:00:00Z is before created_at 2026-01-06T10:00:00Z: a milestone cannot precede the opportunity",
        "opportunities.csv:7:1: opportunity_id: 'O1' is used again (first on line 2): ids must be unique in the file",
        "opportunities.csv:8:16: stage: stage 'won' does not agree with status 'open': make them agree",
        "opportunities.csv:9:8: created_at: '2026-13-06T10:00:00Z' is not a timestamp: write YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-03-31T23:59:00Z",
        "opportunities.csv:10: this row has 6 fields but the header has 18: check for a missing or extra delimiter, or an unclosed quote",
        "quotas.csv:2:2: period: '2026-3' is not a quota period: write YYYY-Www (2026-W05), YYYY-MM (2026-03), YYYY-Qn (2026-Q1) or YYYY (2026)",
        "quotas.csv:3:5: target: a deals target must be a whole number",
        "reps.csv:1:8: unknown column 'nickname': rename or remove it (the columns of reps.csv are: rep_id, name, email, manager_id, territory_id, role, hired_on)",
        "reps.csv:4:5: territory_id: unknown territory 'T9': it is neither in territories.csv nor already stored",
        "reps.csv:4:7: hired_on: '2024-02-30' is not a date: write YYYY-MM-DD, e.g. 2026-03-31",
        "stage_changes.csv:4:2: stage: 'signed' is not a stage of this organisation: use one of first_appointment, gateway, lost, negotiation, proposal, prospect, qualified, won",
    ];
    assert_eq!(problems, expected);
}

fn a_missing_required_column_rejects_the_file_without_cascading(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    let path = bundle.path().join("reps.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    // Drop the email column (the third) from every line.
    let without_email: String = text
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.remove(2);
            fields.join(",") + "\n"
        })
        .collect();
    std::fs::write(&path, without_email).unwrap_or_else(|e| panic!("{e}"));
    let problems = problems_of(test, bundle.path());
    assert_eq!(problems, ["reps.csv:1: the required column 'email' is missing: add it to the header"]);
}

fn a_bundle_without_reps_is_rejected(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    std::fs::remove_file(bundle.path().join("reps.csv")).unwrap_or_else(|e| panic!("{e}"));
    let problems = problems_of(test, bundle.path());
    assert!(problems.iter().any(|p| p.starts_with("reps.csv: is missing from")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("unknown rep 'R1'")),
        "references to the absent reps are reported: {problems:?}"
    );
}

fn a_failed_import_leaves_earlier_data_untouched(test: &mut TestDb) {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let before: Vec<i64> = common::bundle_tables().map(|t| test.count(t, &org)).collect();
    let result = bundle::import(&mut test.db, org.id, &fixture("invalid"), &mut Silent);
    let Err(ImportError::Invalid(problems)) = result else { panic!("the invalid bundle should be rejected") };
    // Into tables that already hold rows the bundle is staged, not loaded in place: the same
    // duplicate is found, at the same place.
    let listed: Vec<String> = problems.list().iter().map(ToString::to_string).collect();
    assert!(
        listed.contains(
            &"activities.csv:3:1: activity_id: 'X1' is used again (first on line 2): ids must be unique in the file"
                .to_string()
        ),
        "{listed:#?}"
    );
    assert_eq!(listed.len(), 21, "{listed:#?}");
    let after: Vec<i64> = common::bundle_tables().map(|t| test.count(t, &org)).collect();
    assert_eq!(before, after);
    let amount = test.db.query_i64("SELECT amount_cents FROM opportunities WHERE external_id = 'O1'", &[]).ok();
    assert_eq!(amount, Some(1_200_000), "O1 keeps its stored amount (12000), not the invalid bundle's");
}

/// A row repeating another's natural key (its opportunity, stage and time) is found where it is,
/// whether the file loads straight into its empty table or is staged beside stored rows.
fn a_repeated_stage_change_is_reported_with_both_lines(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    let path = bundle.path().join("stage_changes.csv");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str("O1,prospect,2026-01-06T10:00:00Z\n");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let expected =
        "stage_changes.csv:10: repeats line 2: there is already a row with the same opportunity_id, stage, changed_at";
    assert_eq!(problems_of(test, bundle.path()), [expected], "into empty tables");

    let stored = test.org("stored");
    bundle::import(&mut test.db, stored.id, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let result = bundle::import(&mut test.db, stored.id, bundle.path(), &mut Silent);
    let Err(ImportError::Invalid(problems)) = result else { panic!("the repeated row should be rejected") };
    let listed: Vec<String> = problems.list().iter().map(ToString::to_string).collect();
    assert_eq!(listed, [expected], "beside stored rows");
}

/// The same, imported by a role that is not a superuser: its first import checks every reference,
/// and finds the repeated row all the same.
#[test]
fn a_repeated_stage_change_is_reported_with_both_lines_not_as_a_superuser_on_postgres() {
    if let Some(mut test) = TestDb::postgres_not_superuser() {
        a_repeated_stage_change_is_reported_with_both_lines(&mut test);
    }
}

on_both_backends!(
    every_problem_is_reported_with_its_place,
    a_repeated_stage_change_is_reported_with_both_lines,
    a_missing_required_column_rejects_the_file_without_cascading,
    a_bundle_without_reps_is_rejected,
    a_failed_import_leaves_earlier_data_untouched,
);

/// A field value that is sometimes valid, sometimes subtly not, sometimes junk.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("R1".to_string()),
        Just("O1".to_string()),
        Just("won".to_string()),
        Just("2026-01-06T10:00:00Z".to_string()),
        Just("2026-02-30".to_string()),
        Just("-0.01".to_string()),
        Just("12.345".to_string()),
        Just("\"quoted, \"\"field\"\"\"".to_string()),
        Just("\"unclosed".to_string()),
        "[a-zA-Z0-9 ._:-]{0,12}",
        any::<String>(),
    ]
}

fn row(width: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(field(), 0..=width + 1).prop_map(|fields| fields.join(","))
}

fn assert_import_never_panics_nor_half_writes(files: &[(&str, Vec<u8>)]) -> Result<(), TestCaseError> {
    let mut test = TestDb::sqlite();
    let bundle = fixture_copy("valid");
    for (name, bytes) in files {
        std::fs::write(bundle.path().join(name), bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    let org = test.org("fuzz");
    let result = bundle::import(&mut test.db, org.id, bundle.path(), &mut Silent);
    let written: i64 = common::bundle_tables().map(|t| test.count(t, &org)).sum();
    match result {
        Ok(summary) => prop_assert_eq!(written as u64, summary.inserted()),
        Err(ImportError::Invalid(problems)) => {
            prop_assert_eq!(written, 0);
            prop_assert!(problems.total() > 0);
        }
        Err(other) => return Err(TestCaseError::fail(format!("a store error instead of a report: {other}"))),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_a_file_never_panic_and_never_half_write(bytes in prop::collection::vec(any::<u8>(), 0..600), file in 0usize..12) {
        let name = bundle::spec::FILES[file].file;
        assert_import_never_panics_nor_half_writes(&[(name, bytes)])?;
    }

    #[test]
    fn plausible_rows_never_panic_and_never_half_write(rows in prop::collection::vec(row(18), 1..8), file in prop::sample::select(vec![5usize, 6, 7, 8, 11])) {
        let spec = &bundle::spec::FILES[file];
        let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
        let text = std::iter::once(header.join(",")).chain(rows).collect::<Vec<_>>().join("\n");
        assert_import_never_panics_nor_half_writes(&[(spec.file, text.into_bytes())])?;
    }
}

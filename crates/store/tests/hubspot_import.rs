//! Importing HubSpot's CSV exports (tests/fixtures/hubspot), on SQLite and on PostgreSQL.

mod common;

use common::{TestDb, fixture};
use quotient_store::bundle::{ImportError, Silent};
use quotient_store::imports::{hubspot, report};
use quotient_store::orgs::Organisation;
use std::path::Path;

fn import(test: &mut TestDb, org: &Organisation, export: &Path, stages: &Path) -> Result<report::ImportReport, ImportError> {
    let conversion = hubspot::convert(&[export.to_path_buf()], stages);
    report::import(&mut test.db, org.id, &conversion, &mut Silent)
}

fn imported(test: &mut TestDb, org: &Organisation, export: &Path, stages: &Path) -> report::ImportReport {
    match import(test, org, export, stages) {
        Ok(report) => report,
        Err(ImportError::Invalid(problems)) => panic!("the export should import:\n{problems}"),
        Err(error) => panic!("{error}"),
    }
}

fn count_where(test: &mut TestDb, org: &Organisation, table: &str, condition: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE org_id = ? AND {condition}");
    test.db.query_i64(&sql, &[org.id.value()]).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn imports_deals_companies_contacts_and_activities(test: &mut TestDb) {
    let org = test.org("acme");
    let scratch = tempfile::tempdir().expect("temp dir");
    let report = imported(test, &org, &fixture("hubspot"), &scratch.path().join("stages.toml"));
    // Two owners (Ana, Ben) with their e-mails from the users export; three companies; contacts
    // 501 and 502 (503 has no company); five deals; calls 3001–3003 (3004 is assigned to no one),
    // meetings 4001–4002 and e-mail 5001 (5002 is incoming).
    for (table, rows) in [("reps", 2), ("accounts", 3), ("contacts", 2), ("opportunities", 5), ("activities", 6)] {
        assert_eq!(test.count(table, &org), rows, "{table}");
    }
    // Stage changes: 7001 appointment, qualified, demo, contract (negotiation), won = 5;
    // 7002 appointment, lost = 2; 7003 appointment, qualified, demo = 3; 7004 and 7005
    // appointment = 1 each ("Decision Maker Bought-In" is not placed). 12 in all.
    assert_eq!(test.count("stage_changes", &org), 12);
    assert_eq!(count_where(test, &org, "reps", "email = 'ana.lopez@example.com'"), 1);
    assert_eq!(count_where(test, &org, "opportunities", "status = 'won'"), 1);
    assert_eq!(count_where(test, &org, "opportunities", "status = 'lost'"), 1);
    // Every deal entered "Appointment Scheduled"; 7001 and 7003 reached the demo; only 7001
    // reached "Contract Sent" (negotiation: its proposal was made).
    assert_eq!(count_where(test, &org, "opportunities", "first_appointment_at IS NOT NULL"), 5);
    assert_eq!(count_where(test, &org, "opportunities", "gateway_at IS NOT NULL AND gateway_type = 'demo'"), 2);
    assert_eq!(count_where(test, &org, "opportunities", "proposal_at IS NOT NULL"), 1);
    assert_eq!(count_where(test, &org, "opportunities", "amount_cents = 1250000"), 1);
    assert_eq!(count_where(test, &org, "activities", "type = 'call_back'"), 1);
    assert_eq!(report.unplaced, vec!["Sales Pipeline / Decision Maker Bought-In".to_string()]);
    assert_eq!(report.skipped.iter().map(|(_, n)| n).sum::<u64>(), 4, "{:?}", report.skipped);
    assert_eq!((report.deals_won, report.deals_lost, report.deals_open), (1, 1, 3));
    assert_eq!(report.win_rate_percent(), Some(50));
    assert_eq!(report.date_range, Some(("2024-02-01".into(), "2024-06-10".into())));
    assert!(!report.stages_reviewed);
}

fn a_reviewed_stage_mapping_and_a_re_import_update_only_what_changed(test: &mut TestDb) {
    let org = test.org("acme");
    let scratch = tempfile::tempdir().expect("temp dir");
    let stages = scratch.path().join("stages.toml");
    imported(test, &org, &fixture("hubspot"), &stages);
    let again = imported(test, &org, &fixture("hubspot"), &stages);
    assert_eq!((again.summary.inserted(), again.summary.updated()), (0, 0));
    // Placing "Decision Maker Bought-In" on negotiation: 7001 (entered it on 20 Feb) and 7004
    // (20 Jun) now have proposals and one more stage change each.
    let conversion = hubspot::convert(&[fixture("hubspot")], &stages);
    let edited = conversion.stages.to_toml("HubSpot").replace(
        "stage = \"Decision Maker Bought-In\"\nquotient = \"\"  # not placed: name its Quotient stage",
        "stage = \"Decision Maker Bought-In\"\nquotient = \"negotiation\"",
    );
    std::fs::write(&stages, edited).expect("written");
    let reviewed = imported(test, &org, &fixture("hubspot"), &stages);
    assert!(reviewed.stages_reviewed && reviewed.unplaced.is_empty());
    let file = |name: &str| reviewed.summary.files.iter().find(|f| f.file == name).cloned().unwrap_or_default();
    assert_eq!((file("opportunities.csv").inserted, file("opportunities.csv").updated), (0, 2));
    assert_eq!(file("stage_changes.csv").inserted, 2);
    assert_eq!(count_where(test, &org, "opportunities", "proposal_at IS NOT NULL"), 2);
}

fn problems_are_located_in_the_export_and_nothing_is_written(test: &mut TestDb) {
    let org = test.org("acme");
    let export = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(fixture("hubspot")).expect("fixture").flatten() {
        std::fs::copy(entry.path(), export.path().join(entry.file_name())).expect("copied");
    }
    let deals = export.path().join("hubspot-crm-exports-all-deals-2024-06-30.csv");
    let text = std::fs::read_to_string(&deals).expect("read");
    let text = text.replace("\"Bolt retrofit\",\"Sales Pipeline\",\"Closed Lost\",\"8000\"", "\"Bolt retrofit\",\"Sales Pipeline\",\"Closed Lost\",\"eight\"");
    let text = text.replace("\"2024-05-02 08:00\"", "\"31/02/2024\"");
    std::fs::write(&deals, text).expect("written");
    let Err(ImportError::Invalid(problems)) = import(test, &org, export.path(), &export.path().join("stages.toml")) else {
        panic!("a bad amount and a bad date are problems")
    };
    let listed: Vec<String> = problems.list().iter().map(ToString::to_string).collect();
    let file = "hubspot-crm-exports-all-deals-2024-06-30.csv";
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].starts_with(&format!("{file}:3:5: Amount: 'eight' is not an amount")), "{}", listed[0]);
    assert!(listed[1].starts_with(&format!("{file}:4:7: Create Date: '31/02/2024' is not a date")), "{}", listed[1]);
    assert_eq!(test.count("opportunities", &org), 0);
    assert_eq!(test.count("reps", &org), 0);
}

on_both_backends!(
    imports_deals_companies_contacts_and_activities,
    a_reviewed_stage_mapping_and_a_re_import_update_only_what_changed,
    problems_are_located_in_the_export_and_nothing_is_written,
);

//! Soft deletion, restoring and the audit history, on SQLite and PostgreSQL.

mod common;

use common::{TestDb, fixture};
use quotient_store::bundle::{self, Silent};
use quotient_store::{audit, records};

fn imported(test: &mut TestDb) -> quotient_store::orgs::Organisation {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    org
}

fn id_of(test: &mut TestDb, table: &str, key: &str) -> i64 {
    test.db
        .query_i64(&format!("SELECT id FROM {table} WHERE external_id = ?"), &[quotient_store::Value::text(key)])
        .unwrap_or_else(|e| panic!("{e}"))
}

fn a_deleted_record_can_be_restored_and_both_are_audited(test: &mut TestDb) {
    let org = imported(test);
    let o3 = id_of(test, "opportunities", "O3");
    assert!(records::soft_delete(&mut test.db, org.id, "opportunities", o3, None).unwrap_or(false));
    assert!(!records::soft_delete(&mut test.db, org.id, "opportunities", o3, None).unwrap_or(true), "already deleted");
    let live = "SELECT COUNT(*) FROM opportunities WHERE deleted_at IS NULL";
    assert_eq!(test.db.query_i64(live, &[]).ok(), Some(2));
    assert!(records::restore(&mut test.db, org.id, "opportunities", o3, None).unwrap_or(false));
    assert_eq!(test.db.query_i64(live, &[]).ok(), Some(3));
    let history = audit::history(&mut test.db, org.id, "opportunities", o3).unwrap_or_else(|e| panic!("{e}"));
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["delete", "restore"]);
    assert_eq!(history[0].before, Some(serde_json::json!({ "deleted_at": null })));
    assert_eq!(history[1].after, Some(serde_json::json!({ "deleted_at": null })));
}

fn another_organisations_record_cannot_be_deleted(test: &mut TestDb) {
    imported(test);
    let other = test.org("other");
    let o3 = id_of(test, "opportunities", "O3");
    assert!(!records::soft_delete(&mut test.db, other.id, "opportunities", o3, None).unwrap_or(true));
    assert!(records::soft_delete(&mut test.db, other.id, "audit_log", 1, None).is_err(), "only records can be deleted");
}

fn an_export_after_a_deletion_still_imports_elsewhere(test: &mut TestDb) {
    let org = imported(test);
    let o1 = id_of(test, "opportunities", "O1");
    assert!(records::soft_delete(&mut test.db, org.id, "opportunities", o1, None).unwrap_or(false));
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let summary = bundle::export(&mut test.db, org.id, out.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let rows: std::collections::HashMap<String, u64> = summary.files.into_iter().collect();
    // O1 is gone, with its five stage changes; activities, estimates and the lead lose the reference.
    assert_eq!((rows["opportunities.csv"], rows["stage_changes.csv"], rows["activities.csv"]), (2, 3, 5));
    let activities = std::fs::read_to_string(out.path().join("activities.csv")).unwrap_or_default();
    assert!(activities.contains("X1,R1,cold_call,2026-01-07T09:00:00Z,A1,C1,,appointment_set"), "{activities}");
    let copy = test.org("copy");
    bundle::import(&mut test.db, copy.id, out.path(), &mut Silent)
        .unwrap_or_else(|e| panic!("the export should import: {e}"));
}

on_both_backends!(
    a_deleted_record_can_be_restored_and_both_are_audited,
    another_organisations_record_cannot_be_deleted,
    an_export_after_a_deletion_still_imports_elsewhere,
);

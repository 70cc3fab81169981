//! Soft deletion, restoring and the audit history, on SQLite and PostgreSQL.

mod common;

use common::{TestDb, fixture};
use quotient_store::bundle::{self, Silent};
use quotient_store::crm::opportunities;
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

/// A stage move is audited with the whole row as it was and as it is.
fn a_stage_move_is_audited_before_and_after(test: &mut TestDb) {
    let org = imported(test);
    let o3 = id_of(test, "opportunities", "O3");
    let before =
        test.db.query_opt("SELECT stage FROM opportunities WHERE id = ?", &[quotient_store::Value::Int(o3)], |row| {
            Ok(row.text(0)?.unwrap_or_default().to_string())
        });
    let before = before.ok().flatten().unwrap_or_else(|| panic!("O3 has a stage"));
    let at = "2026-03-20T10:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
    let moved = opportunities::move_stage(&mut test.db, org.id, None, o3, "negotiation", at, None);
    assert_eq!(moved.ok(), Some(true));
    let history = audit::history(&mut test.db, org.id, "opportunities", o3).unwrap_or_else(|e| panic!("{e}"));
    let entry = history.last().unwrap_or_else(|| panic!("audited"));
    assert_eq!(entry.action, "move_stage");
    let field = |image: &Option<serde_json::Value>, name: &str| image.as_ref().and_then(|i| i.get(name)).cloned();
    assert_eq!(field(&entry.before, "stage"), Some(serde_json::json!(before)));
    assert_eq!(field(&entry.after, "stage"), Some(serde_json::json!("negotiation")));
    // Every audited column is in both images, and only the stage changed.
    let (Some(serde_json::Value::Object(was)), Some(serde_json::Value::Object(is))) = (&entry.before, &entry.after)
    else {
        panic!("both images are objects: {entry:?}");
    };
    assert_eq!(was.keys().collect::<Vec<_>>(), is.keys().collect::<Vec<_>>());
    let changed: Vec<&String> = was.keys().filter(|key| was[*key] != is[*key]).collect();
    assert_eq!(changed, ["stage"]);
}

fn entering_a_stage_twice_within_a_second_is_one_change(test: &mut TestDb) {
    let org = imported(test);
    let o3 = id_of(test, "opportunities", "O3");
    let at: chrono::DateTime<chrono::Utc> = "2026-03-20T10:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
    for resent in [at, at + chrono::Duration::milliseconds(400)] {
        let moved = opportunities::move_stage(&mut test.db, org.id, None, o3, "negotiation", resent, None);
        assert_eq!(moved.as_ref().ok(), Some(&true), "{moved:?}");
    }
    let changes = "SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = ? AND stage = 'negotiation'";
    assert_eq!(test.db.query_i64(changes, &[quotient_store::Value::Int(o3)]).ok(), Some(1));
}

on_both_backends!(
    entering_a_stage_twice_within_a_second_is_one_change,
    a_stage_move_is_audited_before_and_after,
    a_deleted_record_can_be_restored_and_both_are_audited,
    another_organisations_record_cannot_be_deleted,
    an_export_after_a_deletion_still_imports_elsewhere,
);

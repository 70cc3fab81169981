//! Soft deletion, restoring, stage moves and the audit history, on SQLite and PostgreSQL.

mod common;

use common::{TestDb, fixture, refused, viewer_of};
use quotient_core::Lang;
use quotient_core::model::UserRole;
use quotient_store::bundle::{self, Silent};
use quotient_store::ids::{OpportunityId, RecordId};
use quotient_store::ops::pipeline::{self, MoveStage};
use quotient_store::ops::records::{self, CreateRecord, RecordRef};
use quotient_store::testing::unscoped as records_unscoped;
use quotient_store::{Code, StoreError, Value, audit};

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

fn record(resource: &str, id: i64) -> RecordRef {
    RecordRef::of(resource, RecordId(id)).unwrap_or_else(|| panic!("{resource} is listed"))
}

fn a_deleted_record_can_be_restored_and_both_are_audited(test: &mut TestDb) {
    let org = imported(test);
    // A manager deletes a deal of their team.
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let o3 = record("opportunities", id_of(test, "opportunities", "O3"));
    assert!(records::delete(&mut test.db, &m1, &o3).is_ok());
    let again = records::delete(&mut test.db, &m1, &o3);
    assert!(matches!(again, Err(StoreError::NotFound(_))), "already deleted: {again:?}");
    let live = "SELECT COUNT(*) FROM opportunities WHERE deleted_at IS NULL";
    assert_eq!(test.db.query_i64(live, &[]).ok(), Some(2));
    assert!(records::restore(&mut test.db, &m1, &o3).is_ok());
    assert_eq!(test.db.query_i64(live, &[]).ok(), Some(3));
    let again = records::restore(&mut test.db, &m1, &o3);
    assert!(matches!(again, Err(StoreError::NotFound(_))), "not deleted: {again:?}");
    let o3 = o3.id.get();
    let history = audit::history(&mut test.db, org.id, "opportunities", o3).unwrap_or_else(|e| panic!("{e}"));
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["delete", "restore"]);
    assert_eq!(history[0].before, Some(serde_json::json!({ "deleted_at": null })));
    assert_eq!(history[1].after, Some(serde_json::json!({ "deleted_at": null })));
    assert_eq!(history[0].user, Some(m1.user), "the caller is recorded");
}

/// How many activities are deleted, and the audit entries of the organisation.
fn deleted_and_audited(test: &mut TestDb) -> (i64, i64) {
    let deleted = test.db.query_i64("SELECT COUNT(*) FROM activities WHERE deleted_at IS NOT NULL", &[]);
    let audited = test.db.query_i64("SELECT COUNT(*) FROM audit_log", &[]);
    (deleted.unwrap_or(-1), audited.unwrap_or(-1))
}

/// Deleting or restoring a record out of the caller's reach is "not found", checked in the
/// transaction that would write, and nothing is written; a role without the right is not permitted.
fn a_record_out_of_reach_is_neither_deleted_nor_restored(test: &mut TestDb) {
    let org = imported(test);
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let r2 = viewer_of(test, &org, "R2", UserRole::Rep);
    // A rep may delete activities; X4 is R2's.
    let x4 = record("activities", id_of(test, "activities", "X4"));
    let before = deleted_and_audited(test);
    let deleted = records::delete(&mut test.db, &r1, &x4);
    assert!(matches!(deleted, Err(StoreError::NotFound(_))), "{deleted:?}");
    assert_eq!(deleted_and_audited(test), before, "nothing written");
    // Deleted by its rep, R1 cannot restore it either.
    records::delete(&mut test.db, &r2, &x4).unwrap_or_else(|e| panic!("{e}"));
    let after_delete = deleted_and_audited(test);
    assert_eq!(after_delete, (before.0 + 1, before.1 + 1));
    let restored = records::restore(&mut test.db, &r1, &x4);
    assert!(matches!(restored, Err(StoreError::NotFound(_))), "{restored:?}");
    assert_eq!(deleted_and_audited(test), after_delete, "still deleted, nothing audited");
    // An executive reaches every record but may not delete one.
    let e1 = viewer_of(test, &org, "E1", UserRole::Executive);
    let x1 = record("activities", id_of(test, "activities", "X1"));
    assert!(matches!(records::delete(&mut test.db, &e1, &x1), Err(StoreError::NotPermitted)));
    assert!(matches!(records::restore(&mut test.db, &e1, &x4), Err(StoreError::NotPermitted)));
    assert_eq!(deleted_and_audited(test), after_delete);
    // Only listed resources are records to delete.
    assert!(RecordRef::of("audit_log", RecordId(1)).is_none());
}

fn another_organisations_record_cannot_be_deleted(test: &mut TestDb) {
    imported(test);
    let other = test.org("other");
    let o3 = id_of(test, "opportunities", "O3");
    assert!(!records_unscoped::soft_delete(&mut test.db, other.id, "opportunities", o3, None).unwrap_or(true));
    let audit_log = records_unscoped::soft_delete(&mut test.db, other.id, "audit_log", 1, None);
    assert!(audit_log.is_err(), "only records can be deleted");
}

fn an_export_after_a_deletion_still_imports_elsewhere(test: &mut TestDb) {
    let org = imported(test);
    let admin = viewer_of(test, &org, "E1", UserRole::Admin);
    let o1 = record("opportunities", id_of(test, "opportunities", "O1"));
    records::delete(&mut test.db, &admin, &o1).unwrap_or_else(|e| panic!("{e}"));
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
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let moved = pipeline::move_stage(&mut test.db, &r1, &move_to(o3, "negotiation", at));
    assert!(moved.is_ok(), "{moved:?}");
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
        let moved = records_unscoped::move_stage(&mut test.db, org.id, None, o3, "negotiation", resent, None);
        assert_eq!(moved.as_ref().ok(), Some(&true), "{moved:?}");
    }
    let changes = "SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = ? AND stage = 'negotiation'";
    assert_eq!(test.db.query_i64(changes, &[quotient_store::Value::Int(o3)]).ok(), Some(1));
}

/// The stage entries of a period count every stage change in it, those of an opportunity that has
/// moved since as well, and a move as soon as it is made.
fn stage_entries_count_each_change_in_the_period(test: &mut TestDb) {
    let org = imported(test);
    let (r1, r2, o3) = (id_of(test, "reps", "R1"), id_of(test, "reps", "R2"), id_of(test, "opportunities", "O3"));
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let entries = |test: &mut TestDb, period: &str| {
        let period = period.parse().unwrap_or_else(|e| panic!("{e}"));
        let entries = quotient_store::crm::pipeline::stage_entries(&mut test.db, &m1, &[r1, r2], period)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut entries: Vec<(String, i64)> = entries
            .into_iter()
            .map(|((rep, stage), n)| (format!("{}:{stage}", if rep == r1 { "R1" } else { "R2" }), n))
            .collect();
        entries.sort();
        entries
    };
    let counts = |pairs: &[(&str, i64)]| pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect::<Vec<_>>();
    // The fixture's history: O1 (R1) prospect → first appointment → gateway → proposal → won by
    // 31 March, O2 (R2) prospect → lost on 1 March, O3 (R1) gateway on 20 March.
    let march = counts(&[("R1:gateway", 1), ("R1:won", 1), ("R2:lost", 1)]);
    assert_eq!(entries(test, "2026-03"), march);
    assert_eq!(entries(test, "2026-04"), counts(&[]));
    let at = "2026-04-10T10:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
    let r1_viewer = viewer_of(test, &org, "R1", UserRole::Rep);
    pipeline::move_stage(&mut test.db, &r1_viewer, &move_to(o3, "proposal", at)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entries(test, "2026-04"), counts(&[("R1:proposal", 1)]), "the move counts at once");
    assert_eq!(entries(test, "2026-03"), march, "O3's gateway still counts in March");
    let quarter = counts(&[
        ("R1:first_appointment", 1),
        ("R1:gateway", 2),
        ("R1:proposal", 1),
        ("R1:prospect", 1),
        ("R1:won", 1),
        ("R2:lost", 1),
        ("R2:prospect", 1),
    ]);
    assert_eq!(entries(test, "2026-Q1"), quarter);
}

fn move_to(opportunity: i64, stage: &str, at: chrono::DateTime<chrono::Utc>) -> MoveStage {
    MoveStage { opportunity: OpportunityId(opportunity), stage: stage.into(), gateway_type: None, at }
}

/// The stage of an opportunity, and how many stage changes it has.
fn stage_of(test: &mut TestDb, id: i64) -> (String, i64) {
    let stage = test.db.query_opt("SELECT stage FROM opportunities WHERE id = ?", &[Value::Int(id)], |row| {
        Ok(row.text(0)?.unwrap_or_default().to_string())
    });
    let changes = test.db.query_i64("SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = ?", &[Value::Int(id)]);
    (stage.ok().flatten().unwrap_or_default(), changes.unwrap_or(-1))
}

/// A stage move is refused with every reason at once, and nothing moves: a stage not in the
/// pipeline, the gateway without the kind of next step, a time before the deal was created.
fn a_stage_move_is_refused_with_its_reasons(test: &mut TestDb) {
    let org = imported(test);
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let values = [("name", "Fresh"), ("amount", "100"), ("created_at", "2026-03-02T10:00")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
    let form = quotient_store::crm::forms::form("opportunities").unwrap_or_else(|| panic!("form"));
    let fresh = records::create(&mut test.db, &r1, &CreateRecord { form, values, lang: Lang::ENGLISH })
        .unwrap_or_else(|e| panic!("{e}"))
        .get();
    let before = stage_of(test, fresh);
    assert_eq!(before, ("prospect".to_string(), 1));
    let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>().unwrap_or_else(|e| panic!("{e}"));
    let moved = pipeline::move_stage(&mut test.db, &r1, &move_to(fresh, "signed", at("2026-03-03T10:00:00Z")));
    assert_eq!(refused(moved), [("stage", Code::StageUnknown)]);
    let moved = pipeline::move_stage(&mut test.db, &r1, &move_to(fresh, "gateway", at("2026-03-01T10:00:00Z")));
    assert_eq!(refused(moved), [("at", Code::StageBeforeCreation), ("gateway_type", Code::GatewayTypeRequired)]);
    let blank = MoveStage { gateway_type: Some(" ".into()), ..move_to(fresh, "gateway", at("2026-03-03T10:00:00Z")) };
    assert_eq!(refused(pipeline::move_stage(&mut test.db, &r1, &blank)), [("gateway_type", Code::GatewayTypeRequired)]);
    assert_eq!(stage_of(test, fresh), before, "nothing moved");
    let agreed = MoveStage { gateway_type: Some("demo".into()), ..blank };
    pipeline::move_stage(&mut test.db, &r1, &agreed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stage_of(test, fresh), ("gateway".to_string(), 2));
    // O2 is R2's: not found to R1; an executive may not move a deal at all.
    let o2 = id_of(test, "opportunities", "O2");
    let o2_before = stage_of(test, o2);
    let moved = pipeline::move_stage(&mut test.db, &r1, &move_to(o2, "won", at("2026-03-03T10:00:00Z")));
    assert!(matches!(moved, Err(StoreError::NotFound(_))), "{moved:?}");
    let e1 = viewer_of(test, &org, "E1", UserRole::Executive);
    let moved = pipeline::move_stage(&mut test.db, &e1, &move_to(fresh, "won", at("2026-03-03T10:00:00Z")));
    assert!(matches!(moved, Err(StoreError::NotPermitted)), "{moved:?}");
    assert_eq!((stage_of(test, o2), stage_of(test, fresh).0), (o2_before, "gateway".to_string()));
}

on_both_backends!(
    stage_entries_count_each_change_in_the_period,
    a_stage_move_is_refused_with_its_reasons,
    a_record_out_of_reach_is_neither_deleted_nor_restored,
    entering_a_stage_twice_within_a_second_is_one_change,
    a_stage_move_is_audited_before_and_after,
    a_deleted_record_can_be_restored_and_both_are_audited,
    another_organisations_record_cannot_be_deleted,
    an_export_after_a_deletion_still_imports_elsewhere,
);

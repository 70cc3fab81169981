//! The forecast API: a rep's call and their manager's adjustment kept apart and rolled up, what
//! each role sees, refusals by code, and a deal's category overridden by its owner.

use super::{TestApp, block_on, codes, id_in_list, json, refused_codes};
use axum::http::StatusCode;

fn line<'a>(forecast: &'a serde_json::Value, external_id: &str) -> &'a serde_json::Value {
    let lines = forecast["lines"].as_array().unwrap_or_else(|| panic!("{forecast}"));
    lines.iter().find(|l| l["external_id"] == external_id).unwrap_or_else(|| panic!("{external_id}: {forecast}"))
}

async fn a_call_and_its_adjustment_roll_up_to_the_manager(app: &TestApp) {
    let rep = app.sign_in("r1@acme.test").await;
    let manager = app.sign_in("manager@acme.test").await;
    let call = r#"{"commit_cents": 1200000, "best_case_cents": 1300000}"#;
    let submitted = app.send_json("PUT", "/api/v1/forecast/2026-Q1/call", &rep, call).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(json(&submitted)["kind"], "call");
    let team = json(&app.get("/api/v1/forecast?period=2026-Q1&team=M1", &manager.0).await);
    let r1 = line(&team, "R1")["person"].as_i64().unwrap_or_default();
    let adjustment = r#"{"commit_cents": 1000000, "best_case_cents": 1300000, "note": "Half of it is not signed"}"#;
    let path = format!("/api/v1/forecast/2026-Q1/adjustments/{r1}");
    assert_eq!(app.send_json("PUT", &path, &manager, adjustment).await.status, StatusCode::OK);
    // R1's own 12,000.00 stays beside the manager's 10,000.00, which is what M1's line sums; R2
    // called nothing and has won nothing in Q1.
    let team = json(&app.get("/api/v1/forecast?period=2026-Q1&team=M1", &manager.0).await);
    let r1_line = line(&team, "R1");
    assert_eq!(r1_line["call"]["commit_cents"], 1_200_000);
    assert_eq!(r1_line["effective_call"]["commit_cents"], 1_000_000);
    assert_eq!(r1_line["adjustment_note"], "Half of it is not signed");
    assert_eq!(line(&team, "M1")["rolled_call"]["commit_cents"], 1_000_000);
    assert!(team["organisation"].is_null());
    // The rep sees their own line; a rep adjusts nobody, and a best case under the commit is no call.
    let own = json(&app.get("/api/v1/forecast?period=2026-Q1", &rep.0).await);
    assert_eq!(own["lines"].as_array().map(Vec::len), Some(1));
    let refused = app.send_json("PUT", &path, &rep, adjustment).await;
    assert_eq!(refused_codes(&refused), codes(&[("rep_id", "forecast_call_not_yours")]));
    let low = r#"{"commit_cents": 5, "best_case_cents": 4}"#;
    let refused = app.send_json("PUT", "/api/v1/forecast/2026-W05/call", &rep, low).await;
    assert_eq!(
        refused_codes(&refused),
        codes(&[("period", "forecast_period"), ("best_case_cents", "best_case_below_commit")])
    );
}

async fn a_deals_owner_overrides_its_category(app: &TestApp) {
    let rep = app.sign_in("r1@acme.test").await;
    let o3 = id_in_list(app, "/api/v1/opportunities", &rep, "O3").await;
    let path = format!("/api/v1/opportunities/{o3}/forecast-category");
    assert_eq!(json(&app.get(&path, &rep.0).await)["category"], "pipeline");
    let set = app.send_json("PUT", &path, &rep, r#"{"category": "commit"}"#).await;
    assert_eq!((json(&set)["category"].as_str(), json(&set)["overridden"].as_str()), (Some("commit"), Some("commit")));
    let refused = app.send_json("PUT", &path, &rep, r#"{"category": "closed"}"#).await;
    assert_eq!(refused_codes(&refused), codes(&[("category", "forecast_category")]));
    // R2 does not reach R1's deal: it is missing.
    let other = app.sign_in("r2@acme.test").await;
    assert_eq!(app.get(&path, &other.0).await.status, StatusCode::NOT_FOUND);
    let document = app.get("/api/v1/openapi.json", "").await;
    assert!(document.body.contains("/api/v1/forecast/{period}/adjustments/{rep_id}"));
}

on_both_backends!(a_call_and_its_adjustment_roll_up_to_the_manager, a_deals_owner_overrides_its_category);

//! The settings page and API: an administrator's threshold reaches a rep's scorecard at once, a
//! change of the follow-up window rebuilds the KPIs in the background with its progress, bad values
//! are refused by code and save nothing, executives read, and a gateway type's definition is shown
//! where reps choose it.

use super::{TestApp, block_on, codes, json, refused_codes};
use axum::http::StatusCode;

/// R1's card for the first quarter of 2026, through the API.
async fn r1_card(app: &TestApp, session: &(String, String)) -> serde_json::Value {
    let answer = app.get("/api/v1/scorecards?period=2026-Q1&subject=rep:R1", &session.0).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    json(&answer)["reps"][0].clone()
}

fn flag_kinds(card: &serde_json::Value) -> Vec<String> {
    let flags = card["flags"].as_array().cloned().unwrap_or_default();
    flags.iter().filter_map(|f| f["kind"].as_str().map(str::to_string)).collect()
}

async fn an_administrator_sets_a_threshold_and_a_manager_sees_the_flag(app: &TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let manager = app.sign_in("manager@acme.test").await;
    // R1's first appointments in Q1: 1 of 2 with a contact of authority 4–5 = 50%, not below 50%.
    let before = r1_card(app, &manager).await;
    assert_eq!(before["top_level_contact_share"].as_f64(), Some(0.5));
    assert!(!flag_kinds(&before).contains(&"top_level_contact_share_low".to_string()));
    let page = app.get("/settings", &admin.0).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"threshold.top_level_contact_share\""));
    // The page's form: 50% < 60% raises the flag at the next read.
    let form = format!("threshold.top_level_contact_share=0.6&_csrf={}", admin.1);
    let saved = app.post("/settings", &admin.0, &form).await;
    assert_eq!(saved.location.as_deref(), Some("/settings?saved=settings"));
    assert!(flag_kinds(&r1_card(app, &manager).await).contains(&"top_level_contact_share_low".to_string()));
    // A refused form shows every refusal and saves nothing.
    let form = format!("threshold.top_level_contact_share=0.4&method.working_days_per_week=9&_csrf={}", admin.1);
    let refused = app.post("/settings", &admin.0, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("data-field=\"method.working_days_per_week\""));
    let values = json(&app.get("/api/v1/settings", &admin.0).await);
    assert_eq!(values["values"]["threshold.top_level_contact_share"].as_f64(), Some(0.6), "not saved");

    // Executives read; managers and reps do not reach the settings.
    let executive = app.sign_in("exec@acme.test").await;
    assert_eq!(app.get("/api/v1/settings", &executive.0).await.status, StatusCode::OK);
    let put = app.send_json("PUT", "/api/v1/settings", &executive, r#"{"threshold.closing_ratio": 0.5}"#).await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/settings", &manager.0).await.status, StatusCode::NOT_FOUND);
}

async fn the_api_refuses_by_code_and_a_rebuild_runs_in_the_background(app: &TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let body = r#"{"threshold.closing_ratio": "high", "standard.crm_currency.enabled": 3, "method.top_level_authority": 0, "luck": 1}"#;
    let refused = app.send_json("PUT", "/api/v1/settings", &admin, body).await;
    let mut got = refused_codes(&refused);
    got.sort();
    let mut expected = codes(&[
        ("threshold.closing_ratio", "number"),
        ("standard.crm_currency.enabled", "boolean"),
        ("method.top_level_authority", "number_out_of_range"),
        ("key", "unknown_setting"),
    ]);
    expected.sort();
    assert_eq!(got, expected);
    // L1 (R1's company lead) was touched after 6.5 hours: in time within 48, late within 6.
    assert_eq!(r1_card(app, &admin).await["lead_follow_up"]["touched_within_48h_share"].as_f64(), Some(1.0));
    let saved = app.send_json("PUT", "/api/v1/settings", &admin, r#"{"method.lead_follow_up_hours": 6}"#).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(json(&saved)["rebuild_started"], true);
    let mut status = serde_json::Value::Null;
    for _ in 0..200 {
        status = json(&app.get("/api/v1/settings/rebuild", &admin.0).await);
        if status["state"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status["state"], "done", "{status}");
    // The fixture's four people of the reps' table (E1, M1, R1, R2).
    assert_eq!((status["done"].as_i64(), status["total"].as_i64()), (Some(4), Some(4)));
    assert_eq!(r1_card(app, &admin).await["lead_follow_up"]["touched_within_48h_share"].as_f64(), Some(0.0));
}

async fn a_gateway_types_definition_is_shown_where_reps_choose(app: &TestApp) {
    let admin = app.sign_in("admin@acme.test").await;
    let form = format!(
        "key=demo&name=On-site+demo&evaluation=side_by_side&definition=We+show+it+working+at+the+customer&business_rules=Decision+maker+present&_csrf={}",
        admin.1
    );
    let saved = app.post("/settings/gateway-types", &admin.0, &form).await;
    assert_eq!(saved.location.as_deref(), Some("/settings?saved=gateway_types#gateway_types"), "{}", saved.body);
    let rep = app.sign_in("r1@acme.test").await;
    let pipeline = app.get("/pipeline", &rep.0).await;
    assert!(pipeline.body.contains("We show it working at the customer"), "the definition is on the pipeline");
    assert!(pipeline.body.contains("side by side"));
    // A stage in use is not removed; an unknown evaluation is refused.
    let removed = app.post("/settings/stages/proposal/remove", &admin.0, &format!("_csrf={}", admin.1)).await;
    assert_eq!(removed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(removed.body.contains("data-field=\"key\""));
    let bad = app
        .send_json("PUT", "/api/v1/settings/gateway-types/demo", &admin, r#"{"name": "Demo", "evaluation": "gut"}"#)
        .await;
    assert_eq!(refused_codes(&bad), codes(&[("evaluation", "choice")]));
    let stage = r#"{"name": "Proposal", "probability_pct": 55, "definition": "A priced offer is with the customer"}"#;
    let saved = app.send_json("PUT", "/api/v1/settings/stages/proposal", &admin, stage).await;
    assert_eq!((saved.status, json(&saved)["probability_bp"].as_i64()), (StatusCode::OK, Some(5_500)));
}

on_both_backends!(
    an_administrator_sets_a_threshold_and_a_manager_sees_the_flag,
    the_api_refuses_by_code_and_a_rebuild_runs_in_the_background,
    a_gateway_types_definition_is_shown_where_reps_choose,
);

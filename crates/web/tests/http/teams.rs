//! The executive's dashboard of teams and its drill-down, the standards column of the manager's,
//! and satisfaction scores entered on the account's page and through the API.

use super::{TestApp, block_on, codes, json, refused_codes};
use axum::http::StatusCode;

async fn an_executive_drills_down_from_teams_to_reps(app: &TestApp) {
    let (executive, _) = app.sign_in("exec@acme.test").await;
    let (manager, _) = app.sign_in("manager@acme.test").await;
    // People's ids in import order: R1, M1, E1, R2; E1 → M1 → R1, R2.
    let (m1, e1) = (2, 3);

    // The organisation: one team (E1's), no rep row, the organisation's total.
    let top = app.get("/dashboard?period=2026-Q1", &executive).await;
    assert_eq!(top.status, StatusCode::OK);
    assert!(top.body.contains(&format!(r#"data-team="{e1}""#)), "{}", top.body);
    assert!(!top.body.contains("data-rep="), "no flat table of reps: {}", top.body);
    assert!(top.body.contains(r#"id="breadcrumb""#));
    // E1's team: M1's team under it, and the way back to the organisation.
    let e1_page = app.get(&format!("/dashboard?period=2026-Q1&team={e1}"), &executive).await;
    assert_eq!(e1_page.status, StatusCode::OK);
    assert!(e1_page.body.contains(&format!(r#"data-team="{m1}""#)), "{}", e1_page.body);
    assert!(e1_page.body.contains(r#"href="/dashboard?period=2026-Q1""#), "back to the organisation");
    // M1's team: its reps directly, and the way back through E1.
    let m1_page = app.get(&format!("/dashboard?period=2026-Q1&team={m1}"), &executive).await;
    assert!(m1_page.body.contains(r#"data-rep="R1""#) && m1_page.body.contains(r#"data-rep="R2""#));
    assert!(!m1_page.body.contains(r#"id="teams""#), "no team under M1");
    assert!(m1_page.body.contains(&format!(r#"href="/dashboard?period=2026-Q1&amp;team={e1}""#)));

    // The manager's own dashboard keeps one row per rep, with the standards met.
    let own = app.get("/dashboard?period=2026-Q1", &manager).await;
    assert!(own.body.contains(r#"data-rep="R1""#) && !own.body.contains(r#"id="teams""#));
    assert!(own.body.contains(r#"data-kpi="standards""#));
    let sorted = app.get("/dashboard?period=2026-Q1&sort=standards&dir=desc", &manager).await;
    assert_eq!(sorted.status, StatusCode::OK);
    // Another team is refused as a missing page.
    let above = app.get(&format!("/dashboard?period=2026-Q1&team={e1}"), &manager).await;
    assert_eq!(above.status, StatusCode::NOT_FOUND);
}

async fn feedback_is_entered_on_the_account_page_and_through_the_api(app: &TestApp) {
    let (rep, csrf) = app.sign_in("r1@acme.test").await;
    // A1 is R1's account (id 1), A2 R2's (id 2).
    let map = app.get("/accounts/1/map", &rep).await;
    assert!(map.body.contains(r#"action="/accounts/1/feedback""#), "the form: {}", map.body);
    let entered = app
        .post("/accounts/1/feedback", &rep, &format!("_csrf={csrf}&score=9&received_on=2026-03-02&comment=Great"))
        .await;
    assert_eq!((entered.status, entered.location.as_deref()), (StatusCode::SEE_OTHER, Some("/accounts/1/map")));
    let refused =
        app.post("/accounts/1/feedback", &rep, &format!("_csrf={csrf}&score=11&received_on=2999-01-01")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Enter a day no later than today."), "{}", refused.body);
    let not_mine = app.post("/accounts/2/feedback", &rep, &format!("_csrf={csrf}&score=5")).await;
    assert_eq!(not_mine.status, StatusCode::NOT_FOUND);

    let session = (rep.clone(), csrf.clone());
    let api = app
        .send_json("POST", "/api/v1/accounts/1/feedback", &session, r#"{"score": 4, "received_on": "2026-03-03"}"#)
        .await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    assert_eq!(json(&api)["score"], 4);
    let bad = app
        .send_json("POST", "/api/v1/accounts/1/feedback", &session, r#"{"score": -1, "received_on": "2999-01-01"}"#)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_codes(&bad), codes(&[("score", "number_out_of_range"), ("received_on", "date_in_future")]));
    // The March scores of Acme, 9 and 4 (mean 6.5 < 8), name it in R1's standards at the next read.
    let report = json(&app.get("/api/v1/scorecards?period=2026-03", &rep).await);
    let satisfaction = report["reps"][0]["standards"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["standard"] == "customer_satisfaction"))
        .cloned()
        .unwrap_or_else(|| panic!("judged: {report}"));
    assert_eq!(satisfaction["passed"], false);
    assert_eq!(satisfaction["accounts"], serde_json::json!(["Acme, Inc."]));
}

on_both_backends!(
    an_executive_drills_down_from_teams_to_reps,
    feedback_is_entered_on_the_account_page_and_through_the_api
);

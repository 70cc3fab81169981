//! Reporting on a subject: the one default of every role, and a subject out of reach refused
//! alike by the dashboard, the goals, the leaderboard and the API.

use super::{TestApp, block_on, json};
use axum::http::StatusCode;

async fn every_interface_reports_on_the_same_subjects(app: &TestApp) {
    let (rep, _) = app.sign_in("r1@acme.test").await;
    let (manager, _) = app.sign_in("manager@acme.test").await;
    let (executive, _) = app.sign_in("exec@acme.test").await;
    // People's ids in import order: R1, M1, E1, R2.
    let home = app.get("/", &rep).await;
    assert_eq!(home.location.as_deref(), Some("/reps/1"), "R1 is the first person imported");
    let (m1, e1) = (2, 3);

    // The one default: a rep's own figures, a manager's team, the executive's organisation.
    for (cookie, kind, id) in
        [(&rep, "rep", Some("R1")), (&manager, "team", Some("M1")), (&executive, "organisation", None)]
    {
        let report = json(&app.get("/api/v1/scorecards?period=2026-Q1", cookie).await);
        assert_eq!(report["subject"]["kind"], kind, "{report}");
        assert_eq!(report["subject"]["id"].as_str(), id, "{report}");
    }
    let dashboard = app.get("/dashboard?period=2026-Q1", &manager).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/dashboard?period=2026-Q1&team={m1}"), &manager).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/goals?team={m1}"), &manager).await.status, StatusCode::OK);

    // Out of reach — the manager's own manager, someone who does not exist, the organisation —
    // refused alike: as a missing record.
    for path in [
        format!("/dashboard?period=2026-Q1&team={e1}"),
        "/dashboard?period=2026-Q1&team=999999".to_string(),
        format!("/goals?team={e1}"),
        "/api/v1/scorecards?period=2026-Q1&subject=team:E1".to_string(),
        "/api/v1/scorecards?period=2026-Q1&subject=rep:R9".to_string(),
        "/api/v1/scorecards?period=2026-Q1&subject=organisation".to_string(),
    ] {
        assert_eq!(app.get(&path, &manager).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // The executive reaches them all.
    for path in [format!("/dashboard?period=2026-Q1&team={e1}"), format!("/goals?team={e1}")] {
        assert_eq!(app.get(&path, &executive).await.status, StatusCode::OK, "{path}");
    }
    let team = json(&app.get("/api/v1/scorecards?period=2026-Q1&subject=team:E1", &executive).await);
    assert_eq!(team["subject"]["kind"], "team", "{team}");
    // Paged: the organisation's two reps one at a time, the total always the whole organisation's.
    let whole = json(&app.get("/api/v1/scorecards?period=2026-Q1&subject=organisation", &executive).await);
    assert_eq!(
        (whole["page"].clone(), whole["page_size"].clone(), whole["reps_total"].clone()),
        (0.into(), 100.into(), 2.into())
    );
    let second =
        json(&app.get("/api/v1/scorecards?period=2026-Q1&subject=organisation&page=1&page_size=1", &executive).await);
    assert_eq!(second["reps"].as_array().map(|reps| reps.len()), Some(1), "{second}");
    assert_eq!(second["reps"][0], whole["reps"][1]);
    assert_eq!(second["total"], whole["total"]);
    let past =
        json(&app.get("/api/v1/scorecards?period=2026-Q1&subject=organisation&page=2&page_size=1", &executive).await);
    assert_eq!(past["reps"].as_array().map(|reps| reps.len()), Some(0), "{past}");
    let too_big = app.get("/api/v1/scorecards?period=2026-Q1&subject=organisation&page_size=1001", &executive).await;
    assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_big.body.contains("number_out_of_range") && too_big.body.contains("page_size"), "{}", too_big.body);
    // A rep ranks among their manager's team on the leaderboard, and reports on no one else.
    let board = app.get("/leaderboard?period=2026-Q1", &rep).await;
    assert_eq!(board.status, StatusCode::OK);
    assert_eq!(board.body.matches("<tr").count(), 3, "a header and R1 and R2: {}", board.body);
    let peer = app.get("/api/v1/scorecards?period=2026-Q1&subject=rep:R2", &rep).await;
    assert_eq!(peer.status, StatusCode::NOT_FOUND);
}

/// The breakdowns by gateway type, lead source and lost reason: the page and the API on the
/// caller's subject, a bad period refused by code, a subject out of reach as a missing record.
async fn breakdowns_on_the_page_and_the_api(app: &TestApp) {
    let (manager, _) = app.sign_in("manager@acme.test").await;
    let (rep, _) = app.sign_in("r1@acme.test").await;
    // The manager's team M1 in Q1: O2 lost for "price" (8,000.25); O1 a won demo from a company
    // lead (12,000).
    let team = json(&app.get("/api/v1/breakdowns?period=2026-Q1", &manager).await);
    assert_eq!(team["by_lost_reason"][0]["reason"], "price", "{team}");
    assert_eq!(team["by_lost_reason"][0]["amount_cents"], 800_025, "{team}");
    let demo = team["by_gateway_type"].as_array().and_then(|rows| rows.iter().find(|r| r["key"] == "demo")).cloned();
    assert_eq!(demo.as_ref().map(|d| d["revenue_cents"].clone()), Some(serde_json::json!(1_200_000)), "{team}");
    let page = app.get("/breakdowns?period=2026-Q1", &manager).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"by-lost-reason\"") && page.body.contains("price"), "{}", page.body);
    assert!(page.body.contains("Company-generated"), "the lead source in words: {}", page.body);
    // A malformed period is refused with its code.
    let bad = app.get("/api/v1/breakdowns?period=2026-Q9", &manager).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("period_malformed"), "{}", bad.body);
    // A rep breaks down their own opportunities only, and has no page for it.
    let own = json(&app.get("/api/v1/breakdowns?period=2026-Q1", &rep).await);
    assert_eq!(own["by_lost_reason"], serde_json::json!([]), "{own}");
    assert_eq!(app.get("/api/v1/breakdowns?period=2026-Q1&subject=rep:R2", &rep).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/breakdowns", &rep).await.status, StatusCode::NOT_FOUND);
}

/// A rep's scorecard opens on the current week, the dashboard on the current month; the 1:1 is
/// opened on the week unless another period is asked for.
async fn the_method_opens_on_the_week(app: &TestApp) {
    let (manager, _) = app.sign_in("manager@acme.test").await;
    let today = chrono::Utc::now().date_naive();
    let week = quotient_core::Period::week_of(today).to_string();
    let month = quotient_core::Period::containing(quotient_core::period::PeriodKind::Month, today).to_string();
    let scorecard = app.get("/reps/1", &manager).await;
    assert!(scorecard.body.contains(&format!("<strong>{week} (")), "{}", scorecard.body);
    let dashboard = app.get("/dashboard", &manager).await;
    assert!(dashboard.body.contains(&format!("<strong>{month} (")), "{}", dashboard.body);
    // The 1:1 form offers the week first; a month asked for is frozen as the month, a period that
    // is not a choice is refused by code and opens nothing.
    let (manager, csrf) = app.sign_in("manager@acme.test").await;
    let list = app.get("/reps/1/one-on-ones", &manager).await;
    assert!(list.body.contains("<option value=\"week\" selected>"), "{}", list.body);
    let opened = app.post("/reps/1/one-on-ones", &manager, &format!("_csrf={csrf}&period=month")).await;
    let session = app.get(opened.location.as_deref().unwrap_or("/"), &manager).await;
    assert!(session.body.contains(&month), "the month's 1:1: {}", session.body);
    let refused = app.post("/reps/1/one-on-ones", &manager, &format!("_csrf={csrf}&period=decade")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
}

on_both_backends!(
    every_interface_reports_on_the_same_subjects,
    breakdowns_on_the_page_and_the_api,
    the_method_opens_on_the_week
);

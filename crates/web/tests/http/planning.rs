//! The company plan's API operations — save, allocate, read the quotas, adjust one — and the page's
//! quota form, refusing with the codes of the operations, and adjusting all or nothing.

use super::{TestApp, block_on, codes, json, refused_codes};
use axum::http::StatusCode;

async fn the_plan_api_refuses_with_codes_and_writes_the_quotas(app: &TestApp) {
    let executive = app.sign_in("exec@acme.test").await;
    let manager = app.sign_in("manager@acme.test").await;
    // PUT /plans/{year}: every refusal at once, each with its code.
    let answer = app
        .send_json("PUT", "/api/v1/plans/1999", &executive, r#"{"revenue_cents": -5, "margin_cents": 10, "deals": -1}"#)
        .await;
    let expected = [
        ("fiscal_year", "number_out_of_range"),
        ("revenue_cents", "amount"),
        ("margin_cents", "margin_above_revenue"),
        ("deals", "count"),
    ];
    assert_eq!(refused_codes(&answer), codes(&expected));
    let body = r#"{"revenue_cents": 120000, "growth_pct": 2000, "split": "territories", "seasonality": [0,0,0,0,0,0,0,0,0,0,0,0]}"#;
    let answer = app.send_json("PUT", "/api/v1/plans/2027", &executive, body).await;
    let expected = [
        ("growth_pct", "growth_out_of_range"),
        ("seasonality", "seasonality"),
        ("territory_weights", "territory_weights"),
    ];
    assert_eq!(refused_codes(&answer), codes(&expected));
    let body = r#"{"revenue_cents": 120000, "split": "territories", "territory_weights": [[99999, 1]]}"#;
    let answer = app.send_json("PUT", "/api/v1/plans/2027", &executive, body).await;
    assert_eq!(refused_codes(&answer), codes(&[("territory_weights", "reference")]));
    let plan = r#"{"revenue_cents": 120000}"#;
    assert_eq!(app.send_json("PUT", "/api/v1/plans/2027", &manager, plan).await.status, StatusCode::NOT_FOUND);
    let saved = app.send_json("PUT", "/api/v1/plans/2027", &executive, plan).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(
        (json(&saved)["fiscal_year"].as_i64(), json(&saved)["revenue_cents"].as_i64()),
        (Some(2027), Some(120_000))
    );

    // GET /plans/{year}: the whole plan for the executive; a manager reads only their share.
    let read = app.get("/api/v1/plans/2027", &executive.0).await;
    assert_eq!(json(&read)["revenue_cents"], 120_000, "{}", read.body);
    assert_eq!(app.get("/api/v1/plans/2027", &manager.0).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/plans/2031", &executive.0).await.status, StatusCode::NOT_FOUND);

    // POST /plans/{year}/allocate: a preview writes nothing; `write` makes the quotas.
    let none = app.send_json("POST", "/api/v1/plans/2031/allocate", &executive, "").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "no plan for 2031");
    let preview = app.send_json("POST", "/api/v1/plans/2027/allocate", &executive, "").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(json(&preview)["written_rows"].is_null());
    let reps: Vec<i64> = json(&preview)["objectives"][0]["reps"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|rep| rep["rep_id"].as_i64())
        .collect();
    assert_eq!(reps.len(), 2, "{}", preview.body);
    let quotas = app.get("/api/v1/plans/2027/quotas", &executive.0).await;
    assert_eq!(json(&quotas)["total"], 0, "the preview wrote nothing: {}", quotas.body);
    // No rep has history before 2027 here: the whole plan is beyond it, and is written only with a
    // choice.
    assert_eq!(json(&preview)["objectives"][0]["risk"]["gap"].as_f64(), Some(120_000.0), "{}", preview.body);
    let unchosen = app.send_json("POST", "/api/v1/plans/2027/allocate?write=true", &executive, "").await;
    assert_eq!(refused_codes(&unchosen), codes(&[("beyond_history", "beyond_history_choice")]));
    let odd =
        app.send_json("POST", "/api/v1/plans/2027/allocate?write=true&beyond_history=maybe", &executive, "").await;
    assert_eq!(refused_codes(&odd), codes(&[("beyond_history", "choice")]));
    let path = "/api/v1/plans/2027/allocate?write=true&beyond_history=allocate";
    let written = app.send_json("POST", path, &executive, "").await;
    assert_eq!(json(&written)["written_rows"], 24, "{}", written.body);
    assert_eq!(
        app.send_json("POST", "/api/v1/plans/2027/allocate?write=true", &manager, "").await.status,
        StatusCode::NOT_FOUND
    );

    // GET /plans/{year}/quotas: the whole plan for the executive, the share for the manager.
    let quotas = app.get("/api/v1/plans/2027/quotas", &executive.0).await;
    let body = json(&quotas);
    assert_eq!(
        (body["total"].as_i64(), body["plan"].as_i64(), body["difference"].as_i64()),
        (Some(120_000), Some(120_000), Some(0))
    );
    let share = json(&app.get("/api/v1/plans/2027/quotas", &manager.0).await);
    assert_eq!((share["total"].as_i64(), share["plan"].is_null()), (Some(120_000), true));
    let unknown = app.get("/api/v1/plans/2027/quotas?metric=cold_calls", &executive.0).await;
    assert_eq!(refused_codes(&unknown), codes(&[("metric", "choice")]));

    // PUT /plans/{year}/quotas/{rep}: refused by code; a rep out of reach is not found.
    let path = format!("/api/v1/plans/2027/quotas/{}", reps[0]);
    let negative = app.send_json("PUT", &path, &executive, r#"{"yearly": -1}"#).await;
    assert_eq!(refused_codes(&negative), codes(&[("yearly", "amount")]));
    let deals = app.send_json("PUT", &path, &executive, r#"{"metric": "deals", "yearly": -1}"#).await;
    assert_eq!(refused_codes(&deals), codes(&[("yearly", "count")]));
    let metric = app.send_json("PUT", &path, &executive, r#"{"metric": "cold_calls", "yearly": 1}"#).await;
    assert_eq!(refused_codes(&metric), codes(&[("metric", "choice")]));
    let nobody = app.send_json("PUT", "/api/v1/plans/2027/quotas/999999", &executive, r#"{"yearly": 1}"#).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let adjusted = app.send_json("PUT", &path, &executive, r#"{"yearly": 70000}"#).await;
    assert_eq!(adjusted.status, StatusCode::OK, "{}", adjusted.body);
    assert_eq!(
        (json(&adjusted)["total"].as_i64(), json(&adjusted)["difference"].as_i64()),
        (Some(130_000), Some(10_000))
    );
    assert_eq!(app.send_json("PUT", &path, &manager, r#"{"yearly": 1}"#).await.status, StatusCode::NOT_FOUND);

    // The page's quota form saves every rep's quota or none.
    let (cookie, csrf) = &executive;
    let (r1, r2) = (reps[0], reps[1]);
    let form = format!("year=2027&q_{r1}=800&q_{r2}=-1&_csrf={csrf}");
    let refused = app.post("/plan/quotas", cookie, &form).await;
    assert_eq!(refused.location.as_deref(), Some("/plan?year=2027&error=amount"));
    let page = app.get("/plan?year=2027&error=amount", cookie).await;
    assert!(page.body.contains("data-code=\"amount\""), "the refusal is shown by its code");
    let form = format!("year=2027&q_{r1}=800&q_999999=5&_csrf={csrf}");
    assert_eq!(app.post("/plan/quotas", cookie, &form).await.status, StatusCode::NOT_FOUND);
    let unchanged = json(&app.get("/api/v1/plans/2027/quotas", cookie).await);
    assert_eq!(unchanged["total"], 130_000, "no rep changed");
    // R2 lowered from 600.00 to 400.00: a reason is required, and kept.
    let form = format!("year=2027&q_{r1}=800&q_{r2}=400&_csrf={csrf}");
    let unexplained = app.post("/plan/quotas", cookie, &form).await;
    assert_eq!(unexplained.location.as_deref(), Some("/plan?year=2027&error=reason_for_lowering"));
    let form = format!("year=2027&q_{r1}=800&q_{r2}=400&reason=Smaller+territory&_csrf={csrf}");
    let saved = app.post("/plan/quotas", cookie, &form).await;
    assert_eq!(saved.location.as_deref(), Some("/plan?year=2027&done=adjusted"));
    assert_eq!(json(&app.get("/api/v1/plans/2027/quotas", cookie).await)["total"], 120_000);
    let changes = json(&app.get("/api/v1/plans/2027/quota-changes", cookie).await);
    assert_eq!(
        (changes["changes"][0]["lowered"].as_bool(), changes["changes"][0]["reason"].as_str()),
        (Some(true), Some("Smaller territory")),
        "{changes}"
    );
    let page = app.get("/plan?year=2027", cookie).await;
    assert!(page.body.contains("Smaller territory") && page.body.contains("lowered"), "the plan's changes show it");
}

on_both_backends!(the_plan_api_refuses_with_codes_and_writes_the_quotas);

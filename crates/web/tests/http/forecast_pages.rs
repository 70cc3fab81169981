//! The forecast pages: a rep's call, deal categories and the data forecast; the manager's grid with
//! an adjustment; the executive's roll-up by team; the accuracy of a closed quarter's call.
//! The fixture's R1 won O1 (12,000.00) on 2026-03-31 and has O3 (4,500.00) open.

use super::{TestApp, block_on};
use axum::http::StatusCode;
use quotient_core::Period;
use quotient_core::period::PeriodKind;

async fn a_rep_calls_and_overrides_a_category(app: &TestApp) {
    let (rep, csrf) = app.sign_in("r1@acme.test").await;
    // The quarter of today, in which O3 is still open.
    let quarter = Period::containing(PeriodKind::Quarter, chrono::Utc::now().date_naive()).to_string();
    let page = app.get(&format!("/forecast?period={quarter}"), &rep).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for part in [r#"id="data-forecast""#, r#"id="your-call""#, r#"id="deals-by-category""#, r#"data-opportunity="3""#] {
        assert!(page.body.contains(part), "{part}: {}", page.body);
    }
    assert!(page.body.contains(r#"href="/forecast""#), "linked from the navigation");

    let called =
        app.post("/forecast/call", &rep, &format!("_csrf={csrf}&period={quarter}&commit=1000&best_case=2000")).await;
    assert_eq!(called.location.as_deref(), Some(format!("/forecast?period={quarter}&done=saved").as_str()));
    let page = app.get(&format!("/forecast?period={quarter}"), &rep).await;
    assert!(page.body.contains("Last submitted on"), "{}", page.body);

    // Best case below commit is refused, and said on the page.
    let refused =
        app.post("/forecast/call", &rep, &format!("_csrf={csrf}&period={quarter}&commit=3000&best_case=2000")).await;
    assert_eq!(
        refused.location.as_deref(),
        Some(format!("/forecast?period={quarter}&error=best_case_below_commit").as_str())
    );
    let unreadable =
        app.post("/forecast/call", &rep, &format!("_csrf={csrf}&period={quarter}&commit=lots&best_case=2000")).await;
    assert_eq!(unreadable.location.as_deref(), Some(format!("/forecast?period={quarter}&error=amount").as_str()));

    let overridden =
        app.post("/forecast/deals/3/category", &rep, &format!("_csrf={csrf}&period={quarter}&category=commit")).await;
    assert_eq!(overridden.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("/forecast?period={quarter}"), &rep).await;
    assert!(page.body.contains(r#"data-overridden="true""#), "{}", page.body);
    assert!(page.body.contains(r#"data-category="commit""#), "{}", page.body);
    // R2's deal is not R1's to categorise.
    let not_mine =
        app.post("/forecast/deals/2/category", &rep, &format!("_csrf={csrf}&period={quarter}&category=commit")).await;
    assert_eq!(not_mine.status, StatusCode::NOT_FOUND);
}

async fn a_manager_adjusts_a_call_in_the_grid(app: &TestApp) {
    let (manager, csrf) = app.sign_in("manager@acme.test").await;
    let page = app.get("/forecast?period=2026-Q2", &manager).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"id="forecast-grid""#) && page.body.contains(r#"data-person="R1""#), "{}", page.body);
    // People's ids in import order: R1, M1, E1, R2. M1's team by id, for a month.
    let team = app.get("/forecast?period=2026-03&team=2", &manager).await;
    assert_eq!(team.status, StatusCode::OK, "{}", team.body);
    let adjusted = app
        .post(
            "/forecast/adjust",
            &manager,
            &format!("_csrf={csrf}&period=2026-Q2&rep=1&commit=500&best_case=900&note=Slipped"),
        )
        .await;
    assert_eq!(adjusted.location.as_deref(), Some("/forecast?period=2026-Q2&done=saved"));
    let page = app.get("/forecast?period=2026-Q2", &manager).await;
    assert!(page.body.contains(r#"data-adjusted="true""#) && page.body.contains("Slipped"), "{}", page.body);
    // Without a note, refused.
    let bare = app
        .post("/forecast/adjust", &manager, &format!("_csrf={csrf}&period=2026-Q2&rep=1&commit=500&best_case=900"))
        .await;
    assert_eq!(bare.location.as_deref(), Some("/forecast?period=2026-Q2&error=required"));

    let (executive, _) = app.sign_in("exec@acme.test").await;
    let top = app.get("/forecast?period=2026-Q2", &executive).await;
    assert!(top.body.contains(r#"id="forecast-by-team""#) && top.body.contains(r#"data-team="M1""#), "{}", top.body);
    let german = app.get("/forecast?period=2026-Q2&lang=de", &executive).await;
    assert_eq!(german.status, StatusCode::OK);
}

async fn a_closed_quarters_call_is_judged_against_what_was_won(app: &TestApp) {
    let (rep, csrf) = app.sign_in("r1@acme.test").await;
    // Called today for the first quarter, which won 12,000: 10,000 is 16.7 % low. The data
    // forecast of its last day is what was won: no error.
    app.post("/forecast/call", &rep, &format!("_csrf={csrf}&period=2026-Q1&commit=10000&best_case=12000")).await;
    let page = app.get("/forecast?period=2026-Q2", &rep).await;
    let row = page.body.split(r#"data-submitter="R1""#).nth(1).unwrap_or_else(|| panic!("{}", page.body));
    let row = row.split("</tr>").next().unwrap_or_default();
    assert!(row.contains("16.7"), "{row}");
    assert!(row.contains("0.0"), "{row}");
    assert!(page.body.contains(r#"id="call-chart""#) && page.body.contains("<svg"), "{}", page.body);
}

on_both_backends!(
    a_rep_calls_and_overrides_a_category,
    a_manager_adjusts_a_call_in_the_grid,
    a_closed_quarters_call_is_judged_against_what_was_won,
);

//! Incentives on the pages and the API: an executive saves a plan, the rep sees March's earnings
//! line by line and disputes a line, the manager approves and rejects the dispute, the executive
//! locks and exports the payroll, a contest shows on the leaderboard, and the plan editor lists a
//! draft's problems by path.

use super::{TestApp, block_on, json};
use axum::http::StatusCode;

/// R1 (fixture: O1 won 12,000.00 on 2026-03-31 against a March revenue quota of 10,000.00) on a
/// monthly commission of 5%, 8% from 100% attainment; a revenue race over March for a day off.
const PLANS: &str = r#"{ "fiscal_year": 2026,
  "plans": [ { "name": "AE 2026", "assignments": [ { "rep_id": "R1", "from": "2026-01-01" } ],
    "components": [ { "key": "bookings", "metric": "revenue", "credit": "own", "period": "month",
      "kind": "commission", "tier_mode": "retroactive",
      "tiers": [ { "from": "0", "rate": "0.05" }, { "from": "1", "rate": "0.08" } ] } ] } ],
  "contests": [ { "name": "March race", "start": "2026-03-01", "end": "2026-03-31", "participants": "organisation",
    "measure": { "kpi": "revenue" }, "award": { "prizes": [ "A day off" ] } } ] }"#;

/// March's payable: attainment 12,000 ÷ 10,000 = 1.2 reaches the 8% tier on all of it, 960.00.
const MARCH_CENTS: i64 = 96_000;

async fn a_statement_goes_from_plan_to_payroll(app: &TestApp) {
    let executive = app.sign_in("exec@acme.test").await;
    let manager = app.sign_in("manager@acme.test").await;
    let rep = app.sign_in("r1@acme.test").await;
    let saved = app.send_json("PUT", "/api/v1/incentives/2026", &executive, PLANS).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(json(&saved)["assignments"], 1);

    let answer = app.get("/api/v1/statements?period=2026-03", &manager.0).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let statements = json(&answer)["statements"].as_array().cloned().unwrap_or_default();
    assert_eq!(statements.len(), 1, "{statements:?}");
    let march = &statements[0];
    assert_eq!((march["rep_external_id"].as_str(), march["payable_cents"].as_i64()), (Some("R1"), Some(MARCH_CENTS)));
    assert_eq!(march["state"], "provisional");
    assert_eq!(march["awards"][0]["prizes"][0], "A day off");
    let r1 = march["rep_id"].as_i64().expect("R1's id");
    let o1 = march["components"][0]["lines"][0]["opportunity_id"].as_i64().expect("O1's line");

    // The rep's earnings page: the line links to its deal, the quota to the scorecard, a dispute form.
    let page = app.get("/earnings?period=2026-03", &rep.0).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("href=\"/records/opportunities/{o1}\"")), "the deal is linked");
    assert!(page.body.contains(&format!("href=\"/reps/{r1}?period=2026-03\"")), "the quota is linked");
    assert!(page.body.contains("$960"), "March's payable");
    assert!(page.body.contains(&format!("action=\"/statements/{r1}/2026-03/disputes\"")));
    let form = format!("line=O1&comment=The+margin+is+missing&_csrf={}", rep.1);
    let disputed = app.post(&format!("/statements/{r1}/2026-03/disputes"), &rep.0, &form).await;
    assert_eq!(disputed.location.as_deref(), Some("/earnings?period=2026-03&done=disputed"), "{}", disputed.body);
    let form = format!("line=O9&comment=Which+deal&_csrf={}", rep.1);
    let unknown = app.post(&format!("/statements/{r1}/2026-03/disputes"), &rep.0, &form).await;
    assert_eq!(unknown.location.as_deref(), Some("/earnings?period=2026-03&error=dispute_line_unknown"));

    // The manager approves and rejects the dispute; a manager does not lock.
    let page = app.get("/statements?period=2026-03", &manager.0).await;
    assert!(page.body.contains("The margin is missing"), "the dispute is listed");
    assert!(page.body.contains(&format!("action=\"/statements/{r1}/2026-03/approve\"")));
    let approved =
        app.post(&format!("/statements/{r1}/2026-03/approve"), &manager.0, &format!("_csrf={}", manager.1)).await;
    assert_eq!(approved.location.as_deref(), Some("/statements?period=2026-03&done=approved"));
    let locked = app.post(&format!("/statements/{r1}/2026-03/lock"), &manager.0, &format!("_csrf={}", manager.1)).await;
    assert_eq!(locked.status, StatusCode::NOT_FOUND);
    let disputes = json(&app.get("/api/v1/disputes?period=2026-03", &manager.0).await);
    let dispute = disputes["disputes"][0]["id"].as_i64().expect("the dispute");
    let form = format!("decision=reject&note=Margin+is+not+paid&_csrf={}", manager.1);
    let resolved = app.post(&format!("/disputes/{dispute}/resolve?period=2026-03"), &manager.0, &form).await;
    assert_eq!(resolved.location.as_deref(), Some("/statements?period=2026-03&done=resolved"));
    let again = app.post(&format!("/disputes/{dispute}/resolve?period=2026-03"), &manager.0, &form).await;
    assert_eq!(again.location.as_deref(), Some("/statements?period=2026-03&error=dispute_resolved"));

    // The executive locks it and downloads the payroll export.
    let locked =
        app.post(&format!("/statements/{r1}/2026-03/lock"), &executive.0, &format!("_csrf={}", executive.1)).await;
    assert_eq!(locked.location.as_deref(), Some("/statements?period=2026-03&done=locked"));
    let export = app.get("/statements/export.csv?period=2026-03", &executive.0).await;
    assert_eq!(export.body, "rep_id,name,period,payable\nR1,Ana Ruiz,2026-03,960.00\n");
    assert_eq!(app.get("/statements/export.csv?period=2026-03", &manager.0).await.status, StatusCode::NOT_FOUND);
    let page = app.get("/statements?period=2026-03", &executive.0).await;
    assert!(page.body.contains("state-locked"), "the statement shows locked");
    // Cost of sales: 960.00 payable ÷ 12,000.00 won = 8%.
    assert!(page.body.contains("<strong>8%</strong>"), "cost of sales");

    // The contest is on the leaderboard with its prize.
    let leaderboard = app.get("/leaderboard?period=2026-Q1", &rep.0).await;
    assert!(leaderboard.body.contains("March race") && leaderboard.body.contains("A day off"));
    // Through the API too, a rep sees where the others stand but not who they are.
    let row = |answer: &super::Answer| json(answer)["contests"][0]["rows"][0].clone();
    let own = row(&app.get("/api/v1/contests?year=2026", &rep.0).await);
    assert_eq!((own["name"].as_str(), own["rep_external_id"].as_str()), (Some("Ana Ruiz"), Some("R1")), "{own}");
    let r2 = app.sign_in("r2@acme.test").await;
    let other = row(&app.get("/api/v1/contests?year=2026", &r2.0).await);
    assert_eq!((other["name"].as_str(), other["rep_external_id"].as_str()), (Some(""), Some("")), "{other}");
    assert_eq!(other["place"], 1, "{other}");
}

async fn the_plan_editor_lists_a_drafts_problems_and_previews_it(app: &TestApp) {
    let executive = app.sign_in("exec@acme.test").await;
    let manager = app.sign_in("manager@acme.test").await;
    let draft = PLANS.replace("2026", "2027").replace("\"0.08\"", "\"-1\"");
    let form = format!("year=2027&file={}&_csrf={}", urlencode(&draft), executive.1);
    let refused = app.post("/incentives", &executive.0, &form).await;
    assert!(
        refused.body.contains("plans[0].components[0].tiers[1].rate"),
        "the problem names its path: {}",
        refused.body
    );
    assert_eq!(app.get("/api/v1/incentives/2027", &executive.0).await.status, StatusCode::NOT_FOUND, "nothing saved");
    // The preview replays 2027's plan over 2026: R1's March pays 960.00 of 12,000.00 won.
    let good = PLANS.replace("2026", "2027");
    let form = format!("year=2027&file={}&_csrf={}", urlencode(&good), manager.1);
    let preview = app.post("/incentives/preview", &manager.0, &form).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("id=\"preview-cost\">8%"), "{}", preview.body);
    assert!(preview.body.contains("<td class=\"num\">$960</td>"), "{}", preview.body);
    let form = format!("year=2027&file={}&_csrf={}", urlencode(&good), manager.1);
    assert_eq!(app.post("/incentives", &manager.0, &form).await.status, StatusCode::NOT_FOUND, "managers only read");
    let form = format!("year=2027&file={}&_csrf={}", urlencode(&good), executive.1);
    let saved = app.post("/incentives", &executive.0, &form).await;
    assert_eq!(saved.location.as_deref(), Some("/incentives?year=2027&done=saved"));
    let page = app.get("/incentives?year=2027", &manager.0).await;
    assert!(page.body.contains("AE 2027") && page.body.contains("bookings"), "the plan as tables");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_backends!(a_statement_goes_from_plan_to_payroll, the_plan_editor_lists_a_drafts_problems_and_previews_it);

//! The coaching API — 1:1s, territory plans and the account map's relationships — as each role:
//! the statuses, the refusals' codes, and the roles that may not (answered as not found).

use super::{Answer, TestApp, block_on, codes, json, refused_codes};
use axum::http::StatusCode;
use serde_json::Value;

type Session = (String, String);

impl TestApp {
    /// Sends a JSON body; asserts the status.
    async fn expect(&self, session: &Session, method: &str, path: &str, body: &str, status: StatusCode) -> Answer {
        let answer = self.send_json(method, path, session, body).await;
        assert_eq!(answer.status, status, "{method} {path} {body}: {}", answer.body);
        answer
    }

    /// The rep row of a signed-in rep: their own plan's line of the overview.
    async fn own_rep(&self, session: &Session) -> i64 {
        let overview = json(&self.api_get(session, "/api/v1/territory-plans?year=2026").await);
        overview["plans"][0]["rep_id"].as_i64().unwrap_or_else(|| panic!("a rep: {overview}"))
    }

    async fn api_get(&self, session: &Session, path: &str) -> Answer {
        self.expect(session, "GET", path, "", StatusCode::OK).await
    }
}

fn id(answer: &Answer) -> i64 {
    json(answer)["id"].as_i64().unwrap_or_else(|| panic!("an id: {}", answer.body))
}

async fn one_on_ones_are_held_by_the_manager_and_refused_by_code(app: &TestApp) {
    let manager = app.sign_in("manager@acme.test").await;
    let admin = app.sign_in("admin@acme.test").await;
    let rep = app.sign_in("r1@acme.test").await;
    let r1 = app.own_rep(&rep).await;
    let open = format!("/api/v1/reps/{r1}/one-on-ones");
    for may_not in [&rep, &admin] {
        app.expect(may_not, "POST", &open, "", StatusCode::NOT_FOUND).await;
    }
    let session = id(&app.expect(&manager, "POST", &open, "", StatusCode::OK).await);

    let notes = format!("/api/v1/one-on-ones/{session}");
    let long = serde_json::json!({ "notes": "n".repeat(50_001) }).to_string();
    let refused = app.expect(&manager, "PATCH", &notes, &long, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&refused), codes(&[("notes", "too_long")]));
    app.expect(&rep, "PATCH", &notes, r#"{"notes": "Mine"}"#, StatusCode::NOT_FOUND).await;
    app.expect(&manager, "PATCH", &notes, r#"{"notes": "Agreed"}"#, StatusCode::OK).await;

    let actions = format!("/api/v1/one-on-ones/{session}/actions");
    let bad = r#"{"description": "Call", "owner": "boss", "due_on": "tomorrow"}"#;
    let refused = app.expect(&manager, "POST", &actions, bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&refused), codes(&[("owner", "choice"), ("due_on", "date")]));
    let blank = r#"{"description": "  ", "owner": "rep"}"#;
    let refused = app.expect(&manager, "POST", &actions, blank, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&refused), codes(&[("description", "required")]));
    let call = r#"{"description": "Call the CFO", "owner": "rep", "due_on": "2026-03-15"}"#;
    app.expect(&rep, "POST", &actions, call, StatusCode::NOT_FOUND).await;
    let reps_action = id(&app.expect(&manager, "POST", &actions, call, StatusCode::OK).await);
    let book = r#"{"description": "Book a ride-along", "owner": "manager"}"#;
    let managers_action = id(&app.expect(&manager, "POST", &actions, book, StatusCode::OK).await);

    // The rep ticks off the action the rep owns; not the manager's; an admin ticks none.
    let tick = |action: i64| format!("/api/v1/one-on-one-actions/{action}");
    let done = r#"{"done": true}"#;
    app.expect(&admin, "PATCH", &tick(reps_action), done, StatusCode::NOT_FOUND).await;
    app.expect(&rep, "PATCH", &tick(managers_action), done, StatusCode::NOT_FOUND).await;
    app.expect(&rep, "PATCH", &tick(reps_action), done, StatusCode::OK).await;
    app.expect(&manager, "PATCH", &tick(managers_action), done, StatusCode::OK).await;
    app.expect(&manager, "PATCH", &tick(managers_action), r#"{"done": false}"#, StatusCode::OK).await;
    let held = json(&app.api_get(&rep, &notes).await);
    assert_eq!(held["notes"], "Agreed");
    let done_at: Vec<(Option<i64>, bool)> =
        held["actions"].as_array().into_iter().flatten().map(|a| (a["id"].as_i64(), !a["done_at"].is_null())).collect();
    assert_eq!(done_at, [(Some(reps_action), true), (Some(managers_action), false)]);

    // The page shows the same refusals, in the reader's words, next to the forms.
    let (cookie, csrf) = &manager;
    let page = app
        .post(&format!("/one-on-ones/{session}/actions"), cookie, &format!("description=Call&owner=boss&_csrf={csrf}"))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("Pick one of the offered values."), "{}", page.body);
    let page = app.post(&format!("/one-on-ones/{session}/notes"), cookie, &format!("notes=Fine&_csrf={csrf}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

fn plan(account: i64, cents: i64, status: &str) -> String {
    let key = serde_json::json!({ "account_id": account, "target_cents": cents, "status": status });
    serde_json::json!({ "objectives": "Grow", "key_accounts": [key] }).to_string()
}

async fn territory_plans_are_written_by_the_rep_and_decided_above(app: &TestApp) {
    let manager = app.sign_in("manager@acme.test").await;
    let executive = app.sign_in("exec@acme.test").await;
    let rep = app.sign_in("r1@acme.test").await;
    let other_rep = app.sign_in("r2@acme.test").await;
    let r1 = app.own_rep(&rep).await;
    let accounts = json(&app.api_get(&rep, "/api/v1/accounts").await);
    let a1 = accounts["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("an account: {accounts}"));
    let others = json(&app.api_get(&other_rep, "/api/v1/accounts").await);
    let a2 = others["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("an account: {others}"));
    let path = format!("/api/v1/territory-plans/{r1}/2026");
    let step = |step: &str| format!("{path}/{step}");

    let bad = plan(a2, -5, "dormant");
    let refused = app.expect(&rep, "PUT", &path, &bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let expected = [("key_accounts", "amount"), ("key_accounts", "choice"), ("key_accounts", "key_account_not_owned")];
    assert_eq!(refused_codes(&refused), codes(&expected));
    let good = plan(a1, 2_000_000, "in_progress");
    for may_not in [&manager, &executive, &other_rep] {
        app.expect(may_not, "PUT", &path, &good, StatusCode::NOT_FOUND).await;
    }
    let saved = json(&app.expect(&rep, "PUT", &path, &good, StatusCode::OK).await);
    assert_eq!(saved["status"], "draft");

    let early = app.expect(&manager, "POST", &step("approve"), "{}", StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&early), codes(&[("step", "plan_step_out_of_order")]));
    let submitted = json(&app.expect(&rep, "POST", &step("submit"), "{}", StatusCode::OK).await);
    assert_eq!(submitted["status"], "submitted");
    let late = app.expect(&rep, "PUT", &path, &good, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&late), codes(&[("status", "plan_not_draft")]));
    let own = app.expect(&rep, "POST", &step("approve"), "{}", StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&own), codes(&[("step", "plan_step_not_yours")]));
    app.expect(&other_rep, "POST", &step("approve"), "{}", StatusCode::NOT_FOUND).await;
    app.expect(&manager, "POST", &step("nonsense"), "{}", StatusCode::NOT_FOUND).await;
    let silent =
        app.expect(&manager, "POST", &step("return"), r#"{"comment": " "}"#, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&silent), codes(&[("comment", "return_needs_comment")]));
    // A German-speaking manager reads why in German.
    let (cookie, csrf) = &manager;
    let language = app.post("/me/language", cookie, &format!("lang=de&_csrf={csrf}")).await;
    assert_eq!(language.status, StatusCode::SEE_OTHER);
    let german = app.expect(&manager, "POST", &step("return"), "{}", StatusCode::UNPROCESSABLE_ENTITY).await;
    let message = json(&german)["error"]["fields"][0]["message"].as_str().map(str::to_string);
    let expected = "Sagen Sie, was zu ändern ist: Wer einen Plan zurückgibt, schreibt einen Kommentar dazu.";
    assert_eq!(message.as_deref(), Some(expected));
    let returned = app.expect(&manager, "POST", &step("return"), r#"{"comment": "Add A2"}"#, StatusCode::OK).await;
    assert_eq!(json(&returned)["status"], "draft");
    app.expect(&rep, "POST", &step("submit"), "{}", StatusCode::OK).await;
    let approved = json(&app.expect(&executive, "POST", &step("approve"), "{}", StatusCode::OK).await);
    assert_eq!(approved["status"], "approved", "someone above the manager decides too");

    // The page names the refusal by its code, in the reader's words.
    let (cookie, csrf) = &rep;
    let page =
        app.post(&format!("/territory-plans/{r1}?year=2026"), cookie, &format!("objectives=More&_csrf={csrf}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let back = page.location.unwrap_or_default();
    assert!(back.ends_with("&error=plan_not_draft"), "{back}");
    let shown = app.get(&back, cookie).await;
    assert!(shown.body.contains("Only a draft can be changed"), "{}", shown.body);
}

async fn relationships_are_set_within_reach_and_refused_by_code(app: &TestApp) {
    let rep = app.sign_in("r1@acme.test").await;
    let other_rep = app.sign_in("r2@acme.test").await;
    let executive = app.sign_in("exec@acme.test").await;
    let accounts = json(&app.api_get(&rep, "/api/v1/accounts").await);
    let a1 = accounts["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("an account: {accounts}"));
    let map = json(&app.api_get(&rep, &format!("/api/v1/accounts/{a1}/map")).await);
    let c1 = map["contacts"][0]["id"].as_i64().unwrap_or_else(|| panic!("a contact: {map}"));
    let path = format!("/api/v1/contacts/{c1}/relationship");

    let refused = app
        .expect(&rep, "PUT", &path, r#"{"relationship": 6, "influence": 0}"#, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(
        refused_codes(&refused),
        codes(&[("relationship", "number_out_of_range"), ("influence", "number_out_of_range")])
    );
    let body = r#"{"relationship": 4, "influence": 5}"#;
    for may_not in [&other_rep, &executive] {
        app.expect(may_not, "PUT", &path, body, StatusCode::NOT_FOUND).await;
    }
    app.expect(&rep, "PUT", &path, body, StatusCode::OK).await;
    let map = json(&app.api_get(&rep, &format!("/api/v1/accounts/{a1}/map")).await);
    let contact: Vec<&Value> = map["contacts"].as_array().into_iter().flatten().filter(|c| c["id"] == c1).collect();
    assert_eq!((&contact[0]["relationship"], &contact[0]["influence"]), (&Value::from(4), &Value::from(5)));
}

async fn decision_processes_and_measured_objectives_within_reach(app: &TestApp) {
    let rep = app.sign_in("r1@acme.test").await;
    let other_rep = app.sign_in("r2@acme.test").await;
    let executive = app.sign_in("exec@acme.test").await;
    let manager = app.sign_in("manager@acme.test").await;
    let accounts = json(&app.api_get(&rep, "/api/v1/accounts").await);
    let a1 = accounts["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("an account: {accounts}"));
    let path = format!("/api/v1/accounts/{a1}/decision-process");

    let bad = serde_json::json!({ "steps": [{ "name": " " }], "criteria": ["c".repeat(501)] }).to_string();
    let refused = app.expect(&rep, "PUT", &path, &bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused_codes(&refused), codes(&[("steps", "required"), ("criteria", "too_long")]));
    let body = r#"{"steps": [{"name": "Shortlist", "decider": "IT board", "due_on": "2026-02-01", "done": true},
                            {"name": "Contract"}], "criteria": ["Price", " "], "expected_decision_on": "2026-03-31"}"#;
    for may_not in [&other_rep, &executive] {
        app.expect(may_not, "PUT", &path, body, StatusCode::NOT_FOUND).await;
    }
    let map = json(&app.expect(&rep, "PUT", &path, body, StatusCode::OK).await);
    assert_eq!(map["decision_process"]["steps"][0]["decider"], "IT board");
    assert_eq!(map["decision_process"]["criteria"], serde_json::json!(["Price"]));
    let score = map["coverage_score"].as_f64().unwrap_or(-1.0);
    assert!((0.0..=1.0).contains(&score), "{map}");
    app.expect(&manager, "PUT", &path, body, StatusCode::OK).await;

    // The page: a date that is not one is refused by the same code, next to the form.
    let (cookie, csrf) = &rep;
    let form = |extra: &str| format!("step_0=Shortlist&decider_0=Board&due_0={extra}&criteria=Price&_csrf={csrf}");
    let page = app.post(&format!("/accounts/{a1}/decision-process"), cookie, &form("soon")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"data-field="steps""#), "{}", page.body);
    let saved = app.post(&format!("/accounts/{a1}/decision-process"), cookie, &form("2026-02-01")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let shown = app.get(&format!("/accounts/{a1}/map"), cookie).await;
    assert!(shown.body.contains("id=\"decision-steps\"") && shown.body.contains("Board"), "{}", shown.body);
    assert!(shown.body.contains("id=\"coverage-score\""), "{}", shown.body);

    // Measured objectives: the refusals by code, then the progress read back.
    let r1 = app.own_rep(&rep).await;
    let plan_path = format!("/api/v1/territory-plans/{r1}/2026");
    let key = serde_json::json!({ "account_id": a1, "target_cents": 100, "status": "in_progress" });
    let with = |objectives: Value| {
        serde_json::json!({ "key_accounts": [key.clone()], "measured_objectives": objectives }).to_string()
    };
    let bad = with(serde_json::json!([{ "description": "x", "kpi": "revenue", "account_id": a1, "target": 1 },
                                      { "description": "y", "kpi": "mood", "target": 1 }]));
    let refused = app.expect(&rep, "PUT", &plan_path, &bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let expected = [("measured_objectives", "objective_link"), ("measured_objectives", "choice")];
    assert_eq!(refused_codes(&refused), codes(&expected));
    let good = with(serde_json::json!([{ "description": "Win deals", "kpi": "deals", "target": 4 },
                                       { "description": "Grow the account", "account_id": a1, "target": 100 }]));
    let saved = json(&app.expect(&rep, "PUT", &plan_path, &good, StatusCode::OK).await);
    let objectives = &saved["measured_objectives"];
    assert_eq!(objectives[0]["kpi"], "deals");
    assert_eq!(objectives[0]["progress"]["target"], 4);
    assert!(objectives[1]["progress"]["actual"].as_i64().is_some(), "{saved}");
    assert_eq!(saved["key_account_coverage"]["accounts"], 1);
    // The plan's page shows them, and the scorecard the key-account coverage.
    let page = app.get(&format!("/territory-plans/{r1}?year=2026"), cookie).await;
    assert!(page.body.contains("Win deals") && page.body.contains("Objectives measured"), "{}", page.body);
    let card = app.get(&format!("/reps/{r1}"), cookie).await;
    assert!(card.body.contains("Key-account coverage"), "{}", card.body);

    // The 1:1 shows the rep's territory plan of its year (this year's: the same objectives).
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let this_year = format!("/api/v1/territory-plans/{r1}/{year}");
    if year != 2026 {
        app.expect(&rep, "PUT", &this_year, &good, StatusCode::OK).await;
    }
    let session =
        id(&app.expect(&manager, "POST", &format!("/api/v1/reps/{r1}/one-on-ones"), "", StatusCode::OK).await);
    let page = app.get(&format!("/one-on-ones/{session}"), &manager.0).await;
    assert!(page.body.contains(&format!("Territory plan {year}")), "{}", page.body);
    assert!(page.body.contains("Win deals") && page.body.contains("id=\"one-on-one-key-accounts\""), "{}", page.body);
}

/// The document states the operations' limits and choices as the operations apply them.
async fn the_document_states_the_coaching_limits(app: &TestApp) {
    let (cookie, _) = app.sign_in("manager@acme.test").await;
    let document = json(&app.get("/api/v1/openapi.json", &cookie).await);
    let schema = |path: &str, method: &str| {
        document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["properties"].clone()
    };
    let notes = schema("/api/v1/one-on-ones/{id}", "patch");
    assert_eq!(notes["notes"]["maxLength"], 50_000);
    let action = schema("/api/v1/one-on-ones/{id}/actions", "post");
    assert_eq!(action["description"]["maxLength"], 2_000);
    assert_eq!(action["owner"]["enum"], serde_json::json!(["rep", "manager"]));
    let process = schema("/api/v1/accounts/{id}/decision-process", "put");
    assert_eq!(process["steps"]["maxItems"], 30);
    assert_eq!(process["criteria"]["items"]["maxLength"], 500);
}

on_both_backends!(
    the_document_states_the_coaching_limits,
    one_on_ones_are_held_by_the_manager_and_refused_by_code,
    territory_plans_are_written_by_the_rep_and_decided_above,
    relationships_are_set_within_reach_and_refused_by_code,
    decision_processes_and_measured_objectives_within_reach,
);

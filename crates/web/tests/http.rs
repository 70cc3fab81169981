//! HTTP-level tests of every route on the real router, over a SQLite file and over PostgreSQL:
//! status codes, scoping, CSRF, validation errors next to the field, API tokens and languages.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use quotient_core::model::UserRole;
use quotient_store::access::{self, NewUser};
use quotient_store::testing::TestSchema;
use quotient_store::{bundle, orgs};
use quotient_web::{AppState, Pool, password};
use std::path::PathBuf;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";

struct TestApp {
    router: Router,
    /// SQLite: the folder of the database file; PostgreSQL: the schema, dropped after the test.
    dir: Option<tempfile::TempDir>,
    schema: Option<TestSchema>,
}

/// Runs an async test body on a runtime of its own, so that the synchronous PostgreSQL client is
/// created and dropped outside it.
fn block_on(test: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime").block_on(test);
}

/// Runs each test on SQLite and on PostgreSQL (skipped with a message when no server answers,
/// except in CI).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { let app = super::TestApp::sqlite(); super::block_on(super::$name(&app)); } )*
        }
        mod postgres {
            $( #[test] fn $name() { if let Some(app) = super::TestApp::postgres() { super::block_on(super::$name(&app)); } } )*
        }
    };
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid")
}

impl TestApp {
    fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let mut app = TestApp::on(&url);
        app.dir = Some(dir);
        app
    }

    fn postgres() -> Option<TestApp> {
        let schema = TestSchema::create("web")?;
        let mut app = TestApp::on(&schema.url);
        app.schema = Some(schema);
        Some(app)
    }

    /// The fixture organisation `acme` (E1 → M1 → R1, R2) with a user per role, and an empty
    /// organisation `other` with an executive.
    fn on(url: &str) -> TestApp {
        TestApp::on_bundle(url, &fixture())
    }

    /// Like [`TestApp::on`], with `acme` imported from `bundle`.
    fn on_bundle(url: &str, bundle: &std::path::Path) -> TestApp {
        let url = url.to_string();
        let mut db = quotient_store::open(&url).expect("open");
        let acme = orgs::find_or_create(&mut db, "acme", "Acme").expect("org");
        bundle::import(&mut db, acme.id, bundle, &mut bundle::Silent).expect("fixture imports");
        let other = orgs::find_or_create(&mut db, "other", "Other").expect("org");
        let hash = password::hash(PASSWORD).expect("hash");
        let users = [
            (acme.id, "admin@acme.test", UserRole::Admin, None),
            (acme.id, "exec@acme.test", UserRole::Executive, Some("E1")),
            (acme.id, "manager@acme.test", UserRole::Manager, Some("M1")),
            (acme.id, "r1@acme.test", UserRole::Rep, Some("R1")),
            (acme.id, "r2@acme.test", UserRole::Rep, Some("R2")),
            (other.id, "exec@other.test", UserRole::Executive, None),
        ];
        for (org, email, role, rep) in users {
            let new = NewUser { email, name: email, role, rep, password_hash: &hash };
            access::add_user(&mut db, org, &new).expect("user");
        }
        let pool = Pool::open(&url, 4).expect("pool");
        TestApp { router: quotient_web::router(AppState::new(pool, false)), dir: None, schema: None }
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.expect("answered");
        let status = response.status();
        let text = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let location = text(header::LOCATION);
        let cookie = text(header::SET_COOKIE).and_then(|c| c.split(';').next().map(str::to_string));
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Answer { status, location, cookie, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn get(&self, path: &str, cookie: &str) -> Answer {
        self.send(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request")).await
    }

    async fn post(&self, path: &str, cookie: &str, form: &str) -> Answer {
        let request = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .expect("request");
        self.send(request).await
    }

    async fn api(&self, path: &str, token: &str) -> Answer {
        let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty());
        self.send(request.expect("request")).await
    }

    /// Signs in; returns the session cookie and its CSRF token.
    async fn sign_in(&self, email: &str) -> (String, String) {
        let answer = self.post("/sign-in", "", &format!("email={email}&password={}", PASSWORD.replace(' ', "+"))).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{email} signs in: {}", answer.body);
        let cookie = answer.cookie.expect("a session cookie");
        let me = self.get("/me", &cookie).await;
        (cookie, csrf_of(&me.body))
    }
}

fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    page[start..start + 64].to_string()
}

fn json(answer: &Answer) -> serde_json::Value {
    serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", answer.body))
}

async fn pages_need_a_session_and_the_api_answers_401_in_json(app: &TestApp) {
    let page = app.get("/dashboard", "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/sign-in"));
    let api = app.get("/api/v1/opportunities", "").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&api)["error"]["code"], "unauthenticated");
    assert_eq!(app.get("/sign-in", "").await.status, StatusCode::OK);
    assert_eq!(app.get("/assets/style.css", "").await.status, StatusCode::OK);
}

async fn failed_sign_ins_are_refused_then_throttled(app: &TestApp) {
    for _ in 0..5 {
        let answer = app.post("/sign-in", "", "email=r1@acme.test&password=wrong-password").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.cookie.is_none());
    }
    // Even the right password waits now.
    let answer = app.post("/sign-in", "", &format!("email=r1@acme.test&password={}", PASSWORD.replace(' ', "+"))).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn every_page_answers_for_a_manager(app: &TestApp) {
    let (cookie, _) = app.sign_in("manager@acme.test").await;
    for path in [
        "/dashboard",
        "/dashboard?period=2026-Q1",
        "/dashboard?period=2026-03&sort=closing_ratio&dir=desc",
        "/reps/1?period=2026-Q1",
        "/pipeline",
        "/pipeline?view=list",
        "/log",
        "/me",
        "/leaderboard?period=2026-Q1&kpi=closing_ratio",
        "/goals",
        "/goals?metric=cold_calls&growth=5",
        "/records/accounts",
        "/records/contacts?q=a",
        "/records/leads",
        "/records/opportunities?sort=amount&dir=desc",
        "/records/activities",
        "/records/estimates?deleted=true",
        "/records/opportunities/1",
        "/records/opportunities/1/edit",
        "/records/opportunities/new",
        "/records/contacts/new?account=1",
        "/records/accounts/new",
        "/records/leads/new",
        "/records/activities/new",
        "/records/estimates/new",
        "/records/leads/2/convert",
        "/records/opportunities/export.csv",
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/scorecards?period=2026-Q1",
        "/api/v1/accounts",
    ] {
        let answer = app.get(path, &cookie).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", &answer.body[..answer.body.len().min(400)]);
    }
    assert_eq!(app.get("/records/nothing", &cookie).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/dashboard?period=2026-Q9", &cookie).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn rep_cannot_open_another_reps_opportunity_nor_the_team_dashboard(app: &TestApp) {
    let (cookie, _) = app.sign_in("r1@acme.test").await;
    // O2 belongs to R2 (id 2 in import order: O1, O2, O3).
    assert_eq!(app.get("/records/opportunities/2", &cookie).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/opportunities/2", &cookie).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/records/opportunities/1", &cookie).await.status, StatusCode::OK);
    assert_eq!(app.get("/dashboard", &cookie).await.status, StatusCode::NOT_FOUND);
    let home = app.get("/", &cookie).await;
    assert!(home.location.as_deref().is_some_and(|l| l.starts_with("/reps/")), "{:?}", home.location);
    let list = json(&app.get("/api/v1/opportunities", &cookie).await);
    assert_eq!(list["total"], 2, "R1 owns O1 and O3: {list}");
    assert_eq!(app.get("/api/v1/scorecards?subject=rep:R2", &cookie).await.status, StatusCode::NOT_FOUND);
}

async fn manager_sees_exactly_the_subtree_and_no_organisation_sees_another(app: &TestApp) {
    let (manager, _) = app.sign_in("manager@acme.test").await;
    let list = json(&app.get("/api/v1/opportunities", &manager).await);
    assert_eq!(list["total"], 3, "{list}");
    let (other, _) = app.sign_in("exec@other.test").await;
    let list = json(&app.get("/api/v1/opportunities", &other).await);
    assert_eq!(list["total"], 0, "{list}");
    assert_eq!(app.get("/records/opportunities/1", &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/accounts/1", &other).await.status, StatusCode::NOT_FOUND);
}

async fn forms_without_the_csrf_token_are_refused(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("r1@acme.test").await;
    let form = "kind=cold_call&outcome=connected&occurred_at=2026-03-02T10:00";
    assert_eq!(app.post("/log", &cookie, form).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post("/log", &cookie, &format!("{form}&_csrf={}", "0".repeat(64))).await.status,
        StatusCode::FORBIDDEN
    );
    let logged = app.post("/log", &cookie, &format!("{form}&_csrf={csrf}")).await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
}

async fn logging_an_activity_counts_at_once_and_bad_fields_are_shown_next_to_them(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("r1@acme.test").await;
    let cold_calls = |report: &serde_json::Value| report["reps"][0]["activity"]["cold_calls"].as_i64().expect("count");
    let before = cold_calls(&json(&app.get("/api/v1/scorecards?period=2026-03", &cookie).await));
    let bad = app.post("/log", &cookie, &format!("kind=cold_call&occurred_at=yesterday&_csrf={csrf}")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"error-occurred_at\""), "{}", bad.body);
    let good = app.post("/log", &cookie, &format!("kind=cold_call&occurred_at=2026-03-02T10:00&_csrf={csrf}")).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    let after = cold_calls(&json(&app.get("/api/v1/scorecards?period=2026-03", &cookie).await));
    assert_eq!(after, before + 1);
}

async fn moving_a_deal_into_the_gateway_asks_for_the_next_step(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("manager@acme.test").await;
    // O3 (id 3) is open, at the gateway already with a trial agreed: move it on to proposal.
    let moved =
        app.post("/opportunities/3/stage", &cookie, &format!("stage=proposal&gateway_type=&_csrf={csrf}")).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert!(moved.location.as_deref().is_some_and(|l| l.contains("moved=")), "{:?}", moved.location);
    let detail = json(&app.get("/api/v1/opportunities/3", &cookie).await);
    assert_eq!(detail["stage"], "proposal", "{detail}");
    assert!(detail["proposal_at"].is_string(), "the milestone is set: {detail}");
    let unknown = app.post("/opportunities/3/stage", &cookie, &format!("stage=nowhere&_csrf={csrf}")).await;
    assert!(unknown.location.as_deref().is_some_and(|l| l.contains("error=")), "{:?}", unknown.location);
    let (rep2, csrf2) = app.sign_in("r2@acme.test").await;
    let foreign = app.post("/opportunities/3/stage", &rep2, &format!("stage=won&_csrf={csrf2}")).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

async fn api_tokens_work_until_revoked(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("manager@acme.test").await;
    let created = app.post("/me/tokens", &cookie, &format!("name=script&_csrf={csrf}")).await;
    assert_eq!(created.status, StatusCode::OK);
    let start = created.body.find("id=\"new-token\">").expect("the token is shown once") + 15;
    let token = created.body[start..start + 64].to_string();
    let me = app.api("/api/v1/me", &token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(json(&me)["role"], "manager");
    assert_eq!(app.post("/me/tokens/1/revoke", &cookie, &format!("_csrf={csrf}")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.api("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
}

async fn the_language_follows_the_setting_else_the_browser(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("manager@acme.test").await;
    let german = app
        .send(
            Request::get("/dashboard?period=2026-Q1")
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(german.body.contains("Abschlussquote"), "German labels");
    assert!(german.body.contains("lang=\"de\""));
    assert_eq!(app.post("/me/language", &cookie, &format!("lang=es&_csrf={csrf}")).await.status, StatusCode::SEE_OTHER);
    let spanish = app.get("/dashboard?period=2026-Q1", &cookie).await;
    assert!(spanish.body.contains("Ratio de cierre"), "Spanish labels");
}

async fn csv_export_has_the_current_view(app: &TestApp) {
    let (cookie, _) = app.sign_in("r1@acme.test").await;
    let csv = app.get("/records/opportunities/export.csv?sort=amount&dir=desc", &cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "a header and R1's two opportunities: {}", csv.body);
    assert!(lines[1].starts_with("O1,"), "the largest first: {}", lines[1]);
}

/// Text a user typed that a spreadsheet would run is exported with a `'` in front; the amounts the
/// app writes are left as they are.
async fn csv_export_neutralises_typed_formulas(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("r1@acme.test").await;
    // =HYPERLINK("http://evil.example","x"), form-encoded.
    let name = "%3DHYPERLINK(%22http%3A%2F%2Fevil.example%22%2C%22x%22)";
    let form = format!("_csrf={csrf}&name={name}&account=1&amount=1250.50&created_at=2026-03-02T10%3A00");
    let answer = app.post("/records/opportunities/new", &cookie, &form).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let answer = app.post("/records/opportunities/new", &cookie, &form.replace(name, "-5%20units")).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let csv = app.get("/records/opportunities/export.csv?sort=amount&dir=desc", &cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let header = reader.headers().expect("a header").clone();
    let column = |key: &str| header.iter().position(|h| h == key).unwrap_or_else(|| panic!("{key} in {header:?}"));
    let (name, amount) = (column("name"), column("amount"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    let cells: Vec<(&str, &str)> = rows.iter().map(|row| (&row[name], &row[amount])).collect();
    assert!(cells.contains(&("'=HYPERLINK(\"http://evil.example\",\"x\")", "1250.50")), "{}", csv.body);
    assert!(cells.contains(&("'-5 units", "1250.50")), "{}", csv.body);
    assert!(rows.iter().flatten().all(|cell| !cell.starts_with(['=', '+', '-', '@', '\t', '\r'])), "{}", csv.body);
}

async fn a_rep_creates_and_edits_a_deal_and_refused_fields_are_shown_next_to_them(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("r1@acme.test").await;
    let bad = format!("_csrf={csrf}&name=Renewal&account=1&amount=12%2C5&created_at=2026-03-02T10%3A00");
    let answer = app.post("/records/opportunities/new", &cookie, &bad).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("id=\"error-amount\""), "the refusal sits under the amount");
    assert!(answer.body.contains("value=\"Renewal\""), "what was typed is kept");
    let good = bad.replace("12%2C5", "1250.50");
    let answer = app.post("/records/opportunities/new", &cookie, &good).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let location = answer.location.expect("to the new deal");
    let page = app.get(&location, &cookie).await;
    assert!(page.body.contains("Renewal") && page.body.contains("1,250.50"), "{}", page.body);
    let edit = format!("{location}/edit");
    let form = app.get(&edit, &cookie).await;
    assert!(form.body.contains("value=\"1250.50\""));
    let answer = app.post(&edit, &cookie, &good.replace("1250.50", "990")).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(app.get(&location, &cookie).await.body.contains("990.00"));
    // O2 is R2's: neither its form nor a post to it reveals it.
    assert_eq!(app.get("/records/opportunities/2/edit", &cookie).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post("/records/opportunities/2/edit", &cookie, &good).await.status, StatusCode::NOT_FOUND);
    // A2 is R2's account: as a reference it is refused like a missing one.
    let answer = app.post("/records/opportunities/new", &cookie, &good.replace("account=1", "account=2")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("id=\"error-account\""));
}

async fn a_manager_converts_a_lead_on_the_page_and_through_the_api(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("manager@acme.test").await;
    let form = app.get("/records/leads/2/convert", &cookie).await;
    assert!(form.body.contains("value=\"Initech\"") && form.body.contains("value=\"Pat\""), "the lead's names");
    let answer = app
        .post("/records/leads/2/convert", &cookie, &format!("_csrf={csrf}&account_name=Initech&first_name=Pat&last_name=Doe&opportunity_name=Initech+rollout&amount=8000"))
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let deal = app.get(answer.location.as_deref().expect("to the deal"), &cookie).await;
    assert!(deal.body.contains("Initech rollout") && deal.body.contains("Ben"), "owned by the lead's owner R2");
    assert_eq!(app.get("/records/leads/2/convert", &cookie).await.status, StatusCode::NOT_FOUND, "once");
    // L3 through the API, with the session and its CSRF header.
    let request = Request::post("/api/v1/leads/3/convert")
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"amount": "1200", "last_name": "Smith"}"#))
        .expect("request");
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let opportunity = json(&answer)["opportunity_id"].as_i64().expect("an id");
    let detail = json(&app.get(&format!("/api/v1/opportunities/{opportunity}"), &cookie).await);
    assert_eq!((detail["name"].as_str(), detail["amount_cents"].as_i64()), (Some("Umbrella"), Some(120_000)));
    let request = Request::patch(format!("/api/v1/opportunities/{opportunity}"))
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"amount": -3, "name": ""}"#))
        .expect("request");
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = json(&answer)["error"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["field"].as_str().map(str::to_string))
        .collect();
    assert_eq!(fields, ["name", "amount"]);
}

async fn goal_setting_shows_the_plan_risk_and_refuses_bad_input(app: &TestApp) {
    let (manager, _) = app.sign_in("manager@acme.test").await;
    let page = app.get("/goals?metric=deals&growth=10&plan=1000", &manager).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"plan-risk\""), "a plan of 1,000 deals is at risk");
    assert!(page.body.contains("Ana Ruiz"), "the team's reps are listed");
    assert_eq!(app.get("/goals?metric=luck", &manager).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/goals?growth=lots", &manager).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The plan is read as the manager writes it: "1,000" in English is the same plan as "1000".
    let grouped = app.get("/goals?metric=deals&growth=10&plan=1%2C000", &manager).await;
    assert_eq!(grouped.status, StatusCode::OK);
    let risk = |body: &str| body.split("id=\"plan-risk\"").nth(1).map(|rest| rest[..rest.len().min(300)].to_string());
    assert_eq!(risk(&grouped.body), risk(&page.body), "the same plan risk");
    assert_eq!(app.get("/goals?plan=1.2.3", &manager).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (rep, _) = app.sign_in("r1@acme.test").await;
    assert_eq!(app.get("/goals", &rep).await.status, StatusCode::NOT_FOUND, "reps set no team goals");
}

impl TestApp {
    /// A JSON request with the session and its CSRF header.
    async fn send_json(&self, method: &str, path: &str, (cookie, csrf): &(String, String), body: &str) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie)
            .header("x-csrf-token", csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(request).await
    }
}

/// The fields an API error names.
fn refused_fields(answer: &Answer) -> Vec<String> {
    let fields = json(answer)["error"]["fields"].as_array().cloned().unwrap_or_default();
    fields.iter().filter_map(|f| f["field"].as_str().map(str::to_string)).collect()
}

/// The fields and codes of an API refusal.
fn refused_codes(answer: &Answer) -> Vec<(String, String)> {
    let fields = json(answer)["error"]["fields"].as_array().cloned().unwrap_or_default();
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_string();
    fields.iter().map(|f| (text(&f["field"]), text(&f["code"]))).collect()
}

fn codes(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(field, code)| (field.to_string(), code.to_string())).collect()
}

/// The id of the record with `external_id` in an API list.
async fn id_in_list(app: &TestApp, path: &str, session: &(String, String), external_id: &str) -> i64 {
    let list = json(&app.get(path, &session.0).await);
    let items = list["items"].as_array().cloned().unwrap_or_default();
    let item = items.iter().find(|item| item["external_id"] == external_id);
    item.and_then(|item| item["id"].as_i64()).unwrap_or_else(|| panic!("{external_id} in {path}: {list}"))
}

/// Creating, updating, deleting, restoring, converting and moving a stage through the API: each
/// refusal names its field and its code, a record out of reach is not found, and nothing refused
/// is written.
async fn the_crm_operations_refuse_through_the_api_with_codes(app: &TestApp) {
    let r1 = app.sign_in("r1@acme.test").await;
    let r2 = app.sign_in("r2@acme.test").await;
    let manager = app.sign_in("manager@acme.test").await;
    // Create: every refused field at once.
    let body = r#"{"name": "", "amount": "-5", "created_at": "2026-03-02T10:00", "expected_close_on": "soon"}"#;
    let answer = app.send_json("POST", "/api/v1/opportunities", &r1, body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    let expected = codes(&[("name", "required"), ("amount", "amount"), ("expected_close_on", "date")]);
    assert_eq!(refused_codes(&answer), expected);
    let body = r#"{"name": "Fresh", "amount": 1250.5, "created_at": "2026-03-02T10:00"}"#;
    let answer = app.send_json("POST", "/api/v1/opportunities", &r1, body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let fresh = json(&answer)["id"].as_i64().expect("an id");
    let path = format!("/api/v1/opportunities/{fresh}");
    assert_eq!(json(&app.get(&path, &r1.0).await)["amount_cents"], 125_050);
    // In German, an amount reads as German writes it, and a refusal says why in German.
    let german = |body: &str| {
        Request::post("/api/v1/opportunities")
            .header(header::COOKIE, &r1.0)
            .header("x-csrf-token", &r1.1)
            .header(header::ACCEPT_LANGUAGE, "de")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let answer = app.send(german(r#"{"name": "Neu", "amount": "2.500,75", "created_at": "2026-03-02T10:00"}"#)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let neu = json(&answer)["id"].as_i64().expect("an id");
    assert_eq!(json(&app.get(&format!("/api/v1/opportunities/{neu}"), &r1.0).await)["amount_cents"], 250_075);
    let answer = app.send(german(r#"{"name": "Neu", "amount": "viel", "created_at": "2026-03-02T10:00"}"#)).await;
    let message = json(&answer)["error"]["fields"][0]["message"].as_str().map(str::to_string);
    let lang = quotient_core::Lang::from_tag("de").expect("German");
    assert_eq!(message.as_deref(), Some(lang.t("refusal.amount")), "{}", answer.body);
    // Update: the fields given, refused by code; out of reach, not found.
    let answer = app.send_json("PATCH", &path, &r1, r#"{"amount": "lots", "owner": 999999}"#).await;
    assert_eq!(refused_codes(&answer), codes(&[("owner", "reference"), ("amount", "amount")]), "{}", answer.body);
    let answer = app.send_json("PATCH", &path, &r1, r#"{"amount": "990"}"#).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(json(&app.get(&path, &r1.0).await)["amount_cents"], 99_000);
    let answer = app.send_json("PATCH", &path, &r2, r#"{"amount": "1"}"#).await;
    assert_eq!((answer.status, json(&answer)["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    // Move a stage: unknown, before the deal was created, the gateway without its next step.
    let stage = format!("{path}/stage");
    let answer = app.send_json("POST", &stage, &r1, r#"{"stage": "nowhere"}"#).await;
    assert_eq!(refused_codes(&answer), codes(&[("stage", "stage_unknown")]), "{}", answer.body);
    let body = r#"{"stage": "gateway", "at": "2026-03-01T00:00:00Z"}"#;
    let answer = app.send_json("POST", &stage, &r1, body).await;
    let expected = codes(&[("at", "stage_before_creation"), ("gateway_type", "gateway_type_required")]);
    assert_eq!(refused_codes(&answer), expected, "{}", answer.body);
    assert_eq!(json(&app.get(&path, &r1.0).await)["stage"], "prospect", "not moved");
    // A gateway type the organisation does not offer is no choice, whatever the stage.
    let answer = app.send_json("POST", &stage, &r1, r#"{"stage": "lost", "gateway_type": "\u00d6S"}"#).await;
    assert_eq!(refused_codes(&answer), codes(&[("gateway_type", "choice")]), "{}", answer.body);
    assert_eq!(json(&app.get(&path, &r1.0).await)["stage"], "prospect", "not moved");
    let answer = app.send_json("POST", &stage, &r2, r#"{"stage": "qualified"}"#).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "R2 does not reach R1's deal");
    let answer = app.send_json("POST", &stage, &r1, r#"{"stage": "gateway", "gateway_type": "demo"}"#).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(json(&app.get(&path, &r1.0).await)["stage"], "gateway");
    // Delete and restore: a rep may not delete a deal; the manager may, and restore it.
    assert_eq!(app.send_json("DELETE", &path, &r1, "").await.status, StatusCode::NOT_FOUND);
    let answer = app.send_json("DELETE", &path, &manager, "").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(json(&app.get(&path, &r1.0).await)["deleted"], true);
    assert_eq!(app.send_json("DELETE", &path, &manager, "").await.status, StatusCode::NOT_FOUND, "deleted once");
    let answer = app.send_json("POST", &format!("{path}/restore"), &manager, "").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(json(&app.get(&path, &r1.0).await)["deleted"], false);
    // A rep deletes activities, their own only.
    let x4 = id_in_list(app, "/api/v1/activities?page_size=1000", &r2, "X4").await;
    let activity = format!("/api/v1/activities/{x4}");
    assert_eq!(app.send_json("DELETE", &activity, &r1, "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&app.get(&activity, &r2.0).await)["deleted"], false, "nothing written");
    assert_eq!(app.send_json("DELETE", &activity, &r2, "").await.status, StatusCode::OK);
    let restore = format!("{activity}/restore");
    assert_eq!(app.send_json("POST", &restore, &r1, "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&app.get(&activity, &r2.0).await)["deleted"], true, "still deleted");
    assert_eq!(app.send_json("POST", &restore, &r2, "").await.status, StatusCode::OK);
    // Convert: the conversion's fields by code; another rep's lead is not found.
    let l3 = id_in_list(app, "/api/v1/leads", &r2, "L3").await;
    let convert = format!("/api/v1/leads/{l3}/convert");
    let answer = app.send_json("POST", &convert, &r1, r#"{"amount": "100"}"#).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "L3 is R2's");
    // L3 names no contact: its last name is refused with the account's name, at once.
    let answer = app.send_json("POST", &convert, &r2, r#"{"account_name": " ", "amount": "100"}"#).await;
    let expected = codes(&[("account_name", "required"), ("last_name", "required")]);
    assert_eq!(refused_codes(&answer), expected, "{}", answer.body);
    let answer = app.send_json("POST", &convert, &r2, r#"{"last_name": "Smith", "amount": "lots"}"#).await;
    assert_eq!(refused_codes(&answer), codes(&[("amount", "amount")]), "{}", answer.body);
    assert_eq!(json(&app.get(&format!("/api/v1/leads/{l3}"), &r2.0).await)["status"], "working", "not converted");
    let answer = app.send_json("POST", &convert, &r2, r#"{"last_name": "Smith", "amount": "1,200.50"}"#).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let opportunity = json(&answer)["opportunity_id"].as_i64().expect("an id");
    let deal = json(&app.get(&format!("/api/v1/opportunities/{opportunity}"), &r2.0).await);
    assert_eq!(deal["amount_cents"], 120_050);
    let answer = app.send_json("POST", &convert, &r2, r#"{"amount": "100"}"#).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "converted once");
}

/// A refused stage move comes back to the pipeline with its reason in the caller's words.
async fn a_refused_stage_move_shows_its_reason_on_the_pipeline(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("manager@acme.test").await;
    let unknown = app.post("/opportunities/3/stage", &cookie, &format!("stage=nowhere&view=list&_csrf={csrf}")).await;
    let location = unknown.location.expect("back to the pipeline");
    assert_eq!(location, "/pipeline?view=list&error=stage_unknown");
    let page = app.get(&location, &cookie).await;
    let expected = quotient_core::Lang::ENGLISH.t("refusal.stage_unknown");
    assert!(page.body.contains(&maud::html! { (expected) }.into_string()), "{}", page.body);
}

/// An admin reaches the whole organisation, but not a rep that does not exist: the write is
/// refused as invalid input before the database could refuse it at commit, and every write after
/// it goes through (a commit that failed once held SQLite's write lock until a restart).
async fn an_activity_for_no_such_rep_is_refused_and_writes_go_on(app: &TestApp) {
    let session = app.sign_in("admin@acme.test").await;
    let (cookie, csrf) = session.clone();
    for rep in [999_999, -1] {
        let body = format!(r#"{{"rep_id": {rep}, "type": "cold_call"}}"#);
        let answer = app.send_json("POST", "/api/v1/activities", &session, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert_eq!(refused_fields(&answer), ["rep_id"]);
    }
    let form = app
        .post("/log", &cookie, &format!("rep=999999&kind=cold_call&occurred_at=2026-03-02T10:00&_csrf={csrf}"))
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form.body.contains("id=\"error-rep\""), "{}", form.body);

    let rep = app.sign_in("r1@acme.test").await;
    let logged = app.send_json("POST", "/api/v1/activities", &rep, r#"{"type": "cold_call"}"#).await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.body);
    let moved =
        app.post("/opportunities/3/stage", &cookie, &format!("stage=proposal&gateway_type=&_csrf={csrf}")).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
}

/// The log form, the API and the CRM form refuse the same times: more than a day ahead, or
/// before 2000 (years such as 9999 and -9999 were stored through the API).
async fn activity_times_are_refused_alike_everywhere(app: &TestApp) {
    let session = app.sign_in("r1@acme.test").await;
    let (cookie, csrf) = session.clone();
    for (time, code) in [
        ("9999-01-01T00:00:00Z", "time_in_future"),
        ("-9999-01-01T00:00:00Z", "time_too_old"),
        ("1999-12-31T23:00:00Z", "time_too_old"),
    ] {
        let body = format!(r#"{{"type": "cold_call", "occurred_at": "{time}"}}"#);
        let api = app.send_json("POST", "/api/v1/activities", &session, &body).await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{time}: {}", api.body);
        assert_eq!(refused_fields(&api), ["occurred_at"], "{time}");
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap_or_default();
        assert_eq!(json["error"]["fields"][0]["code"], code, "{time}: {}", api.body);
        let local = time.trim_end_matches(":00Z");
        let page = app.post("/log", &cookie, &format!("kind=cold_call&occurred_at={local}&_csrf={csrf}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{time}");
        assert!(page.body.contains("id=\"error-occurred_at\""), "{time}: {}", page.body);
        let crm = app
            .post("/records/activities/new", &cookie, &format!("type=cold_call&occurred_at={local}&rep=1&_csrf={csrf}"))
            .await;
        assert_eq!(crm.status, StatusCode::UNPROCESSABLE_ENTITY, "{time}: {}", crm.body);
        let expected = quotient_core::Lang::ENGLISH.t(&format!("refusal.{code}"));
        assert!(crm.body.contains(expected) && page.body.contains(expected), "{time}: the same words everywhere");
    }
}

/// A period far from now is refused before any report walks its weeks.
async fn periods_far_from_now_are_refused(app: &TestApp) {
    let (cookie, _) = app.sign_in("r1@acme.test").await;
    for period in ["-130000-01-01..2026-12-31", "1000-01-01..1000-02-01", "2000-01-01..2026-12-31"] {
        let page = app.get(&format!("/leaderboard?period={period}"), &cookie).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{period}");
        let api = app.get(&format!("/api/v1/scorecards?period={period}"), &cookie).await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{period}");
        assert_eq!(refused_fields(&api), ["period"]);
    }
}

/// Every answer names its request, as the log lines written while serving it do.
async fn every_answer_names_its_request(app: &TestApp) {
    let mut ids = Vec::new();
    for path in ["/sign-in", "/dashboard", "/api/v1/me", "/assets/style.css"] {
        let response = app.router.clone().oneshot(Request::get(path).body(Body::empty()).expect("request")).await;
        let response = response.expect("answered");
        let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        ids.push(id.unwrap_or_else(|| panic!("{path}: no request id")));
    }
    ids.dedup();
    assert_eq!(ids.len(), 4, "each request has an id of its own: {ids:?}");
}

on_both_backends!(
    the_crm_operations_refuse_through_the_api_with_codes,
    a_refused_stage_move_shows_its_reason_on_the_pipeline,
    every_answer_names_its_request,
    an_activity_for_no_such_rep_is_refused_and_writes_go_on,
    activity_times_are_refused_alike_everywhere,
    periods_far_from_now_are_refused,
    goal_setting_shows_the_plan_risk_and_refuses_bad_input,
    pages_need_a_session_and_the_api_answers_401_in_json,
    failed_sign_ins_are_refused_then_throttled,
    every_page_answers_for_a_manager,
    rep_cannot_open_another_reps_opportunity_nor_the_team_dashboard,
    manager_sees_exactly_the_subtree_and_no_organisation_sees_another,
    forms_without_the_csrf_token_are_refused,
    logging_an_activity_counts_at_once_and_bad_fields_are_shown_next_to_them,
    moving_a_deal_into_the_gateway_asks_for_the_next_step,
    api_tokens_work_until_revoked,
    the_language_follows_the_setting_else_the_browser,
    csv_export_has_the_current_view,
    csv_export_neutralises_typed_formulas,
    a_rep_creates_and_edits_a_deal_and_refused_fields_are_shown_next_to_them,
    a_manager_converts_a_lead_on_the_page_and_through_the_api,
);

#[path = "http/api_input.rs"]
mod api_input;

#[path = "http/planning.rs"]
mod planning;

#[path = "http/reports.rs"]
mod reports;

#[path = "http/coaching.rs"]
mod coaching;

#[path = "http/forecast_api.rs"]
mod forecast_api;
#[path = "http/forecast_pages.rs"]
mod forecast_pages;
#[path = "http/import.rs"]
mod import;
#[path = "http/incentives.rs"]
mod incentives;
#[path = "http/large.rs"]
mod large;
#[path = "http/settings.rs"]
mod settings;
#[path = "http/teams.rs"]
mod teams;

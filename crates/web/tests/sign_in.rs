//! Signing in as a stranger would attack it and as its owner would use it, over a SQLite file and
//! over PostgreSQL: what a new password and signing out everywhere end, what an API token may not
//! do, what failed sign-ins leave in the database, who is slowed down, the same e-mail in two
//! organisations, and the headers of every answer.

use argon2::password_hash::{PasswordHasher, SaltString};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeDelta, Utc};
use http_body_util::BodyExt;
use quotient_core::model::UserRole;
use quotient_store::access::{self, NewUser};
use quotient_store::orgs::OrgId;
use quotient_store::testing::TestSchema;
use quotient_store::{Db, StoreError, bundle, orgs};
use quotient_web::auth::throttle::Backoff;
use quotient_web::{AppState, Pool, password};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const FORM_PASSWORD: &str = "correct+horse+battery";

/// The owner's usual address, a stranger's, and one never seen.
const OWNER: &str = "192.0.2.1:50000";
const STRANGER: &str = "198.51.100.9:40000";
const NEWCOMER: &str = "203.0.113.5:30000";

struct TestApp {
    url: String,
    pool: Pool,
    state: AppState,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<TestSchema>,
}

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
    headers: axum::http::HeaderMap,
    cookie: Option<String>,
    body: String,
}

impl TestApp {
    fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut app = TestApp::on(&format!("sqlite://{}", dir.path().join("test.db").display()));
        app._dir = Some(dir);
        app
    }

    fn postgres() -> Option<TestApp> {
        let schema = TestSchema::create("sign_in")?;
        let mut app = TestApp::on(&schema.url);
        app._schema = Some(schema);
        Some(app)
    }

    /// The fixture organisation `acme` with a user per role, an empty organisation `other`, and
    /// pat@both.test in both with the same password. Throttling counts fewer free failures per
    /// address and overall than by default, so that tests reach them quickly.
    fn on(url: &str) -> TestApp {
        let mut db = quotient_store::open(url).expect("open");
        let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid");
        let acme = orgs::find_or_create(&mut db, "acme", "Acme").expect("org");
        bundle::import(&mut db, acme.id, &fixture, &mut bundle::Silent).expect("fixture imports");
        let other = orgs::find_or_create(&mut db, "other", "Other").expect("org");
        let hash = password::hash(PASSWORD).expect("hash");
        let users = [
            (acme.id, "manager@acme.test", UserRole::Manager, Some("M1")),
            (acme.id, "r1@acme.test", UserRole::Rep, Some("R1")),
            (acme.id, "pat@both.test", UserRole::Executive, None),
            (other.id, "pat@both.test", UserRole::Executive, None),
            (other.id, "exec@other.test", UserRole::Executive, None),
        ];
        for (org, email, role, rep) in users {
            let new = NewUser { email, name: email, role, rep, password_hash: &hash };
            access::add_user(&mut db, org, &new).expect("user");
        }
        let pool = Pool::open(url, 4).expect("pool");
        let mut state = AppState::new(pool.clone(), false);
        state.throttle.per_client = Backoff { free: 8, first_wait: TimeDelta::seconds(10) };
        state.throttle.overall = Backoff { free: 14, first_wait: TimeDelta::seconds(10) };
        TestApp { url: url.to_string(), pool, state, _dir: None, _schema: None }
    }

    fn router(&self) -> Router {
        quotient_web::router(self.state.clone())
    }

    /// Runs `work` on the store, on a blocking thread (PostgreSQL's client blocks).
    async fn store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Db) -> Result<T, StoreError> + Send + 'static,
    ) -> T {
        self.pool.run(move |db| Ok(work(db)?)).await.unwrap_or_else(|e| panic!("the store: {e}"))
    }

    async fn send(&self, from: &str, mut request: Request<Body>) -> Answer {
        let peer: SocketAddr = from.parse().expect("an address");
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self.router().oneshot(request).await.expect("answered");
        let status = response.status();
        let headers = response.headers().clone();
        let cookie = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next().map(str::to_string));
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Answer { status, headers, cookie, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn get(&self, path: &str, cookie: &str) -> Answer {
        self.send(OWNER, Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request")).await
    }

    async fn post(&self, path: &str, cookie: &str, form: &str) -> Answer {
        let request = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .expect("request");
        self.send(OWNER, request).await
    }

    async fn bearer(&self, method: &str, path: &str, token: &str) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("name=minted"))
            .expect("request");
        self.send(OWNER, request).await
    }

    async fn try_sign_in(&self, from: &str, form: &str) -> Answer {
        let request = Request::post("/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .expect("request");
        self.send(from, request).await
    }

    /// Signs in from the owner's address; returns the session cookie and its CSRF token.
    async fn sign_in(&self, email: &str) -> (String, String) {
        let answer = self.try_sign_in(OWNER, &format!("email={email}&password={FORM_PASSWORD}")).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{email} signs in: {}", answer.body);
        let cookie = answer.cookie.expect("a session cookie");
        let me = self.get("/me", &cookie).await;
        (cookie, csrf_of(&me.body))
    }

    async fn create_token(&self, cookie: &str, csrf: &str) -> String {
        let created = self.post("/me/tokens", cookie, &format!("name=script&_csrf={csrf}")).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let start = created.body.find("id=\"new-token\">").expect("the token is shown once") + 15;
        created.body[start..start + 64].to_string()
    }

    async fn org(&self, slug: &'static str) -> OrgId {
        self.store(move |db| Ok(orgs::require(db, slug)?.id)).await
    }

    async fn failures_stored(&self) -> (i64, i64) {
        self.store(|db| {
            let count = db.query_i64("SELECT COUNT(*) FROM sign_in_failures", &[])?;
            let longest = db.query_i64(
                "SELECT COALESCE(MAX(LENGTH(account_key) + LENGTH(client)), 0) FROM sign_in_failures",
                &[],
            )?;
            Ok((count, longest))
        })
        .await
    }
}

fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    page[start..start + 64].to_string()
}

fn wrong(email: &str) -> String {
    format!("email={email}&password=wrong-password")
}

fn right(email: &str) -> String {
    format!("email={email}&password={FORM_PASSWORD}")
}

async fn a_new_password_a_disable_and_signing_out_everywhere_end_sessions_and_tokens(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("r1@acme.test").await;
    let token = app.create_token(&cookie, &csrf).await;
    assert_eq!(app.bearer("GET", "/api/v1/me", &token).await.status, StatusCode::OK);
    // `quotient user passwd` does this.
    let hash = password::hash(PASSWORD).expect("hash");
    let org = app.org("acme").await;
    app.store(move |db| access::set_password(db, org, "r1@acme.test", &hash)).await;
    assert_eq!(app.get("/me", &cookie).await.status, StatusCode::SEE_OTHER, "the session ended");
    assert_eq!(app.bearer("GET", "/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED, "the token ended");

    let (laptop, _) = app.sign_in("r1@acme.test").await;
    let (phone, phone_csrf) = app.sign_in("r1@acme.test").await;
    let token = app.create_token(&phone, &phone_csrf).await;
    let page = app.get("/me", &phone).await;
    assert!(page.body.contains("action=\"/me/sign-out-everywhere\""), "the button is on /me");
    let refused = app.post("/me/sign-out-everywhere", &phone, "").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "without the CSRF token");
    let out = app.post("/me/sign-out-everywhere", &phone, &format!("_csrf={phone_csrf}")).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.headers.get(header::SET_COOKIE).is_some_and(|c| c.to_str().is_ok_and(|c| c.contains("Max-Age=0"))));
    for session in [&laptop, &phone] {
        assert_eq!(app.get("/me", session).await.status, StatusCode::SEE_OTHER, "every session ended");
    }
    assert_eq!(app.bearer("GET", "/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED, "every token ended");

    let (cookie, csrf) = app.sign_in("r1@acme.test").await;
    let token = app.create_token(&cookie, &csrf).await;
    let org = app.org("acme").await;
    app.store(move |db| access::disable_user(db, org, "r1@acme.test")).await;
    assert_eq!(app.get("/me", &cookie).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.bearer("GET", "/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
}

async fn an_api_token_can_neither_create_nor_revoke_tokens(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("manager@acme.test").await;
    let token = app.create_token(&cookie, &csrf).await;
    let minted = app.bearer("POST", "/me/tokens", &token).await;
    assert_eq!(minted.status, StatusCode::FORBIDDEN, "{}", minted.body);
    assert!(!minted.body.contains("new-token"), "no token was shown");
    assert_eq!(app.bearer("POST", "/me/tokens/1/revoke", &token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.bearer("POST", "/me/sign-out-everywhere", &token).await.status, StatusCode::FORBIDDEN);
    let tokens = app
        .store(|db| {
            let acme = orgs::require(db, "acme")?.id;
            let users = access::list_users(db, acme)?;
            let manager = users.iter().find(|u| u.email == "manager@acme.test").map_or(0, |u| u.id);
            access::list_tokens(db, acme, manager)
        })
        .await;
    assert_eq!(tokens.len(), 1, "no token was created: {tokens:?}");
    assert!(!tokens[0].revoked, "none was revoked");
    assert_eq!(app.bearer("GET", "/api/v1/me", &token).await.status, StatusCode::OK);
}

async fn failed_sign_ins_store_a_bounded_key_and_huge_fields_are_refused_unread(app: &TestApp) {
    let huge = "a".repeat(1 << 20);
    let refused = app.try_sign_in(STRANGER, &wrong(&format!("{huge}@example.test"))).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE, "a megabyte e-mail is refused unread");
    let long = app.try_sign_in(STRANGER, &wrong(&format!("{}@example.test", "a".repeat(4000)))).await;
    assert_eq!(long.status, StatusCode::UNAUTHORIZED);
    assert!(!long.body.contains(&"a".repeat(300)), "the page does not echo it");
    let long_password = app.try_sign_in(STRANGER, &format!("email=r1@acme.test&password={}", "p".repeat(5000))).await;
    assert_eq!(long_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.failures_stored().await.0, 0, "nothing was checked, so nothing is stored");
    let failed = app.try_sign_in(STRANGER, &wrong(&format!("{}@example.test", "b".repeat(240)))).await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    let (count, longest) = app.failures_stored().await;
    assert_eq!(count, 1);
    assert!(longest <= 64 + 45, "a failure stores {longest} characters");
}

async fn old_failures_are_swept_on_a_timer_by_the_running_server(app: &TestApp) {
    let mut state = app.state.clone();
    state.throttle.sweep_every = std::time::Duration::from_millis(50);
    let now = Utc::now();
    app.store(move |db| access::record_failure(db, &"0".repeat(64), "192.0.2.200", now - TimeDelta::hours(2))).await;
    let (bound, addresses) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(quotient_web::serve(state, "127.0.0.1:0".parse().expect("addr"), move |addr| {
        let _ = bound.send(addr);
    }));
    let addr = addresses.await.expect("the server is listening");
    // A failed sign-in over a real connection is counted against the connection's address.
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let form = wrong("nobody@example.test");
    let request = format!(
        "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("answer");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let mut remaining = vec![];
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        remaining = app
            .store(|db| {
                db.query_map("SELECT client FROM sign_in_failures ORDER BY client", &[], |row| {
                    Ok(row.text(0)?.unwrap_or_default().to_string())
                })
            })
            .await;
        if remaining.len() == 1 {
            break;
        }
    }
    server.abort();
    assert_eq!(remaining, ["127.0.0.1"], "the old failure is swept, the new one kept with its address");
}

async fn a_stranger_slows_down_guessing_but_never_locks_the_owner_out(app: &TestApp) {
    // The owner has signed in from their usual address before.
    app.sign_in("r1@acme.test").await;
    for _ in 0..5 {
        assert_eq!(app.try_sign_in(STRANGER, &wrong("r1@acme.test")).await.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = app.try_sign_in(STRANGER, &right("r1@acme.test")).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "the stranger waits, even with the password");
    let retry: i64 = throttled
        .headers
        .get(header::RETRY_AFTER)
        .expect("Retry-After")
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&retry), "10 s after the 5th failure: {retry}");
    let newcomer = app.try_sign_in(NEWCOMER, &right("r1@acme.test")).await;
    assert_eq!(newcomer.status, StatusCode::TOO_MANY_REQUESTS, "a new address waits for the account too");
    let owner = app.try_sign_in(OWNER, &right("r1@acme.test")).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "the owner gets in at once: {}", owner.body);
}

async fn one_address_spraying_many_accounts_is_slowed_down_and_others_are_not(app: &TestApp) {
    for n in 0..8 {
        let answer = app.try_sign_in(STRANGER, &wrong(&format!("user{n}@acme.test"))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let throttled = app.try_sign_in(STRANGER, &wrong("manager@acme.test")).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "the address used its free failures");
    assert!(throttled.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(app.try_sign_in(NEWCOMER, &right("manager@acme.test")).await.status, StatusCode::SEE_OTHER);
}

async fn many_addresses_spraying_at_once_are_slowed_down_but_not_the_owners(app: &TestApp) {
    app.sign_in("exec@other.test").await;
    for n in 0..14 {
        let answer = app.try_sign_in(&format!("198.51.100.{n}:1000"), &wrong(&format!("user{n}@acme.test"))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let newcomer = app.try_sign_in(NEWCOMER, &right("manager@acme.test")).await;
    assert_eq!(newcomer.status, StatusCode::TOO_MANY_REQUESTS, "past the overall free failures");
    assert_eq!(app.try_sign_in(OWNER, &right("exec@other.test")).await.status, StatusCode::SEE_OTHER);
}

/// A password hash that takes seconds to verify: long enough to look at the pool meanwhile.
fn slow_hash(password: &str) -> String {
    let params = argon2::Params::new(64 * 1024, 20, 1, None).expect("params");
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"sixteen byte sal").expect("salt");
    argon.hash_password(password.as_bytes(), &salt).expect("hash").to_string()
}

async fn the_password_is_checked_without_holding_a_database_connection(app: &TestApp) {
    let hashing = std::time::Instant::now();
    let hash = slow_hash(PASSWORD);
    let hashing = hashing.elapsed();
    app.store(move |db| {
        let slow =
            NewUser { email: "slow@acme.test", name: "Slow", role: UserRole::Admin, rep: None, password_hash: &hash };
        let acme = orgs::require(db, "acme")?.id;
        access::add_user(db, acme, &slow)
    })
    .await;
    // One connection only: a sign-in that held it while hashing would stall every other request.
    let url = app.url.clone();
    let pool = tokio::task::spawn_blocking(move || Pool::open(&url, 1)).await.expect("task").expect("pool");
    let state = AppState { pool: pool.clone(), ..app.state.clone() };
    let router = quotient_web::router(state);
    let request = Request::post("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(wrong("slow@acme.test")))
        .expect("request");
    let signing_in = tokio::spawn(router.oneshot(request));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let asked = std::time::Instant::now();
    pool.run(|db| Ok(db.query_i64("SELECT 1", &[])?)).await.expect("a query");
    let waited = asked.elapsed();
    let still_hashing = !signing_in.is_finished();
    let answer = signing_in.await.expect("task").expect("answer");
    // The pool's PostgreSQL connections close blocking.
    tokio::task::spawn_blocking(move || drop(pool)).await.expect("closed");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert!(still_hashing, "the sign-in is still hashing (make slow_hash slower if this fails)");
    assert!(waited < hashing / 4, "the query waited {waited:?} while a hash takes {hashing:?}");
}

async fn the_same_email_in_two_organisations_chooses_where_to_sign_in(app: &TestApp) {
    let both = app.try_sign_in(OWNER, &right("pat@both.test")).await;
    assert_eq!(both.status, StatusCode::OK, "the form asks which organisation");
    assert!(both.cookie.is_none());
    assert!(both.body.contains("<option value=\"acme\">Acme</option>"), "{}", both.body);
    assert!(both.body.contains("<option value=\"other\">Other</option>"), "{}", both.body);
    assert!(!both.body.contains(PASSWORD), "the password is not sent back");
    for (slug, name) in [("other", "Other"), ("acme", "Acme")] {
        let chosen = app.try_sign_in(OWNER, &format!("{}&organisation={slug}", right("pat@both.test"))).await;
        assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{slug}: {}", chosen.body);
        let me = app.get("/me", &chosen.cookie.expect("a session")).await;
        assert!(me.body.contains(&format!(" · {name}</p>")), "signed in to {name}");
    }
    let elsewhere = app.try_sign_in(OWNER, &format!("{}&organisation=nowhere", right("pat@both.test"))).await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);
    // With a password of its own, the other organisation's user signs in without a choice.
    let hash = password::hash("another password").expect("hash");
    let org = app.org("other").await;
    app.store(move |db| access::set_password(db, org, "pat@both.test", &hash)).await;
    let direct = app.try_sign_in(OWNER, "email=pat@both.test&password=another+password").await;
    assert_eq!(direct.status, StatusCode::SEE_OTHER);
    let me = app.get("/me", &direct.cookie.expect("a session")).await;
    assert!(me.body.contains(" · Other</p>"), "signed in to Other");
}

async fn every_answer_carries_the_security_headers(app: &TestApp) {
    let (cookie, csrf) = app.sign_in("manager@acme.test").await;
    let created = app.post("/me/tokens", &cookie, &format!("name=script&_csrf={csrf}")).await;
    let token = created.body.find("id=\"new-token\">").map(|at| created.body[at + 15..at + 79].to_string());
    let pages = ["/sign-in", "/me", "/dashboard", "/plan", "/territory-plans/1", "/records/opportunities", "/nowhere"];
    let mut answers = vec![("POST /me/tokens".to_string(), created)];
    for path in pages {
        answers.push((path.to_string(), app.get(path, &cookie).await));
    }
    answers.push(("/api/v1/me".into(), app.bearer("GET", "/api/v1/me", &token.expect("a token")).await));
    for (path, answer) in &answers {
        let header = |name: header::HeaderName| answer.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
        let policy = header(header::CONTENT_SECURITY_POLICY);
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self';"), "{path}: {policy}");
        assert!(policy.contains("default-src 'none'"), "{path}: {policy}");
        assert_eq!(header(header::X_FRAME_OPTIONS), "DENY", "{path}");
        assert_eq!(header(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        assert_eq!(header(header::REFERRER_POLICY), "same-origin", "{path}");
        assert_eq!(header(header::CACHE_CONTROL), "no-store", "{path}");
        // The policy refuses inline scripts: the pages must have none.
        for inline in ["<script>", "onclick=", "onchange=", "oninput=", "onsubmit=", "javascript:"] {
            assert!(!answer.body.contains(inline), "{path} has {inline}");
        }
    }
    let territory = &answers.iter().find(|(path, _)| path == "/territory-plans/1").expect("the page").1;
    assert!(territory.body.contains("data-print"), "the print button is there, without inline script");
    let style = app.get("/assets/style.css", "").await;
    assert!(style.headers.get(header::CACHE_CONTROL).is_some_and(|v| v != "no-store"), "assets may be cached");
    assert_eq!(style.headers.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
    let script = app.get("/assets/app.js", "").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("data-print"));
    let plan_script = app.get("/assets/plan.js", "").await;
    assert_eq!(plan_script.status, StatusCode::OK);
    assert!(plan_script.body.contains("quota-form"));
    let plan = &answers.iter().find(|(path, _)| path == "/plan").expect("the page").1;
    assert!(plan.body.contains("src=\"/assets/plan.js\""), "the plan page loads its script");
}

on_both_backends!(
    a_new_password_a_disable_and_signing_out_everywhere_end_sessions_and_tokens,
    an_api_token_can_neither_create_nor_revoke_tokens,
    failed_sign_ins_store_a_bounded_key_and_huge_fields_are_refused_unread,
    old_failures_are_swept_on_a_timer_by_the_running_server,
    a_stranger_slows_down_guessing_but_never_locks_the_owner_out,
    one_address_spraying_many_accounts_is_slowed_down_and_others_are_not,
    many_addresses_spraying_at_once_are_slowed_down_but_not_the_owners,
    the_password_is_checked_without_holding_a_database_connection,
    the_same_email_in_two_organisations_chooses_where_to_sign_in,
    every_answer_carries_the_security_headers,
);

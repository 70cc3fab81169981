//! The database the matrix runs against: two organisations with the same people and records, each
//! with a user per role, sessions, 1:1s, territory plans and a company plan; and the records a
//! request may use up (a delete, a conversion), made for it alone.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use quotient_core::model::UserRole;
use quotient_store::access::{self, NewUser};
use quotient_store::orgs::OrgId;
use quotient_store::testing::TestSchema;
use quotient_store::{bundle, orgs};
use quotient_web::auth::secret;
use quotient_web::{AppState, Pool, password};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

/// The roles that sign in, in the table's column order.
pub const ROLES: [&str; 4] = ["admin", "executive", "manager", "rep"];

/// People and records added to the fixture (E1 → M1 → R1, R2): a second team (M2 → R3) with its
/// own records, and the records each rep needs for every route (an open deal, an unconverted
/// lead, an estimate).
const EXTRA_ROWS: &[(&str, &str)] = &[
    (
        "reps.csv",
        "M2,Mia Stone,mia@example.com,E1,,manager,2021-01-04\nR3,Rui Costa,rui@example.com,M2,T2,rep,2024-01-08\n",
    ),
    ("accounts.csv", "A3,Initrode,retail,T2,R3,,,,\n"),
    ("contacts.csv", "C4,A3,Sam,Lo,CTO,decision_maker,4,sam@initrode.example,,\n"),
    (
        "opportunities.csv",
        "O4,A3,R3,PL1,Initrode deal,5000,,2026-03-01T08:00:00Z,2026-06-30,,,,,,open,prospect,,\n\
         O5,A2,R2,PL1,Globex upgrade,3000,,2026-03-02T08:00:00Z,2026-07-31,,,,,,open,prospect,,\n",
    ),
    (
        "leads.csv",
        "L4,2026-02-05T10:00:00Z,company,R3,Hooli,Gav Belson,,new,,\nL5,2026-02-06T10:00:00Z,company,R1,Pied Piper,Erlich B,,new,,\n",
    ),
    ("activities.csv", "X6,R3,cold_call,2026-02-04T11:00:00Z,A3,C4,O4,connected\n"),
    ("estimates.csv", "E3,O4,R3,PL1,1000,2026-02-20,sent\nE4,,R2,PL1,500,2026-02-21,sent\n"),
];

/// The record of each kind that each rep owns, by external id.
const OWNED: &[(&str, [&str; 3])] = &[
    ("accounts", ["A1", "A2", "A3"]),
    ("contacts", ["C1", "C3", "C4"]),
    ("leads", ["L5", "L2", "L4"]),
    ("opportunities", ["O3", "O5", "O4"]),
    ("activities", ["X1", "X3", "X6"]),
    ("estimates", ["E1", "E4", "E3"]),
];

/// The user who writes each rep's own territory plan and API tokens (R2 has none).
fn user_of(rep: &str) -> &'static str {
    match rep {
        "R1" => "rep",
        "R3" => "rep3",
        _ => panic!("{rep} signs in as no user of the world"),
    }
}

/// The first year of the territory plans made for a request: years no other row names.
const FIRST_SPARE_YEAR: i64 = 2030;

/// The id sequences of the second organisation start here, so that no id of one organisation is
/// also an id of the other: a request for the other's record must find nothing.
const SECOND_ORGANISATION_IDS: i64 = 1000;
const ENTITIES: &[&str] = &[
    "reps",
    "territories",
    "product_lines",
    "accounts",
    "contacts",
    "leads",
    "opportunities",
    "activities",
    "estimates",
    "users",
    "one_on_ones",
    "one_on_one_actions",
    "territory_plans",
    "api_tokens",
];

/// A signed-in user: the session cookie and its CSRF token, and what puts the session back.
#[derive(Clone, Debug)]
pub struct Session {
    pub email: String,
    pub cookie: String,
    pub csrf: String,
    org: OrgId,
    user: i64,
    token: String,
}

/// One organisation of the world: its users' sessions by role, and the ids the table names.
#[derive(Clone, Debug)]
pub struct Org {
    pub sessions: HashMap<&'static str, Session>,
    /// `rep:R1`, `opportunities:R2`, `one_on_one:R1`, `action:R1.rep`, `pl` …
    pub ids: HashMap<String, i64>,
}

impl Session {
    /// Stores the session, valid for a day.
    fn open(&self, db: &mut quotient_store::Db) -> quotient_store::Result<()> {
        let expires = chrono::Utc::now() + chrono::Duration::days(1);
        access::create_session(db, self.org, self.user, &secret::token_hash(&self.token), &self.csrf, expires)
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

/// A database with the two organisations, and the router over it.
pub struct World {
    pub router: Router,
    pub orgs: [Org; 2],
    pool: Pool,
    /// The year of the next territory plan made for a request.
    spare_year: AtomicI64,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<TestSchema>,
}

pub fn block_on<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime").block_on(work)
}

impl World {
    pub fn sqlite() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("matrix.db").display());
        let mut world = World::build(&url);
        world._dir = Some(dir);
        world
    }

    pub fn postgres() -> Option<World> {
        let schema = TestSchema::create("matrix")?;
        let mut world = World::build(&schema.url);
        world._schema = Some(schema);
        Some(world)
    }

    fn build(url: &str) -> World {
        let mut db = quotient_store::open(url).expect("open");
        let bundle = bundle_dir();
        let hash = password::hash(PASSWORD).expect("hash");
        let mut orgs = vec![];
        for (slug, first_id) in [("acme", 0), ("beta", SECOND_ORGANISATION_IDS)] {
            let org = orgs::find_or_create(&mut db, slug, slug).expect("organisation");
            if first_id > 0 {
                for entity in ENTITIES {
                    orgs::allocate_ids(&mut db, org.id, entity, first_id).expect("reserve ids");
                }
            }
            bundle::import(&mut db, org.id, bundle.path(), &mut bundle::Silent).expect("the bundle imports");
            let mut sessions = HashMap::new();
            let users = [
                ("admin", UserRole::Admin, None),
                ("executive", UserRole::Executive, Some("E1")),
                ("manager", UserRole::Manager, Some("M1")),
                ("rep", UserRole::Rep, Some("R1")),
                ("manager2", UserRole::Manager, Some("M2")),
                ("rep3", UserRole::Rep, Some("R3")),
            ];
            for (name, role, rep) in users {
                let email = format!("{name}@{slug}.test");
                let new = NewUser { email: &email, name: &email, role, rep, password_hash: &hash };
                let user = access::add_user(&mut db, org.id, &new).expect("user");
                let (token, csrf) = (secret::random_token(), secret::random_token());
                let cookie = format!("{}={token}", quotient_web::auth::SESSION_COOKIE);
                let session = Session { email, cookie, csrf, org: org.id, user, token };
                session.open(&mut db).expect("session");
                sessions.insert(name, session);
            }
            let directory = quotient_store::kpi::Directory::load(&mut db, org.id).expect("directory");
            let mut ids = HashMap::new();
            for person in &directory.people {
                ids.insert(format!("rep:{}", person.external_id), person.id);
            }
            if let Some((id, _)) = directory.product_lines.iter().find(|(_, (key, _))| key == "PL1") {
                ids.insert("pl".to_string(), *id);
            }
            orgs.push(Org { sessions, ids });
        }
        drop(db);
        let pool = Pool::open(url, 4).expect("pool");
        let router = quotient_web::router(AppState::new(pool.clone(), false));
        let mut world = World {
            router,
            orgs: [orgs.remove(0), orgs.remove(0)],
            pool,
            spare_year: AtomicI64::new(FIRST_SPARE_YEAR),
            _dir: None,
            _schema: None,
        };
        block_on(world.seed());
        bundle.close().expect("bundle folder removed");
        world
    }

    /// What the routes act on, made through the API as the people who would make it.
    async fn seed(&mut self) {
        for index in 0..2 {
            let org = self.orgs[index].clone();
            let mut ids = org.ids.clone();
            let admin = &org.sessions["admin"];
            for (kind, owned) in OWNED {
                let list = json(&self.call("GET", &format!("/api/v1/{kind}?page_size=1000"), Some(admin), "").await);
                for (rep, external) in ["R1", "R2", "R3"].iter().zip(owned) {
                    let item = list["items"].as_array().into_iter().flatten().find(|i| i["external_id"] == *external);
                    let id = item.and_then(|i| i["id"].as_i64()).unwrap_or_else(|| panic!("{kind} {external}"));
                    ids.insert(format!("{kind}:{rep}"), id);
                }
            }
            for (holder, rep) in [("manager", "R1"), ("manager2", "R3")] {
                let session = &org.sessions[holder];
                let path = format!("/api/v1/reps/{}/one-on-ones", ids[&format!("rep:{rep}")]);
                let opened = json(&self.call("POST", &path, Some(session), "").await);
                let one_on_one = opened["id"].as_i64().unwrap_or_else(|| panic!("{path}: {opened}"));
                ids.insert(format!("one_on_one:{rep}"), one_on_one);
                for owner in ["rep", "manager"] {
                    let path = format!("/api/v1/one-on-ones/{one_on_one}/actions");
                    let body = format!(r#"{{"description": "Follow up", "owner": "{owner}"}}"#);
                    let added = json(&self.call("POST", &path, Some(session), &body).await);
                    ids.insert(format!("action:{rep}.{owner}"), added["id"].as_i64().expect("an action id"));
                }
            }
            self.orgs[index].ids = ids;
            for rep in ["R1", "R3"] {
                self.submit_territory_plan(index, rep, 2026).await;
            }
            let executive = &org.sessions["executive"];
            let plan = self
                .call(
                    "PUT",
                    "/api/v1/plans/2027",
                    Some(executive),
                    r#"{"fiscal_year": 2027, "revenue_cents": 100000000}"#,
                )
                .await;
            assert_eq!(plan.status, StatusCode::OK, "the plan: {}", plan.body);
            let written = self
                .call("POST", "/api/v1/plans/2027/allocate?write=true&beyond_history=allocate", Some(executive), "")
                .await;
            assert_eq!(written.status, StatusCode::OK, "the allocation: {}", written.body);
        }
    }

    /// Makes a record of `kind` for `rep` (`R1`…) in organisation `org`, for one request alone, as
    /// the people who would make it: its id, or for a `plan` the year of the territory plan
    /// submitted for it.
    pub async fn make(&self, org: usize, kind: &str, rep: &str) -> i64 {
        match kind {
            "plan" => {
                let year = self.spare_year.fetch_add(1, Ordering::Relaxed);
                self.submit_territory_plan(org, rep, year).await;
                year
            }
            "token" => {
                let created =
                    self.call("POST", "/me/tokens", Some(&self.orgs[org].sessions[user_of(rep)]), "name=spare").await;
                // Tokens are listed oldest first.
                let at = created.body.rfind("action=\"/me/tokens/").expect("the token is listed") + 19;
                let id = &created.body[at..at + created.body[at..].find('/').expect("its id")];
                id.parse().expect("a token id")
            }
            "deleted" => {
                let id = self.make_record(org, "activities", rep).await;
                let path = format!("/records/activities/{id}/delete");
                let deleted = self.call("POST", &path, Some(&self.orgs[org].sessions["admin"]), "").await;
                assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{path}: {}", deleted.body);
                id
            }
            _ => self.make_record(org, kind, rep).await,
        }
    }

    /// Creates a CRM record of `rep`'s through the API, as the admin.
    async fn make_record(&self, org: usize, kind: &str, rep: &str) -> i64 {
        let ids = &self.orgs[org].ids;
        let (owner, account) = (ids[&format!("rep:{rep}")], ids[&format!("accounts:{rep}")]);
        let body = match kind {
            "accounts" => serde_json::json!({ "name": "Spare", "owner": owner }),
            "contacts" => serde_json::json!({ "account": account, "last_name": "Spare" }),
            "leads" => serde_json::json!({
                "company": "Spare", "contact_name": "Sam Spare", "source": "company", "status": "new",
                "owner": owner, "created_at": "2026-03-02T10:00"
            }),
            "opportunities" => serde_json::json!({
                "name": "Spare", "account": account, "owner": owner, "amount": "100", "created_at": "2026-03-02T10:00"
            }),
            "activities" => serde_json::json!({ "type": "email", "rep_id": owner }),
            "estimates" => serde_json::json!({ "issued_on": "2026-03-02", "product_line": ids["pl"], "rep": owner }),
            _ => panic!("no {kind} is made for a request"),
        };
        let path = format!("/api/v1/{kind}");
        let created = self.call("POST", &path, Some(&self.orgs[org].sessions["admin"]), &body.to_string()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{path} {body}: {}", created.body);
        json(&created)["id"].as_i64().unwrap_or_else(|| panic!("{path}: {}", created.body))
    }

    /// Saves and submits `rep`'s territory plan of `year`, as the rep.
    async fn submit_territory_plan(&self, org: usize, rep: &str, year: i64) {
        let session = &self.orgs[org].sessions[user_of(rep)];
        let path = format!("/api/v1/territory-plans/{}/{year}", self.orgs[org].ids[&format!("rep:{rep}")]);
        let saved = self.call("PUT", &path, Some(session), r#"{"objectives": "Grow"}"#).await;
        assert_eq!(saved.status, StatusCode::OK, "{path}: {}", saved.body);
        let submitted = self.call("POST", &format!("{path}/submit"), Some(session), "").await;
        assert_eq!(submitted.status, StatusCode::OK, "{path}/submit: {}", submitted.body);
    }

    /// Opens `role`'s session of organisation `org` again, with the same cookie, after a request
    /// that ended it.
    pub async fn reopen_session(&self, org: usize, role: &str) {
        let session = self.orgs[org].sessions[role].clone();
        self.pool
            .run(move |db| {
                access::delete_session(db, &secret::token_hash(&session.token))?;
                Ok(session.open(db)?)
            })
            .await
            .unwrap_or_else(|e| panic!("{role}'s session: {e}"));
    }

    /// Sends a request as `session` (signed out without one), with its CSRF token on writes: in
    /// the form for pages, in the header for the API.
    pub async fn call(&self, method: &str, path: &str, session: Option<&Session>, body: &str) -> Answer {
        let api = path.starts_with("/api/");
        let mut request = Request::builder().method(method).uri(path);
        let mut body = body.to_string();
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
            if method != "GET" {
                if api {
                    request = request.header("x-csrf-token", &session.csrf);
                } else {
                    body = if body.is_empty() {
                        format!("_csrf={}", session.csrf)
                    } else {
                        format!("{body}&_csrf={}", session.csrf)
                    };
                }
            }
        }
        if method != "GET" && !body.is_empty() {
            let kind = if api { "application/json" } else { "application/x-www-form-urlencoded" };
            request = request.header(header::CONTENT_TYPE, kind);
        }
        let request = request.body(Body::from(body)).expect("request");
        let response = self.router.clone().oneshot(request).await.expect("answered");
        let status = response.status();
        let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Answer { status, location, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}

pub fn json(answer: &Answer) -> serde_json::Value {
    serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", answer.body))
}

/// The fixture bundle with [`EXTRA_ROWS`] appended, in a folder of its own.
fn bundle_dir() -> tempfile::TempDir {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid");
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(&fixture).expect("the fixture").flatten() {
        let target = dir.path().join(entry.file_name());
        std::fs::copy(entry.path(), &target).expect("copy");
    }
    for (file, rows) in EXTRA_ROWS {
        append(&dir.path().join(file), rows);
    }
    dir
}

fn append(file: &Path, rows: &str) {
    let mut text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&rows.lines().map(str::trim_start).collect::<Vec<_>>().join("\n"));
    text.push('\n');
    std::fs::write(file, text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
}

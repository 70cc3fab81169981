//! Faults at the HTTP edge, against a real server on a socket: a handler that panics answers a
//! clean 500 and the server carries on; a client that goes away mid-request leaves the server
//! healthy and nothing half-written.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use quotient_core::model::UserRole;
use quotient_store::access::{self, NewUser};
use quotient_store::{bundle, orgs};
use quotient_web::auth::secret;
use quotient_web::error::Error;
use quotient_web::{AppState, Pool, password};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Extra activities in the organisation, so that its CSV export is larger than a socket's buffers.
const EXTRA_ACTIVITIES: usize = 9_000;

struct Server {
    addr: SocketAddr,
    token: String,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: u16,
    head: String,
    body: String,
}

/// The log lines of every server of this test binary.
static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged() -> String {
    String::from_utf8_lossy(&LOG.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned()
}

/// Routes that panic where a handler's code runs: in the request, inside a store call, inside a
/// queued write. Merged in by the tests only.
fn panicking_routes(state: AppState) -> Router {
    async fn in_handler() -> &'static str {
        panic!("a handler's bug")
    }
    // As the API answers its errors.
    async fn in_store(State(state): State<AppState>) -> Result<&'static str, Response> {
        state.pool.run(|_| -> Result<(), _> { panic!("a bug during a store call") }).await.map_err(Error::into_json)?;
        Ok("unreachable")
    }
    async fn in_write(State(state): State<AppState>) -> Result<&'static str, Response> {
        state.pool.write(|_| -> Result<(), _> { panic!("a bug during a write") }).await.map_err(Error::into_json)?;
        Ok("unreachable")
    }
    Router::new()
        .route("/boom", get(in_handler))
        .route("/api/v1/boom", get(in_handler))
        .route("/api/v1/boom/store", get(in_store))
        .route("/api/v1/boom/write", get(in_write))
        .with_state(state)
}

impl Server {
    /// The fixture organisation with [`EXTRA_ACTIVITIES`] more activities of rep R1 and R1's API
    /// token, served with the panicking routes merged in.
    fn start() -> Server {
        static SUBSCRIBER: std::sync::Once = std::sync::Once::new();
        SUBSCRIBER.call_once(|| {
            let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(|| LogWriter).finish();
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("faults.db").display());
        let mut db = quotient_store::open(&url).expect("open");
        let org = orgs::find_or_create(&mut db, "acme", "Acme").expect("org");
        let bundle = dir.path().join("bundle");
        copy_fixture_with_more_activities(&bundle);
        bundle::import(&mut db, org.id, &bundle, &mut bundle::Silent).expect("the bundle imports");
        let hash = password::hash("correct horse battery").expect("hash");
        let new =
            NewUser { email: "r1@acme.test", name: "R1", role: UserRole::Rep, rep: Some("R1"), password_hash: &hash };
        let user = access::add_user(&mut db, org.id, &new).expect("user");
        let token = secret::random_token();
        access::create_token(&mut db, org.id, user, "faults", &secret::token_hash(&token)).expect("token");
        drop(db);

        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let pool = Pool::open(&url, 2).expect("pool");
        let state = AppState::new(pool, false);
        let app = quotient_web::router(state.clone()).merge(panicking_routes(state));
        let (ready, bound) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let serving = quotient_web::serve_router(app, "127.0.0.1:0".parse().expect("address"), move |addr| {
                let _ = ready.send(addr);
            });
            if let Err(error) = serving.await {
                panic!("serving: {error}");
            }
        });
        let addr = bound.recv_timeout(Duration::from_secs(30)).expect("the server listens");
        Server { addr, token, _runtime: runtime, _dir: dir }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connected");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        stream
    }

    /// The request's head, with the token, `Connection: close` and any body's length.
    fn head(&self, method: &str, path: &str, body_length: usize) -> String {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n\
             Content-Length: {body_length}\r\nConnection: close\r\n\r\n",
            self.token
        )
    }

    fn send(&self, method: &str, path: &str, body: &str) -> Answer {
        let mut stream = self.connect();
        stream.write_all(format!("{}{body}", self.head(method, path, body.len())).as_bytes()).expect("sent");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap_or_else(|e| panic!("{method} {path} answered ({e})"));
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{method} {path}: no answer: {text}"));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Answer { status, head: head.to_string(), body: body.to_string() }
    }

    fn get(&self, path: &str) -> Answer {
        self.send("GET", path, "")
    }

    fn activities(&self) -> i64 {
        let answer = self.get("/api/v1/activities?page_size=1");
        assert_eq!(answer.status, 200, "{}", answer.body);
        json(&answer.body)["total"].as_i64().expect("a total")
    }
}

fn json(body: &str) -> serde_json::Value {
    // Bodies come whole (`Connection: close`); a chunked one would start with its size.
    let start = body.find('{').unwrap_or(0);
    let end = body.rfind('}').map_or(body.len(), |e| e + 1);
    serde_json::from_str(&body[start..end]).unwrap_or_else(|e| panic!("JSON ({e}): {body}"))
}

fn copy_fixture_with_more_activities(into: &Path) {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid");
    std::fs::create_dir_all(into).expect("bundle folder");
    for entry in std::fs::read_dir(&fixture).expect("the fixture").flatten() {
        std::fs::copy(entry.path(), into.join(entry.file_name())).expect("copied");
    }
    let mut activities = std::fs::OpenOptions::new().append(true).open(into.join("activities.csv")).expect("opened");
    let mut more = String::new();
    for n in 0..EXTRA_ACTIVITIES {
        more.push_str(&format!("Z{n},R1,cold_call,2026-02-{:02}T09:00:00Z,A1,C1,O1,appointment_set\n", 1 + n % 28));
    }
    activities.write_all(more.as_bytes()).expect("written");
}

/// A panic in a handler, in a store call or in a queued write answers a clean 500 (a page, or the
/// API's JSON) or 503, is logged, and the server serves the next requests — more of them than
/// it has connections, so a connection lost to each panic would show.
#[test]
fn a_panicking_handler_answers_500_and_the_server_carries_on() {
    let server = Server::start();
    for _ in 0..3 {
        let page = server.get("/boom");
        assert_eq!(page.status, 500, "{}", page.head);
        assert!(page.head.to_ascii_lowercase().contains("content-type: text/html"), "{}", page.head);
        assert!(page.body.contains("Something went wrong on our side"), "{}", page.body);

        let api = server.get("/api/v1/boom");
        assert_eq!(api.status, 500, "{}", api.head);
        assert_eq!(json(&api.body)["error"]["code"], "internal", "{}", api.body);

        for (path, status) in [("/api/v1/boom/store", 503), ("/api/v1/boom/write", 503)] {
            let answer = server.get(path);
            assert_eq!(answer.status, status, "{path}: {}", answer.body);
            assert_eq!(json(&answer.body)["error"]["code"], "unavailable", "{path}: {}", answer.body);
        }
    }
    let log = logged();
    assert!(log.contains("the handler of /boom panicked: a handler's bug"), "not logged:\n{log}");
    assert!(log.contains("the handler of /api/v1/boom panicked"), "not logged:\n{log}");

    let before = server.activities();
    let logged_one = server.send("POST", "/api/v1/activities", r#"{"type": "cold_call"}"#);
    assert_eq!(logged_one.status, 201, "a write after the panics: {}", logged_one.body);
    assert_eq!(server.activities(), before + 1);
    assert_eq!(server.get("/me").status, 200);
}

/// Clients that go away mid-request: half a JSON body, a whole body but no wait for the answer, a
/// large CSV export left unread. The server stays healthy, a half-sent write writes nothing, and
/// a whole one is written whole or not at all.
#[test]
fn clients_that_disconnect_mid_request_leave_the_server_healthy() {
    let server = Server::start();
    let before = server.activities();
    let body = r#"{"type": "cold_call", "outcome": "appointment_set"}"#;

    for _ in 0..5 {
        let mut stream = server.connect();
        let half = format!("{}{}", server.head("POST", "/api/v1/activities", body.len()), &body[..body.len() / 2]);
        stream.write_all(half.as_bytes()).expect("half sent");
        drop(stream);
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.activities(), before, "a half-sent activity was written");

    for _ in 0..5 {
        let mut stream = server.connect();
        stream
            .write_all(format!("{}{body}", server.head("POST", "/api/v1/activities", body.len())).as_bytes())
            .expect("sent");
        drop(stream);
    }
    // Each write is whole or absent; the export below has every one that counts, complete.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.activities() < before + 5 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = server.activities();
    assert!((before..=before + 5).contains(&after), "{before} → {after}");

    let export = "/records/activities/export.csv";
    for _ in 0..5 {
        let mut stream = server.connect();
        stream.write_all(server.head("GET", export, 0).as_bytes()).expect("sent");
        let mut first = [0u8; 1024];
        let read = stream.read(&mut first).expect("the export starts");
        assert!(String::from_utf8_lossy(&first[..read]).starts_with("HTTP/1.1 200"));
        drop(stream);
    }
    let whole = server.get(export);
    assert_eq!(whole.status, 200, "{}", whole.head);
    let lines = whole.body.lines().count() as i64;
    assert_eq!(lines, after + 1, "the export after the abandoned ones is whole (a header and every activity)");
    assert_eq!(server.get("/api/v1/me").status, 200);
}

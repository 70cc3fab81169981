//! The API under a schema-based fuzzer: `tests/api-fuzz/campaign.sh` (schemathesis) against
//! `quotient serve` on a demo organisation beside a second organisation in the same SQLite file,
//! once with the API token of each role. Every answer must be no 5xx and match the OpenAPI
//! document; the fuzzer's writes are real, so the store must refuse bad input with a 4xx too.
//!
//! Needs schemathesis (`python3 -m venv target/api-fuzz-venv && target/api-fuzz-venv/bin/pip
//! install -r tests/api-fuzz/requirements.txt`, as `.ci/run` does); without it the test says so
//! and passes, except in CI (`CI=true`), where that is a failure.

mod common;

use common::{succeed, temp};
use quotient_core::model::UserRole;
use quotient_store::access::{self, NewUser};
use quotient_store::orgs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The schemathesis binary, or `None` (skipped with a message; a failure in CI).
fn schemathesis() -> Option<PathBuf> {
    let found = std::env::var_os("SCHEMATHESIS")
        .map(PathBuf::from)
        .or_else(|| Some(workspace().join("target/api-fuzz-venv/bin/schemathesis")).filter(|p| p.is_file()))
        .or_else(|| {
            std::env::var_os("PATH")?
                .to_str()?
                .split(':')
                .map(|dir| Path::new(dir).join("schemathesis"))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but schemathesis is not installed: .ci/run must install tests/api-fuzz/requirements.txt"
        );
        eprintln!(
            "SKIPPED: schemathesis is not installed (python3 -m venv target/api-fuzz-venv && \
             target/api-fuzz-venv/bin/pip install -r tests/api-fuzz/requirements.txt)"
        );
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or_else(|e| panic!("{e}"))
}

fn wait_for(addr: SocketAddr, server: &mut Child) {
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = server.try_wait() {
            panic!("quotient serve exited with {status} before listening on {addr}");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "quotient serve did not listen on {addr} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A demo organisation with a user of each role, and a second organisation (with a rep who signs
/// in) that none of them may reach; returns an API token per role of the demo's users.
fn organisations(database_url: &str, scratch: &Path) -> Vec<(UserRole, String)> {
    let demo = ["demo", "--reps", "8", "--years", "1", "--seed", "7", "--as-of", "2026-11-20", "--no-serve"];
    succeed(database_url, &demo);
    let rival = scratch.join("rival");
    let rival_dir = rival.to_string_lossy();
    succeed(database_url, &["demo", "--reps", "3", "--years", "1", "--seed", "8", "--out", &rival_dir]);
    succeed(database_url, &["--org", "rival", "import", &rival_dir]);
    let mut db = quotient_store::open(database_url).unwrap_or_else(|e| panic!("opening {database_url}: {e}"));
    let rival = orgs::require(&mut db, "rival").unwrap_or_else(|e| panic!("{e}"));
    let hash = quotient_web::password::hash("rival-password").unwrap_or_else(|e| panic!("{e}"));
    let rep = NewUser {
        email: "rep@rival.example",
        name: "Rival Rep",
        role: UserRole::Rep,
        rep: Some("R1"),
        password_hash: &hash,
    };
    access::add_user(&mut db, rival.id, &rep).unwrap_or_else(|e| panic!("{e}"));
    let demo = orgs::require(&mut db, "demo").unwrap_or_else(|e| panic!("{e}"));
    let users = access::list_users(&mut db, demo.id).unwrap_or_else(|e| panic!("{e}"));
    [UserRole::Admin, UserRole::Executive, UserRole::Manager, UserRole::Rep]
        .into_iter()
        .map(|role| {
            let user = users.iter().find(|u| u.role == role).unwrap_or_else(|| panic!("the demo has no {role} user"));
            let token = quotient_web::auth::secret::random_token();
            let token_hash = quotient_web::auth::secret::token_hash(&token);
            access::create_token(&mut db, demo.id, user.id, "api fuzz", &token_hash).unwrap_or_else(|e| panic!("{e}"));
            (role, token)
        })
        .collect()
}

#[test]
fn every_role_gets_documented_answers_and_no_server_error_from_the_fuzzed_api() {
    let Some(schemathesis) = schemathesis() else { return };
    let dir = temp();
    let database_url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
    let tokens = organisations(&database_url, dir.path());
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("serve.log")).unwrap_or_else(|e| panic!("{e}"));
    let mut server = Command::new(env!("CARGO_BIN_EXE_quotient"))
        .args(["--database-url", &database_url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("QUOTIENT_ORG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("starting quotient serve: {e}"));
    wait_for(SocketAddr::from(([127, 0, 0, 1], port)), &mut server);
    let _server = Running(server);
    let base = format!("http://127.0.0.1:{port}");
    let reports = Path::new(env!("CARGO_TARGET_TMPDIR")).join("api-fuzz");
    let mut failed = vec![];
    for (role, token) in &tokens {
        let started = Instant::now();
        let report = reports.join(role.key());
        let output = Command::new(workspace().join("tests/api-fuzz/campaign.sh"))
            .args([&base, token, &report.to_string_lossy().into_owned()])
            .env("SCHEMATHESIS", &schemathesis)
            .output()
            .unwrap_or_else(|e| panic!("running tests/api-fuzz/campaign.sh: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let summary: Vec<&str> = stdout.lines().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
        println!("== {role}: {:.0} s, {}\n{}", started.elapsed().as_secs_f64(), output.status, summary.join("\n"));
        if !output.status.success() {
            println!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
            failed.push(role.key());
        }
    }
    let serve_log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    assert!(!serve_log.contains("panicked"), "the server panicked:\n{serve_log}");
    assert!(
        failed.is_empty(),
        "the fuzzer found answers that are 5xx or not as documented as: {failed:?} (reports in {})",
        reports.display()
    );
}

//! `quotient backup` and `quotient restore` on SQLite: a backup taken while a running server
//! writes is a committed state of the database, and a restore puts it back whole or not at all.

mod common;

use common::http::{self, Served};
use common::{files, quotient, succeed, temp};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const WRITERS: usize = 2;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid")
}

fn sqlite(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn export(database_url: &str, into: &Path) -> Vec<(String, Vec<u8>)> {
    succeed(database_url, &["export", &into.to_string_lossy()]);
    files(into)
}

/// Every line of every file of a bundle.
fn lines(bundle: &[(String, Vec<u8>)]) -> HashSet<(String, String)> {
    bundle
        .iter()
        .flat_map(|(file, bytes)| {
            String::from_utf8_lossy(bytes).lines().map(|l| (file.clone(), l.to_string())).collect::<Vec<_>>()
        })
        .collect()
}

fn activities(bundle: &[(String, Vec<u8>)]) -> u64 {
    let (_, bytes) = bundle.iter().find(|(file, _)| file == "activities.csv").expect("activities.csv");
    String::from_utf8_lossy(bytes).lines().count() as u64 - 1
}

/// The KPI report of the organisation this month: read from the rollups, so that rollups behind
/// or ahead of the records show as a difference after a rebuild.
fn report(database_url: &str) -> String {
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    succeed(database_url, &["report", "--period", &month, "--format", "json"])
}

/// Activities logged through the API by [`WRITERS`] threads until told to stop; counts the
/// writes answered (so committed).
struct Writers {
    stop: Arc<AtomicBool>,
    committed: Arc<AtomicU64>,
    sent: Arc<AtomicU64>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Writers {
    fn start(server: &Served, token: &str) -> Writers {
        let stop = Arc::new(AtomicBool::new(false));
        let committed = Arc::new(AtomicU64::new(0));
        let sent = Arc::new(AtomicU64::new(0));
        let threads = (0..WRITERS)
            .map(|_| {
                let (addr, token) = (server.addr, token.to_string());
                let (stop, committed, sent) = (Arc::clone(&stop), Arc::clone(&committed), Arc::clone(&sent));
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        sent.fetch_add(1, Ordering::SeqCst);
                        let body = r#"{"type": "cold_call", "outcome": "appointment_set"}"#;
                        let answer =
                            http::send(addr, &token, "POST", "/api/v1/activities", body, Duration::from_secs(30));
                        assert_eq!(answer.status, 201, "an activity is logged: {}", answer.body);
                        committed.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        Writers { stop, committed, sent, threads }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::SeqCst);
        for thread in self.threads {
            thread.join().expect("a writer ran to the end");
        }
        self.committed.load(Ordering::SeqCst)
    }
}

/// A backup taken while a server commits a stream of activities holds a committed state: every
/// write answered before it began and none sent after it ended, nothing that is not in the final
/// database, and rollups that agree with its records. A backup of the final state restores to
/// exactly the source's export. A restore is refused while the server has the database open, and
/// a damaged backup is refused without touching the database.
#[test]
fn a_backup_under_write_load_restores_to_a_committed_state() {
    let dir = temp();
    let source = sqlite(&dir.path().join("source.db"));
    succeed(&source, &["--org", "acme", "import", &fixture().to_string_lossy()]);
    let token = http::rep_token(&source, "R1");
    let initial = activities(&export(&source, &dir.path().join("initial")));
    let server = Served::start(&source);
    let writers = Writers::start(&server, &token);

    while writers.committed.load(Ordering::SeqCst) < 20 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let answered_before = writers.committed.load(Ordering::SeqCst);
    let during = dir.path().join("during.backup");
    succeed(&source, &["backup", &during.to_string_lossy()]);
    let sent_after = writers.sent.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    let committed = writers.stop();
    assert!(committed > answered_before, "the writers kept writing during the backup");

    let refused = quotient(&source, &["restore", &during.to_string_lossy()]);
    assert!(!refused.status.success(), "a restore under a running server is refused");
    let refusal = String::from_utf8_lossy(&refused.stderr);
    assert!(refusal.contains("in use") && refusal.contains("left as it was"), "{refusal}");

    let last = dir.path().join("last.backup");
    succeed(&source, &["backup", &last.to_string_lossy()]);
    let twice = quotient(&source, &["backup", &last.to_string_lossy()]);
    assert!(!twice.status.success() && String::from_utf8_lossy(&twice.stderr).contains("exists already"));
    let final_export = export(&source, &dir.path().join("final"));
    assert_eq!(activities(&final_export), initial + committed);

    // The backup taken during the writes: a committed state between the two counts.
    let restored = sqlite(&dir.path().join("restored.db"));
    succeed(&restored, &["restore", &during.to_string_lossy()]);
    let during_export = export(&restored, &dir.path().join("during"));
    let held = activities(&during_export) - initial;
    assert!(
        (answered_before..=sent_after).contains(&held),
        "the backup holds {held} new activities; {answered_before} were committed before it began and {sent_after} sent before it ended"
    );
    let missing: Vec<_> = lines(&during_export).difference(&lines(&final_export)).cloned().collect();
    assert!(missing.is_empty(), "the backup holds lines the database never committed: {missing:?}");
    let reported = report(&restored);
    succeed(&restored, &["rebuild"]);
    assert_eq!(report(&restored), reported, "the backup's rollups agree with its records");

    // The backup of the final state: exactly the source.
    let restored_last = sqlite(&dir.path().join("restored-last.db"));
    succeed(&restored_last, &["restore", &last.to_string_lossy()]);
    assert_eq!(export(&restored_last, &dir.path().join("last")), final_export);

    // Damaged backups are refused and the database is left as it was.
    drop(server);
    let truncated = dir.path().join("truncated.backup");
    let bytes = std::fs::read(&last).expect("the backup");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("written");
    let garbage = dir.path().join("garbage.backup");
    std::fs::write(&garbage, b"not a database at all, only some text".repeat(200)).expect("written");
    for bad in [&truncated, &garbage] {
        let refused = quotient(&restored, &["restore", &bad.to_string_lossy()]);
        assert!(!refused.status.success(), "{} is refused", bad.display());
        let message = String::from_utf8_lossy(&refused.stderr);
        assert!(message.contains("cannot be restored") || message.contains("not an SQLite database"), "{message}");
        assert_eq!(export(&restored, &dir.path().join("untouched")), during_export);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".quotient-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // The stopped server's database takes a backup in its place.
    succeed(&source, &["restore", &during.to_string_lossy()]);
    assert_eq!(export(&source, &dir.path().join("source-restored")), during_export);
}

/// On PostgreSQL, `restore` says how to use pg_restore, and `backup` says how to use pg_dump when
/// it is not on the PATH.
#[test]
fn postgres_backups_point_to_pg_dump_and_pg_restore() {
    let dir = temp();
    let url = "postgres://nobody@127.0.0.1:1/none";
    let restore = quotient(url, &["restore", &dir.path().join("dump").to_string_lossy()]);
    assert!(!restore.status.success());
    assert!(String::from_utf8_lossy(&restore.stderr).contains("pg_restore --clean"));
    let backup = std::process::Command::new(env!("CARGO_BIN_EXE_quotient"))
        .args(["--database-url", url, "backup"])
        .arg(dir.path().join("dump"))
        .env("PATH", dir.path())
        .output()
        .expect("ran");
    assert!(!backup.status.success());
    let message = String::from_utf8_lossy(&backup.stderr);
    assert!(message.contains("pg_dump is not on the PATH") && message.contains("--format=custom"), "{message}");
    assert!(!dir.path().join("dump").exists());
}

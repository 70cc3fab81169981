//! Faults around the binary: `kill -9` of an import at random moments, a disk that fills during an
//! import, and PostgreSQL restarted under a running server's load.

mod common;

use common::http::{self, Served};
use common::{files, quotient, succeed, temp};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Bundle = Vec<(String, Vec<u8>)>;

fn sqlite(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn export(database_url: &str, into: &Path) -> Bundle {
    let _ = std::fs::remove_dir_all(into);
    succeed(database_url, &["export", &into.to_string_lossy()]);
    files(into)
}

/// Two demo organisations of the same shape (3 reps, a year), told apart by their seed: importing
/// the second over the first updates most rows and adds others.
fn demo_bundles(dir: &Path) -> (PathBuf, PathBuf) {
    let bundles = (dir.join("first"), dir.join("second"));
    for (seed, out) in [("1", &bundles.0), ("7", &bundles.1)] {
        let args = ["demo", "--reps", "3", "--years", "1", "--as-of", "2026-06-30", "--seed", seed, "--out"];
        let mut args = args.map(str::to_string).to_vec();
        args.push(out.to_string_lossy().into_owned());
        succeed("sqlite::memory:", &args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    bundles
}

/// Which of the two states `now` is, if either.
fn which(now: &Bundle, before: &Bundle, after: &Bundle) -> Option<&'static str> {
    if now == before {
        Some("the previous state")
    } else if now == after {
        Some("the new state")
    } else {
        None
    }
}

/// A database holding the first demo bundle, and what keeps it alive (a PostgreSQL schema).
struct Holding {
    url: String,
    _schema: Option<quotient_store::testing::TestSchema>,
}

/// `kill -9` of `quotient import` of `second` at `rounds` deterministic pseudo-random
/// moments of its run, each into a database from `fresh` (holding the first bundle): each time the
/// database opens and holds the whole previous organisation or the whole new one, and the import
/// run again succeeds.
fn killed_imports_leave_one_state(rounds: usize, dir: &Path, second: &Path, fresh: &mut dyn FnMut(&Path) -> Holding) {
    let reference = fresh(dir);
    let before = export(&reference.url, &dir.join("before"));
    let started = Instant::now();
    succeed(&reference.url, &["import", &second.to_string_lossy()]);
    let import_time = started.elapsed();
    let after = export(&reference.url, &dir.join("after"));
    assert_ne!(before, after);
    drop(reference);

    let mut random = fastrand::Rng::with_seed(20_261_204);
    let mut killed_while_running = 0;
    for round in 0..rounds {
        let database = fresh(dir);
        let mut import = Command::new(env!("CARGO_BIN_EXE_quotient"))
            .args(["--database-url", &database.url, "import", &second.to_string_lossy()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the import starts");
        let delay = import_time.mul_f64(0.1 + 0.85 * random.f64());
        std::thread::sleep(delay);
        if matches!(import.try_wait(), Ok(None)) {
            killed_while_running += 1;
        }
        import.kill().expect("killed");
        import.wait().expect("ended");

        let now = export(&database.url, &dir.join(format!("killed-{round}")));
        let state = which(&now, &before, &after);
        assert!(state.is_some(), "round {round}: killed after {delay:?}, the database holds a mix of both states");
        eprintln!("round {round}: killed after {delay:?}: {}", state.unwrap_or_default());
        succeed(&database.url, &["import", &second.to_string_lossy()]);
        assert_eq!(export(&database.url, &dir.join(format!("again-{round}"))), after, "round {round}");
    }
    assert!(
        killed_while_running * 2 >= rounds,
        "only {killed_while_running} of {rounds} kills found the import running"
    );
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_previous_or_the_new_state_on_sqlite() {
    let dir = temp();
    let (first, second) = demo_bundles(dir.path());
    let base = dir.path().join("base.db");
    succeed(&sqlite(&base), &["import", &first.to_string_lossy()]);
    let mut copies = 0;
    killed_imports_leave_one_state(6, dir.path(), &second, &mut |dir| {
        copies += 1;
        let copy = dir.join(format!("copy-{copies}.db"));
        std::fs::copy(&base, &copy).expect("copied");
        Holding { url: sqlite(&copy), _schema: None }
    });
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_previous_or_the_new_state_on_postgres() {
    let dir = temp();
    let (first, second) = demo_bundles(dir.path());
    if quotient_store::testing::TestSchema::create("faults_probe").is_none() {
        return;
    }
    killed_imports_leave_one_state(4, dir.path(), &second, &mut |_| {
        let schema = quotient_store::testing::TestSchema::create("faults_kill").expect("PostgreSQL answered before");
        succeed(&schema.url, &["import", &first.to_string_lossy()]);
        Holding { url: schema.url.clone(), _schema: Some(schema) }
    });
}

/// A small filesystem of its own (tmpfs), unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    /// `None` (the test skipped, with a message) where mounting is not permitted — except in CI.
    fn mount(path: &Path, kilobytes: u64) -> Option<SmallDisk> {
        std::fs::create_dir_all(path).expect("the mount point");
        let size = format!("size={kilobytes}k");
        let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", &size, "tmpfs"]).arg(path).output();
        match mounted {
            Ok(output) if output.status.success() => Some(SmallDisk { path: path.to_path_buf() }),
            failed => {
                let why = match failed {
                    Ok(output) => String::from_utf8_lossy(&output.stderr).trim().to_string(),
                    Err(error) => error.to_string(),
                };
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "CI=true but a small tmpfs cannot be mounted ({why}): CI runs the tests as root"
                );
                eprintln!("SKIPPED: a full disk needs a small tmpfs, and mounting one failed ({why}); run as root");
                None
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// An import that fills the disk fails with a clear message and no panic; the database opens
/// with its previous state, and the import succeeds once there is room.
#[test]
fn an_import_that_fills_the_disk_fails_cleanly_and_keeps_the_previous_state() {
    let dir = temp();
    let (first, second) = demo_bundles(dir.path());
    let base = dir.path().join("base.db");
    succeed(&sqlite(&base), &["import", &first.to_string_lossy()]);
    let before = export(&sqlite(&base), &dir.path().join("before"));
    let size = std::fs::metadata(&base).expect("the database").len();
    // Room for the database and a little more: not for what the second bundle adds.
    let Some(disk) = SmallDisk::mount(&dir.path().join("small"), size / 1024 + 256) else { return };
    let database = disk.path.join("full.db");
    std::fs::copy(&base, &database).expect("copied onto the small disk");

    let failed = quotient(&sqlite(&database), &["import", &second.to_string_lossy()]);
    let message = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "the import fails without a panic: {message}");
    assert!(!message.contains("panicked"), "{message}");
    assert!(message.contains("nothing was imported") && message.contains("disk is full"), "{message}");
    assert_eq!(export(&sqlite(&database), &dir.path().join("after-failure")), before);

    let roomy = dir.path().join("roomy.db");
    std::fs::copy(&database, &roomy).expect("copied off the small disk");
    succeed(&sqlite(&roomy), &["import", &second.to_string_lossy()]);
}

/// A PostgreSQL cluster of the test's own on a free port, stopped and removed when dropped.
struct PrivateCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivateCluster {
    /// `None` (the test skipped, with a message) where no cluster can be made — except in CI.
    fn start() -> Option<PrivateCluster> {
        match PrivateCluster::try_start() {
            Ok(cluster) => Some(cluster),
            Err(error) => {
                quotient_store::testing::skip_without_postgres("a private cluster (initdb, pg_ctl)", &error);
                None
            }
        }
    }

    fn try_start() -> Result<PrivateCluster, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|e| format!("/usr/lib/postgresql: {e}"))?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|bin| bin.join("pg_ctl").exists())
            .max()
            .ok_or("no /usr/lib/postgresql/*/bin/pg_ctl")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        if is_root() {
            // The server refuses to run as root.
            let owned = Command::new("chown").args(["-R", "postgres:"]).arg(dir.path()).status();
            if !owned.is_ok_and(|s| s.success()) {
                return Err("cannot give the cluster's folder to the postgres user".into());
            }
        }
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let cluster = PrivateCluster { bin, dir, port };
        let data = cluster.data();
        cluster.pg(&["initdb", "-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"])?;
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            cluster.dir.path().display()
        );
        cluster.pg(&["pg_ctl", "-D", &data, "-o", &options, "-l", &cluster.log(), "-w", "start"])?;
        Ok(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    fn log(&self) -> String {
        self.dir.path().join("log").to_string_lossy().into_owned()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs one of PostgreSQL's programs as the postgres user.
    fn pg(&self, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(args[0]);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        // To a file: a server started by pg_ctl keeps its output open, and a pipe would never end.
        let out = self.dir.path().join("pg.out");
        let file = std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        let status = command
            .args(&args[1..])
            .stdin(Stdio::null())
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(file)
            .status()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{args:?}: {}", std::fs::read_to_string(&out).unwrap_or_default().trim()))
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.pg(&["pg_ctl", "-D", &self.data(), "-m", "immediate", "stop"]);
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A request of the load and how it went.
struct Outcome {
    at: Instant,
    write: bool,
    status: u16,
    body: String,
}

/// PostgreSQL restarted under a running server's reads and writes: while it is down, requests fail
/// at once with 503 and the API's JSON error saying to try again (none hangs); once it is back they
/// succeed again, without restarting Quotient.
#[test]
fn requests_fail_cleanly_while_postgres_restarts_then_recover() {
    let Some(cluster) = PrivateCluster::start() else { return };
    let url = cluster.url();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid");
    succeed(&url, &["--org", "acme", "import", &fixture.to_string_lossy()]);
    let token = http::rep_token(&url, "R1");
    let server = Served::start(&url);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = [false, true, false, true]
        .into_iter()
        .map(|write| {
            let (addr, token, stop) = (server.addr, token.clone(), std::sync::Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut outcomes = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let (method, path, body) = if write {
                        ("POST", "/api/v1/activities", r#"{"type": "cold_call"}"#)
                    } else {
                        ("GET", "/api/v1/activities?page_size=5", "")
                    };
                    let answer = http::send(addr, &token, method, path, body, Duration::from_secs(20));
                    outcomes.push(Outcome { at: Instant::now(), write, status: answer.status, body: answer.body });
                    std::thread::sleep(Duration::from_millis(20));
                }
                outcomes
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(1000));
    let restarting = Instant::now();
    cluster
        .pg(&["pg_ctl", "-D", &cluster.data(), "-l", &cluster.log(), "-m", "fast", "-w", "restart"])
        .expect("PostgreSQL restarts");
    let restarted = Instant::now();
    eprintln!("PostgreSQL restarted in {:?}", restarted - restarting);
    std::thread::sleep(Duration::from_secs(4));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let outcomes: Vec<Outcome> = load.into_iter().flat_map(|thread| thread.join().expect("the load ran")).collect();
    assert!(server_is_running(server), "Quotient kept running");

    let failures: Vec<&Outcome> = outcomes.iter().filter(|o| !(200..300).contains(&o.status)).collect();
    for failure in &failures {
        assert_eq!(failure.status, 503, "a failure is a clean 503: {}", failure.body);
        let body: serde_json::Value = serde_json::from_str(&failure.body).unwrap_or_default();
        let code = body["error"]["code"].as_str().unwrap_or_default();
        assert_eq!(code, "unavailable", "the API's JSON error, saying to try again: {}", failure.body);
    }
    assert!(!failures.is_empty(), "the restart went unnoticed: the test proves nothing");
    // Recovered: from a second after the restart on, every read and every write succeeds.
    let settled = restarted + Duration::from_secs(1);
    for write in [false, true] {
        let later: Vec<&Outcome> = outcomes.iter().filter(|o| o.write == write && o.at > settled).collect();
        assert!(later.len() >= 10, "only {} requests after the restart", later.len());
        let failed: Vec<_> =
            later.iter().filter(|o| !(200..300).contains(&o.status)).map(|o| (o.status, &o.body)).collect();
        assert!(
            failed.is_empty(),
            "{} of {} {} failed after the restart, such as {:?}",
            failed.len(),
            later.len(),
            if write { "writes" } else { "reads" },
            failed.first()
        );
    }
    eprintln!("{} requests, {} failed cleanly during the restart", outcomes.len(), failures.len());
}

fn server_is_running(mut server: Served) -> bool {
    server.is_running()
}

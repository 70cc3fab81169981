//! The test harness shared by the store's integration tests: a fresh database per test on
//! SQLite (a temporary file) or PostgreSQL (a fresh schema), and the fixture bundles.
#![allow(dead_code)]

use quotient_store::Db;
use quotient_store::orgs::{self, Organisation};
use std::path::{Path, PathBuf};

/// The PostgreSQL server the tests use; `QUOTIENT_TEST_POSTGRES_URL` overrides it.
pub fn postgres_url() -> String {
    std::env::var("QUOTIENT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { schema: String },
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = quotient_store::open(&url).unwrap_or_else(|e| panic!("opening {url}: {e}"));
        TestDb { db, url, cleanup: Cleanup::Sqlite(dir) }
    }

    /// A fresh schema on the test server, or `None` (with a message) when there is no server —
    /// except in CI (`CI=true`), where a missing server fails the test instead of skipping it.
    pub fn postgres() -> Option<TestDb> {
        let base = postgres_url();
        let mut admin = match postgres::Client::connect(&base, postgres::NoTls) {
            Ok(client) => client,
            Err(error) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true but PostgreSQL at {base} is unreachable ({error}): .ci/run must start it");
                }
                eprintln!(
                    "SKIPPED: PostgreSQL at {base} is unreachable ({error}); set QUOTIENT_TEST_POSTGRES_URL to run this test on PostgreSQL"
                );
                return None;
            }
        };
        let schema = format!("test_{}_{}", std::process::id(), fastrand_suffix());
        admin.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap_or_else(|e| panic!("creating schema: {e}"));
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-csearch_path%3D{schema}");
        let db = quotient_store::open(&url).unwrap_or_else(|e| panic!("opening {url}: {e}"));
        Some(TestDb { db, url, cleanup: Cleanup::Postgres { schema } })
    }

    /// A second connection to the same database.
    pub fn reopen(&self) -> Db {
        quotient_store::open(&self.url).unwrap_or_else(|e| panic!("reopening {}: {e}", self.url))
    }

    pub fn org(&mut self, slug: &str) -> Organisation {
        orgs::find_or_create(&mut self.db, slug, slug).unwrap_or_else(|e| panic!("creating org: {e}"))
    }

    /// Rows of `table` in the organisation.
    pub fn count(&mut self, table: &str, org: &Organisation) -> i64 {
        self.db
            .query_i64(&format!("SELECT COUNT(*) FROM {table} WHERE org_id = ?"), &[org.id.value()])
            .unwrap_or_else(|e| panic!("counting {table}: {e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { schema } = &self.cleanup {
            if let Ok(mut admin) = postgres::Client::connect(&postgres_url(), postgres::NoTls) {
                let _ = admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
            }
        }
    }
}

fn fastrand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    u64::from(nanos) * 1000 + COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The tables the bundle's files fill, in import order.
pub fn bundle_tables() -> impl Iterator<Item = &'static str> {
    quotient_store::bundle::spec::FILES.iter().map(|spec| spec.table)
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A copy of a fixture bundle that a test may change.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
    for entry in std::fs::read_dir(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}")).flatten() {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap_or_else(|e| panic!("copy: {e}"));
    }
    dir
}

/// Every file of a bundle folder, by name, for byte-for-byte comparison.
pub fn read_bundle(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap_or_default()))
        .collect();
    files.sort();
    files
}

/// Runs each named test function (taking `&mut TestDb`) once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&mut $crate::common::TestDb::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() { if let Some(mut db) = $crate::common::TestDb::postgres() { super::$name(&mut db) } } )*
        }
    };
}

//! Helpers of the command-line tests: running the binary, temporary folders, PostgreSQL schemas.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn quotient(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quotient"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("QUOTIENT_ORG")
        .output()
        .unwrap_or_else(|e| panic!("running quotient: {e}"))
}

pub fn succeed(database_url: &str, args: &[&str]) -> String {
    let output = quotient(database_url, args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "quotient {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap_or_default()))
        .collect();
    files.sort();
    files
}

pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh PostgreSQL schema's URL, or `None` (skipped with a message; a failure in CI).
pub fn postgres_url() -> Option<(String, String)> {
    let base = std::env::var("QUOTIENT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut admin = match quotient_store::db::Db::open(&base) {
        Ok(db) => db,
        Err(error) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but PostgreSQL at {base} is unreachable: {error}"
            );
            eprintln!("SKIPPED: PostgreSQL at {base} is unreachable ({error})");
            return None;
        }
    };
    let schema = format!(
        "cli_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
    );
    admin.batch(&format!("CREATE SCHEMA {schema}")).unwrap_or_else(|e| panic!("{e}"));
    Some((format!("{base}?options=-csearch_path%3D{schema}"), schema))
}

pub fn drop_schema(schema: &str) {
    let base = std::env::var("QUOTIENT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if let Ok(mut admin) = quotient_store::db::Db::open(&base) {
        let _ = admin.batch(&format!("DROP SCHEMA {schema} CASCADE"));
    }
}

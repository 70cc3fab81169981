//! Helpers of the command-line tests: running the binary, temporary folders, PostgreSQL schemas.
#![allow(dead_code)]

pub mod http;

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

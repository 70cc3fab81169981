//! `quotient import --from hubspot|pipedrive`, `--map` and `--map-init` as a user runs them.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// A copy of a store fixture folder, without `leave_out`.
fn fixture_copy(name: &str, leave_out: &str) -> (tempfile::TempDir, PathBuf) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures").join(name);
    let work = temp();
    let dir = work.path().join(name);
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(&source).unwrap_or_else(|e| panic!("{e}")).flatten() {
        if entry.file_name() != leave_out {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    (work, dir)
}

#[test]
fn a_hubspot_export_stops_on_an_unplaced_stage_then_imports() {
    let (work, export) = fixture_copy("hubspot", "SOURCES.md");
    let url = format!("sqlite://{}", work.path().join("q.db").display());
    let path = export.to_string_lossy().into_owned();
    let first = quotient(&url, &["import", "--from", "hubspot", &path]);
    assert!(!first.status.success());
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("not placed: Decision Maker Bought-In") && stderr.contains("nothing was imported"),
        "{stderr}"
    );
    let stages = export.join("stages.toml");
    let text = std::fs::read_to_string(&stages).unwrap_or_else(|e| panic!("{e}"));
    let placed = text.replace("\"Decision Maker Bought-In\" = \"\"", "\"Decision Maker Bought-In\" = \"negotiation\"");
    std::fs::write(&stages, placed).unwrap_or_else(|e| panic!("{e}"));
    let second = succeed(&url, &["import", "--from", "hubspot", &path]);
    assert!(second.contains("won 1, lost 1, open 3; win rate 50.0%"), "{second}");
    assert!(second.contains("Decision Maker Bought-In → negotiation"), "{second}");
}

#[test]
fn map_init_guesses_a_mapping_that_imports() {
    let (work, dir) = fixture_copy("mapped", "mapping.toml");
    let url = format!("sqlite://{}", work.path().join("q.db").display());
    let files = [dir.join("Affaires.csv"), dir.join("Utilisateurs.csv")].map(|f| f.to_string_lossy().into_owned());
    let guessed = succeed(&url, &["import", "--map-init", &files[0], &files[1]]);
    assert!(guessed.contains("\"Gagné\" = \"won\"") && guessed.contains("wrote "), "{guessed}");
    let again = quotient(&url, &["import", "--map-init", &files[0]]);
    assert!(!again.status.success(), "an existing mapping is left alone");
    let mapping = dir.join("mapping.toml").to_string_lossy().into_owned();
    let imported = succeed(&url, &["import", "--map", &mapping, &files[0], &files[1]]);
    assert!(imported.contains("won 1, lost 1, open 1") && imported.contains(": 5 inserted"), "{imported}");
}

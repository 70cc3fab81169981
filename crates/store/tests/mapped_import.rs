//! Importing any CSV through a mapping file (tests/fixtures/mapped), on SQLite and on PostgreSQL.

mod common;

use common::{TestDb, fixture};
use quotient_store::bundle::Silent;
use quotient_store::imports::{self, CrmImportError, mapping};
use std::path::{Path, PathBuf};

fn import(
    test: &mut TestDb,
    mapping_file: &Path,
    files: &[PathBuf],
) -> Result<imports::CrmImportSummary, CrmImportError> {
    let org = test.org("zoho");
    let converted = mapping::convert(mapping_file, files)?;
    imports::import_converted(&mut test.db, org.id, converted, &mut Silent)
}

fn problems(result: Result<imports::CrmImportSummary, CrmImportError>) -> Vec<String> {
    match result {
        Err(CrmImportError::Invalid(problems)) => problems.list().iter().map(ToString::to_string).collect(),
        Err(error) => panic!("expected problems, got {error}"),
        Ok(_) => panic!("expected problems, the import went through"),
    }
}

/// A copy of the fixture folder whose files a test may change.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(fixture("mapped")).expect("fixture").flatten() {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copied");
    }
    dir
}

fn maps_columns_values_dates_and_decimal_commas(test: &mut TestDb) {
    let dir = fixture("mapped");
    let files = [dir.join("Utilisateurs.csv"), dir.join("Affaires.csv")];
    let summary = match import(test, &dir.join("mapping.toml"), &files) {
        Ok(summary) => summary,
        Err(CrmImportError::Invalid(problems)) => panic!("{problems}"),
        Err(error) => panic!("{error}"),
    };
    let org = test.org("zoho");
    assert_eq!(test.count("reps", &org), 2);
    assert_eq!(test.count("opportunities", &org), 3);
    let count = |test: &mut TestDb, condition: &str| {
        let sql = format!("SELECT COUNT(*) FROM opportunities WHERE org_id = ? AND {condition}");
        test.db.query_i64(&sql, &[org.id.value()]).unwrap_or_else(|e| panic!("{e}"))
    };
    // "12.500,00 €" with a decimal comma is 12 500.00; "3 000,50 €" is 3 000.50; "Gagné" is won.
    assert_eq!(count(test, "amount_cents = 1250000 AND status = 'won'"), 1);
    assert_eq!(count(test, "amount_cents = 300050 AND status = 'lost'"), 1);
    assert_eq!(count(test, "external_id = 'zoho:A-3' AND status = 'open' AND closed_at IS NULL"), 1);
    assert_eq!((summary.kpis.won, summary.kpis.lost, summary.kpis.open), (1, 1, 1));
    assert_eq!(summary.kpis.revenue_cents, 1_250_000);
    let range = summary.date_range.map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(range, Some(("2024-01-15".into(), "2024-03-05".into())));
}

fn mapping_mistakes_are_reported_at_their_line(test: &mut TestDb) {
    let dir = copy();
    let mapping_file = dir.path().join("mapping.toml");
    let text =
        std::fs::read_to_string(&mapping_file).expect("read").replace("amount = \"Montant\"", "amount = \"Montnt\"");
    std::fs::write(&mapping_file, text).expect("written");
    let files = [dir.path().join("Utilisateurs.csv"), dir.path().join("Affaires.csv")];
    let listed = problems(import(test, &mapping_file, &files));
    assert_eq!(listed.len(), 1, "{listed:?}");
    // The opportunities' columns are on line 12 of the mapping.
    assert!(listed[0].starts_with("mapping.toml:12: Affaires.csv has no column 'Montnt'"), "{}", listed[0]);
}

fn values_not_translated_are_located_in_the_source(test: &mut TestDb) {
    let dir = copy();
    let deals = dir.path().join("Affaires.csv");
    let text = std::fs::read_to_string(&deals).expect("read").replace("En cours", "Annulé");
    std::fs::write(&deals, text).expect("written");
    let files = [dir.path().join("Utilisateurs.csv"), deals];
    let listed = problems(import(test, &dir.path().join("mapping.toml"), &files));
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(
        listed[0]
            .starts_with("Affaires.csv:4:7: Statut: 'Annulé' is not one of open, won, lost: add it to values.status"),
        "{}",
        listed[0]
    );
    let org = test.org("zoho");
    assert_eq!(test.count("opportunities", &org), 0);
}

fn a_guessed_mapping_imports_the_files_as_they_are(test: &mut TestDb) {
    let dir = fixture("mapped");
    let files = [dir.join("Utilisateurs.csv"), dir.join("Affaires.csv")];
    let guessed = mapping::guess(&files).unwrap_or_else(|e| panic!("{e}"));
    // The French headers, the day-first dates, the decimal commas and the statuses are all read.
    for line in ["[reps]", "[opportunities]", "amount = \"Montant\"", "\"Gagné\" = \"won\"", "decimal_comma = true"] {
        assert!(guessed.contains(line), "{line} in:\n{guessed}");
    }
    assert!(guessed.contains("date_formats = [\"%d/%m/%Y\""), "{guessed}");
    let scratch = tempfile::tempdir().expect("temp dir");
    let mapping_file = scratch.path().join("mapping.toml");
    std::fs::write(&mapping_file, &guessed).expect("written");
    let summary = import(test, &mapping_file, &files).unwrap_or_else(|e| panic!("{e}:\n{guessed}"));
    assert_eq!((summary.kpis.won, summary.kpis.lost, summary.kpis.open), (1, 1, 1));
    let org = test.org("zoho");
    assert_eq!(test.count("reps", &org), 2);
}

on_both_backends!(
    a_guessed_mapping_imports_the_files_as_they_are,
    maps_columns_values_dates_and_decimal_commas,
    mapping_mistakes_are_reported_at_their_line,
    values_not_translated_are_located_in_the_source,
);

//! Bundles that are valid but unusual, and invalid ones that once escaped a located report: each
//! imports, or is refused with problems that say where, on SQLite and PostgreSQL alike.

mod common;

use common::{TestDb, fixture_copy};
use quotient_store::bundle::{self, ImportError, Silent};
use std::path::Path;

fn import(test: &mut TestDb, dir: &Path) -> Result<bundle::ImportSummary, Vec<String>> {
    let org = test.org("acme");
    match bundle::import(&mut test.db, org.id, dir, &mut Silent) {
        Ok(summary) => Ok(summary),
        Err(ImportError::Invalid(problems)) => Err(problems.list().iter().map(ToString::to_string).collect()),
        Err(error) => panic!("an unlocated error instead of problems: {error}"),
    }
}

fn edit(dir: &Path, file: &str, edit: impl Fn(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, edit(text)).unwrap_or_else(|e| panic!("{e}"));
}

fn role(test: &mut TestDb, rep: &str) -> Option<String> {
    test.db
        .query_opt("SELECT role FROM reps WHERE external_id = ?", &[quotient_store::Value::text(rep)], |row| {
            Ok(row.text(0)?.map(str::to_string))
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
}

/// `role` is optional: an empty cell is a rep.
fn a_rep_with_an_empty_role_is_a_rep(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    edit(bundle.path(), "reps.csv", |text| text.replace(",rep,", ",,"));
    import(test, bundle.path()).unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(role(test, "R1").as_deref(), Some("rep"));
    assert_eq!(role(test, "E1").as_deref(), Some("executive"));
}

/// And so is every rep of a file without the column.
fn reps_without_a_role_column_are_reps(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    // The fixture's quoted name holds no comma: the sixth field is the role on every line.
    edit(bundle.path(), "reps.csv", |text| {
        text.lines()
            .map(|line| {
                let mut fields: Vec<&str> = line.split(',').collect();
                fields.remove(5);
                fields.join(",") + "\n"
            })
            .collect()
    });
    import(test, bundle.path()).unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(role(test, "E1").as_deref(), Some("rep"));
}

/// PostgreSQL's text cannot hold a NUL character; no backend takes one from a bundle.
fn a_nul_character_is_refused_where_it_is(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    edit(bundle.path(), "accounts.csv", |text| text.replace("Globex,", "Glo\0bex,"));
    let problems = import(test, bundle.path()).expect_err("a NUL is refused");
    assert_eq!(problems, ["accounts.csv:3:2: name: holds a NUL character (\\0): remove it"]);
}

/// Letters that do not compress, so that PostgreSQL cannot shrink them to fit an index entry.
fn incompressible(len: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

/// PostgreSQL cannot index very long text: ids have a length limit on every backend.
fn a_very_long_id_is_refused_where_it_is(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    let long = incompressible(3000);
    edit(bundle.path(), "activities.csv", |text| text.replace("X3,", &format!("{long},")));
    let problems = import(test, bundle.path()).expect_err("a long id is refused");
    assert_eq!(problems, ["activities.csv:4:1: activity_id: is 3000 characters long: an id has at most 255"]);
    // As long as it may be, it imports.
    let bundle = fixture_copy("valid");
    edit(bundle.path(), "activities.csv", |text| text.replace("X3,", &format!("{},", &long[..255])));
    import(test, bundle.path()).unwrap_or_else(|problems| panic!("{problems:#?}"));
}

on_both_backends!(
    a_very_long_id_is_refused_where_it_is,
    a_rep_with_an_empty_role_is_a_rep,
    reps_without_a_role_column_are_reps,
    a_nul_character_is_refused_where_it_is,
);

//! Text that a spreadsheet would run as a formula is exported with a `'` in front, and read back
//! without it: export → import → export gives identical files and identical values.

mod common;

use common::{TestDb, fixture, fixture_copy, read_bundle};
use quotient_store::Value;
use quotient_store::bundle::{self, ImportError, Silent};
use quotient_store::orgs::Organisation;

/// Values that trip spreadsheets, CSV writers or readers.
const NASTY: [&str; 18] = [
    "=1+1",
    "=HYPERLINK(\"http://example.com\",\"x\")",
    "'=x",
    "''",
    "'",
    "'plain",
    "-5",
    "+49 30 1234",
    "@a",
    "\t=tab first",
    "\r=cr first",
    "a\tb",
    "line1\r\nline2",
    "cr\ronly",
    "say \"hi\", ok",
    "comma,separated;semi",
    "multi\nline",
    "Zürich – 東京 🚀",
];

const CONTACT_TEXT: [&str; 6] = ["first_name", "last_name", "title", "email", "phone", "address"];

fn import_ok(test: &mut TestDb, org: &Organisation, dir: &std::path::Path) {
    match bundle::import(&mut test.db, org.id, dir, &mut Silent) {
        Ok(_) => {}
        Err(ImportError::Invalid(problems)) => panic!("the bundle should import:\n{problems}"),
        Err(error) => panic!("{error}"),
    }
}

fn export(test: &mut TestDb, org: &Organisation) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    bundle::export(&mut test.db, org.id, dir.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// The contacts' text columns and the ids of accounts and reps, in a fixed order.
fn stored_text(test: &mut TestDb, org: &Organisation) -> Vec<String> {
    let mut found = Vec::new();
    let contacts = format!("SELECT {} FROM contacts WHERE org_id = ? ORDER BY external_id", CONTACT_TEXT.join(", "));
    test.db
        .query_each(&contacts, &[org.id.value()], |row| {
            for index in 0..CONTACT_TEXT.len() {
                found.push(row.text(index)?.unwrap_or_default().to_string());
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    for table in ["accounts", "reps"] {
        let ids = format!("SELECT external_id FROM {table} WHERE org_id = ? ORDER BY id");
        test.db
            .query_each(&ids, &[org.id.value()], |row| {
                found.push(row.text(0)?.unwrap_or_default().to_string());
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }
    found
}

fn nasty_text_round_trips_exactly_and_is_never_a_formula(test: &mut TestDb) {
    let org = test.org("acme");
    import_ok(test, &org, &fixture("valid"));
    // The nasty values go into the three contacts' text columns, and into ids others refer to.
    for (index, value) in NASTY.iter().enumerate() {
        let (contact, column) = (format!("C{}", index / CONTACT_TEXT.len() + 1), CONTACT_TEXT[index % 6]);
        test.db
            .execute(
                &format!("UPDATE contacts SET {column} = ? WHERE org_id = ? AND external_id = ?"),
                &[Value::text(value), org.id.value(), Value::text(&contact)],
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for (table, id, nasty_id) in [("accounts", "A1", "=A1"), ("reps", "R2", "@R2"), ("reps", "M1", "'=M1")] {
        test.db
            .execute(
                &format!("UPDATE {table} SET external_id = ? WHERE org_id = ? AND external_id = ?"),
                &[Value::text(nasty_id), org.id.value(), Value::text(id)],
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = stored_text(test, &org);
    let first = export(test, &org);
    let copy = test.org("copy");
    import_ok(test, &copy, first.path());
    assert_eq!(stored_text(test, &copy), before, "the values read back are the values written");
    let second = export(test, &copy);
    assert_eq!(read_bundle(first.path()), read_bundle(second.path()), "export → import → export");

    for (file, bytes) in read_bundle(first.path()) {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
        for record in reader.records() {
            let record = record.unwrap_or_else(|e| panic!("{file}: {e}"));
            for cell in &record {
                let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
                assert!(!formula, "{file}: {cell:?} would run as a formula");
            }
        }
    }
    let contacts = String::from_utf8(std::fs::read(first.path().join("contacts.csv")).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(contacts.contains(",'=1+1,"), "a formula gets one quote: {contacts}");
    assert!(
        contacts.contains(",''=x,") && contacts.contains(",''',',"),
        "a quote before a formula or a quote gets one more: {contacts}"
    );
    assert!(contacts.contains(",'plain"), "a quote before anything else is left alone: {contacts}");
    assert!(contacts.starts_with("contact_id,account_id,"), "{contacts}");
    assert!(contacts.contains("\nC1,'=A1,"), "ids are guarded too: {contacts}");
}

/// A bundle written by hand (or saved by a spreadsheet that kept the guard) reads the same way.
fn a_leading_quote_is_read_back_as_documented(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    let path = bundle.path().join("accounts.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let text = text.replace("Chicago", "'=Chicago").replace("retail", "'retail").replace("United States", "'''US");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let org = test.org("acme");
    import_ok(test, &org, bundle.path());
    let mut read = Vec::new();
    test.db
        .query_each("SELECT city, industry, country FROM accounts WHERE external_id = 'A1'", &[], |row| {
            for index in 0..3 {
                read.push(row.text(index)?.unwrap_or_default().to_string());
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read, ["=Chicago", "manufacturing", "''US"]);
    let industry = test.db.query_opt("SELECT industry FROM accounts WHERE external_id = 'A2'", &[], |row| {
        Ok(row.text(0)?.map(str::to_string))
    });
    assert_eq!(industry.ok().flatten().flatten().as_deref(), Some("'retail"));
}

on_both_backends!(nasty_text_round_trips_exactly_and_is_never_a_formula, a_leading_quote_is_read_back_as_documented);

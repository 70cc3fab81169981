//! Problems are placed on the line an editor shows them on, whatever the line endings, blank
//! lines and multi-line quoted fields of the file.

mod common;

use common::{TestDb, fixture, fixture_copy};
use quotient_store::bundle::{self, ImportError, Silent};
use std::path::Path;

fn problems_of(test: &mut TestDb, dir: &Path) -> Vec<String> {
    let org = test.org("acme");
    match bundle::import(&mut test.db, org.id, dir, &mut Silent) {
        Err(ImportError::Invalid(problems)) => problems.list().iter().map(ToString::to_string).collect(),
        Ok(_) => panic!("the bundle should have been rejected"),
        Err(error) => panic!("{error}"),
    }
}

/// Rewrites every file of `dir` with `edit`.
fn rewrite(dir: &Path, edit: impl Fn(Vec<u8>) -> Vec<u8>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}")).flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(entry.path(), edit(bytes)).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn with_crlf(bytes: Vec<u8>) -> Vec<u8> {
    bytes.into_iter().flat_map(|b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }).collect()
}

fn set_file(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
}

fn crlf_files_report_the_lines_lf_files_do(test: &mut TestDb) {
    let lf = problems_of(test, &fixture("invalid"));
    assert!(lf.contains(&"opportunities.csv:3:6: amount: '-5' is negative: amounts must be 0 or more".to_string()));
    let crlf = fixture_copy("invalid");
    rewrite(crlf.path(), with_crlf);
    assert_eq!(problems_of(test, crlf.path()), lf);
}

/// Contacts: the header on line 1, C1 on lines 2–4 (its address has three lines), C2 on 5 and C3
/// on 6, whose authority level 9 is out of range.
const CONTACTS: &str =
    "contact_id,account_id,first_name,last_name,title,buying_role,authority_level,email,phone,address
C1,A1,Jo,Park,CFO,financial_authority,5,jo@acme.example,+1-555-0100,\"1 Main Street
Suite 4
Chicago\"
C2,A1,,Smith,Buyer,influencer,2,,,
C3,A2,Lee,Chan,CEO,decision_maker,9,lee@globex.example,+1-555-0101,9 Elm Road
";

const OUT_OF_RANGE: &str = "authority_level: 9 is out of range: it must be from 1 to 5";

fn a_problem_after_a_multi_line_field_is_on_its_own_line(test: &mut TestDb) {
    let variants: [(&str, String, u64); 5] = [
        ("LF", CONTACTS.to_string(), 6),
        ("CRLF", CONTACTS.replace('\n', "\r\n"), 6),
        ("CR", CONTACTS.replace('\n', "\r"), 6),
        ("CRLF inside the quotes only", CONTACTS.replace("Street\nSuite 4\n", "Street\r\nSuite 4\r\n"), 6),
        ("blank lines", CONTACTS.replace("\nC2", "\n\n\r\nC2").replace("\nC3", "\n\nC3"), 9),
    ];
    for (name, contacts, line) in variants {
        let bundle = fixture_copy("valid");
        set_file(bundle.path(), "contacts.csv", &contacts);
        let mut fresh = TestDb::sqlite();
        let problems = problems_of(&mut fresh, bundle.path());
        assert_eq!(problems, [format!("contacts.csv:{line}:7: {OUT_OF_RANGE}")], "{name}");
    }
    // And on this backend, for the case of the finding: Windows line endings.
    let bundle = fixture_copy("valid");
    set_file(bundle.path(), "contacts.csv", &CONTACTS.replace('\n', "\r\n"));
    assert_eq!(problems_of(test, bundle.path()), [format!("contacts.csv:6:7: {OUT_OF_RANGE}")]);
}

fn text_that_is_not_utf8_is_placed_in_its_field(test: &mut TestDb) {
    let bundle = fixture_copy("valid");
    let mut contacts = CONTACTS.replace(",9,", ",2,").replace("Buyer", "Buy\u{1}er").into_bytes();
    let at = contacts.iter().position(|&b| b == 1).unwrap_or_else(|| panic!("the marker"));
    contacts[at] = 0xFF;
    std::fs::write(bundle.path().join("contacts.csv"), with_crlf(contacts)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        problems_of(test, bundle.path()),
        ["contacts.csv:5:5: title: the text is not valid UTF-8: save the file as UTF-8"]
    );
}

on_both_backends!(
    crlf_files_report_the_lines_lf_files_do,
    a_problem_after_a_multi_line_field_is_on_its_own_line,
    text_that_is_not_utf8_is_placed_in_its_field,
);

//! A fuzz campaign of the bundle reader, on SQLite and PostgreSQL: random bytes as bundle files,
//! and the valid fixture's files (or other CSV files found beside the checkout, in
//! `../shared/data`) mutated — bytes flipped, files cut short, lines repeated, dropped or swapped,
//! quotes and BOMs inserted, line endings changed, very long fields, text that is not UTF-8, odd
//! values in fields. Whatever the files:
//! - the import never panics;
//! - it succeeds, or fails with problems that each name a bundle file and a line (and the column
//!   of a field's problem), never with an unlocated error;
//! - when it fails, the database holds exactly what it held before;
//! - saved with `\r\n` line ends instead of `\n`, it is reported at the same places.
//!
//! `BUNDLE_FUZZ_CASES` sets the cases per campaign (default 32) for a longer run; failures are kept
//! in `bundle_fuzz.proptest-regressions` and replayed first.

mod common;

use common::{TestDb, fixture, fixture_copy, read_bundle};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use quotient_store::bundle::{self, ImportError, Problem, Silent, spec::FILES};
use quotient_store::orgs::Organisation;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One change to a file's bytes; positions are taken relative to the bytes as they are by then.
#[derive(Debug, Clone)]
enum Mutation {
    FlipByte(Index, u8),
    Truncate(Index),
    DuplicateLine(Index),
    DeleteLine(Index),
    SwapLines(Index, Index),
    Insert(Index, Vec<u8>),
    ReplaceField { line: Index, field: Index, value: String },
    LongField { line: Index, field: Index, byte: u8, len: usize },
    Bom,
    Crlf,
    Cr,
}

/// What a file of the bundle starts as before its mutations.
#[derive(Debug, Clone)]
enum Base {
    Fixture,
    Random(Vec<u8>),
    /// One of the CSV files found in `../shared/data`, if any.
    Foreign(Index),
}

#[derive(Debug, Clone)]
struct FileCase {
    /// The index of the file in `FILES`.
    file: usize,
    base: Base,
    mutations: Vec<Mutation>,
}

#[derive(Debug, Clone)]
struct Case {
    /// Whether the organisation holds the valid fixture before the import (rows are then staged
    /// and merged, not loaded straight into empty tables).
    preloaded: bool,
    files: Vec<FileCase>,
}

fn cases() -> u32 {
    std::env::var("BUNDLE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32)
}

/// The valid fixture's files, and the first lines of the CSV files beside the checkout.
struct Seeds {
    fixture: Vec<Vec<u8>>,
    foreign: Vec<Vec<u8>>,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let fixture = FILES.iter().map(|spec| std::fs::read(fixture("valid").join(spec.file)).unwrap_or_default());
        // CI checks the repository out beside `shared`; without it the campaign uses the fixture only.
        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
        let mut foreign = Vec::new();
        collect_csv_heads(&shared, &mut foreign);
        Seeds { fixture: fixture.collect(), foreign }
    })
}

fn collect_csv_heads(dir: &Path, into: &mut Vec<Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_csv_heads(&path, into);
        } else if path.extension().is_some_and(|e| e == "csv")
            && let Ok(bytes) = std::fs::read(&path)
        {
            // Forty lines are plenty to mutate, and keep each case fast.
            let end =
                bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(40).map_or(bytes.len(), |(i, _)| i + 1);
            into.push(bytes[..end].to_vec());
        }
    }
}

/// Values that are valid somewhere, subtly invalid, or hostile.
fn odd_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "\"",
            "\"\"",
            "\"a\"b",
            "'",
            "'=1+1",
            "=1+1",
            "-1",
            "0",
            "-0",
            "+5",
            "1e3",
            "NaN",
            "12.345",
            "0.001",
            "99999999999999999999",
            "9223372036854775807",
            "-9223372036854775808",
            "92233720368547758.07",
            "2026-02-30",
            "2026-13-01T00:00:00Z",
            "99999-01-01T00:00:00Z",
            "+275760-09-13T00:00:00Z",
            "2026-01-01T00:00:00+14:00",
            "2026-03-31T23:59:60Z",
            "0000-01-01",
            "2026-Q5",
            "2026-Q0",
            "-2026",
            "2026-00",
            "\0",
            "A\0B",
            "R1",
            "M1",
            "E1",
            "O1",
            "A1",
            "C1",
            "L1",
            "T1",
            "PL1",
            "won",
            "lost",
            "open",
            "revenue",
            "deals",
            "\u{FEFF}R1",
            " R1 ",
            "O1\r\nO2",
            "é",
            "𝔘𝔫𝔦",
            "\u{202E}evil",
            "\r",
            "\n",
            "\t",
        ])
        .prop_map(str::to_string),
        any::<String>(),
        "[A-Z]{1,2}[0-9]{1,2}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 1u8..).prop_map(|(at, mask)| Mutation::FlipByte(at, mask)),
        2 => any::<Index>().prop_map(Mutation::Truncate),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        3 => (any::<Index>(), prop_oneof![
            Just(b"\"".to_vec()),
            Just(b"\"\"".to_vec()),
            Just(b",".to_vec()),
            Just(b";".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            // Not UTF-8: a lone continuation byte, a cut sequence, an overlong form, a surrogate.
            Just(b"\x80".to_vec()),
            Just(b"\xC3".to_vec()),
            Just(b"\xC0\xAF".to_vec()),
            Just(b"\xED\xA0\x80".to_vec()),
            Just(b"\xFF\xFE".to_vec()),
            prop::collection::vec(any::<u8>(), 1..16),
        ]).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        5 => (any::<Index>(), any::<Index>(), odd_value())
            .prop_map(|(line, field, value)| Mutation::ReplaceField { line, field, value }),
        1 => (any::<Index>(), any::<Index>(), prop::sample::select(b"x9,\"\n".to_vec()), 1000usize..200_000)
            .prop_map(|(line, field, byte, len)| Mutation::LongField { line, field, byte, len }),
        1 => Just(Mutation::Bom),
        1 => Just(Mutation::Crlf),
        1 => Just(Mutation::Cr),
    ]
}

/// The lines of `bytes`, each with its `\n`.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

/// Replaces a comma-separated field of a line (a rough split: quotes are part of the mutation).
fn replace_field(bytes: &mut Vec<u8>, line: &Index, field: &Index, value: &[u8]) {
    let mut all = lines(bytes);
    if all.is_empty() {
        return;
    }
    let target = line.index(all.len());
    let text = &all[target];
    let body_end = text.len() - usize::from(text.ends_with(b"\n"));
    let mut fields: Vec<Vec<u8>> = text[..body_end].split(|b| *b == b',').map(<[u8]>::to_vec).collect();
    let index = field.index(fields.len());
    fields[index] = value.to_vec();
    let mut rebuilt = fields.join(&b","[..]);
    rebuilt.extend_from_slice(&text[body_end..]);
    all[target] = rebuilt;
    *bytes = all.concat();
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    match mutation {
        Mutation::FlipByte(at, mask) if !bytes.is_empty() => {
            let at = at.index(bytes.len());
            bytes[at] ^= mask;
        }
        Mutation::Truncate(at) if !bytes.is_empty() => bytes.truncate(at.index(bytes.len())),
        Mutation::DuplicateLine(at) | Mutation::DeleteLine(at) => {
            let mut all = lines(bytes);
            if all.is_empty() {
                return;
            }
            let index = at.index(all.len());
            if matches!(mutation, Mutation::DeleteLine(_)) {
                all.remove(index);
            } else {
                all.insert(index, all[index].clone());
            }
            *bytes = all.concat();
        }
        Mutation::SwapLines(a, b) => {
            let mut all = lines(bytes);
            if !all.is_empty() {
                let (a, b) = (a.index(all.len()), b.index(all.len()));
                all.swap(a, b);
                *bytes = all.concat();
            }
        }
        Mutation::Insert(at, inserted) => {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
        Mutation::ReplaceField { line, field, value } => replace_field(bytes, line, field, value.as_bytes()),
        Mutation::LongField { line, field, byte, len } => replace_field(bytes, line, field, &vec![*byte; *len]),
        Mutation::Bom => bytes.splice(0..0, *b"\xEF\xBB\xBF").for_each(drop),
        Mutation::Crlf | Mutation::Cr => {
            let ending: &[u8] = if matches!(mutation, Mutation::Crlf) { b"\r\n" } else { b"\r" };
            *bytes = bytes.split(|b| *b == b'\n').collect::<Vec<_>>().join(ending);
        }
        Mutation::FlipByte(..) | Mutation::Truncate(_) => {}
    }
}

impl FileCase {
    fn bytes(&self) -> Vec<u8> {
        let seeds = seeds();
        let mut bytes = match &self.base {
            Base::Fixture => seeds.fixture[self.file].clone(),
            Base::Random(bytes) => bytes.clone(),
            Base::Foreign(index) if !seeds.foreign.is_empty() => {
                seeds.foreign[index.index(seeds.foreign.len())].clone()
            }
            Base::Foreign(_) => seeds.fixture[self.file].clone(),
        };
        for mutation in &self.mutations {
            apply(&mut bytes, mutation);
        }
        bytes
    }
}

fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
    // Bytes CSV gives meaning to come often, so that the reader gets past the header.
    let byte = prop_oneof![3 => any::<u8>(), 2 => prop::sample::select(b",;\"'\r\n=-@\t\xEF\xBB\xBF0A".to_vec())];
    prop::collection::vec(byte, 0..1500)
}

fn random_file() -> impl Strategy<Value = FileCase> {
    (0..FILES.len(), random_bytes()).prop_map(|(file, bytes)| FileCase {
        file,
        base: Base::Random(bytes),
        mutations: vec![],
    })
}

fn mutated_file() -> impl Strategy<Value = FileCase> {
    let base = prop_oneof![6 => Just(Base::Fixture), 1 => any::<Index>().prop_map(Base::Foreign)];
    (0..FILES.len(), base, prop::collection::vec(mutation(), 1..6)).prop_map(|(file, base, mutations)| FileCase {
        file,
        base,
        mutations,
    })
}

fn case(file: impl Strategy<Value = FileCase>) -> impl Strategy<Value = Case> {
    (any::<bool>(), prop::collection::vec(file, 1..4)).prop_map(|(preloaded, files)| Case { preloaded, files })
}

/// What the database holds that an import could change: the rows of every table it writes, for
/// every organisation, and the organisation's data as an exported bundle.
fn fingerprint(test: &mut TestDb, org: &Organisation) -> (Vec<i64>, Vec<(String, Vec<u8>)>) {
    let tables = common::bundle_tables().chain(["rollup_cells", "audit_log", "id_sequences", "organisations"]);
    let counts = tables
        .map(|table| {
            test.db
                .query_i64(&format!("SELECT COUNT(*) FROM {table}"), &[])
                .unwrap_or_else(|e| panic!("counting {table}: {e}"))
        })
        .collect();
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    bundle::export(&mut test.db, org.id, out.path(), &mut Silent).unwrap_or_else(|e| panic!("export: {e}"));
    (counts, read_bundle(out.path()))
}

/// A problem says which file of the bundle and which line, one the file has. A field's problem names the field, and
/// its column unless the file has none (an optional column left out is empty).
fn check_located(problem: &Problem, bundle: &Path) -> Result<(), TestCaseError> {
    prop_assert!(FILES.iter().any(|spec| spec.file == problem.file), "not a bundle file: {problem}");
    prop_assert!(problem.line >= 1, "no line: {problem}");
    let bytes = std::fs::read(bundle.join(&problem.file))?;
    let lines = 1 + bytes.iter().filter(|b| matches!(b, b'\n' | b'\r')).count() as u64;
    prop_assert!(problem.line <= lines, "beyond the file's {lines} lines: {problem}");
    prop_assert!(problem.column != Some(0), "columns count from 1: {problem}");
    prop_assert!(!problem.message.is_empty(), "no message: {problem:?}");
    Ok(())
}

fn check(test: &mut TestDb, case: &Case) -> Result<(), TestCaseError> {
    static ORGS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let slug = format!("fuzz{}", ORGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let org = test.org(&slug);
    if case.preloaded {
        bundle::import(&mut test.db, org.id, &fixture("valid"), &mut Silent)
            .unwrap_or_else(|e| panic!("the valid fixture imports: {e}"));
    }
    let dir = fixture_copy("valid");
    for file in &case.files {
        std::fs::write(dir.path().join(FILES[file.file].file), file.bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    let before = fingerprint(test, &org);
    match bundle::import(&mut test.db, org.id, dir.path(), &mut Silent) {
        Ok(_) => {
            bundle::export(&mut test.db, org.id, tempfile::tempdir()?.path(), &mut Silent)
                .map_err(|e| TestCaseError::fail(format!("an imported bundle does not export: {e}")))?;
        }
        Err(ImportError::Invalid(problems)) => {
            prop_assert!(problems.total() > 0);
            for problem in problems.list() {
                check_located(problem, dir.path())?;
            }
            prop_assert!(fingerprint(test, &org) == before, "a failed import changed the database");
        }
        Err(ImportError::Store(error)) => {
            return Err(TestCaseError::fail(format!("an unlocated error instead of problems: {error}")));
        }
    }
    Ok(())
}

/// Runs `cases()` cases of `strategy` against one database, a new organisation each.
fn campaign(test: &mut TestDb, strategy: impl Strategy<Value = Case>) {
    let config = Config { cases: cases(), source_file: Some(file!()), max_shrink_iters: 512, ..Config::default() };
    let mut runner = TestRunner::new(config);
    // The runner wants a `Fn`; the cases run one after another.
    let test = std::cell::RefCell::new(test);
    if let Err(failure) = runner.run(&strategy, |case| check(&mut test.borrow_mut(), &case)) {
        panic!("{failure}");
    }
}

fn random_bytes_as_files(test: &mut TestDb) {
    campaign(test, case(random_file()));
}

fn mutated_real_files(test: &mut TestDb) {
    campaign(test, case(mutated_file()));
}

on_both_backends!(random_bytes_as_files, mutated_real_files);

/// Where each problem of `dir` is (file, line, column), after importing it into a new organisation.
fn places(test: &mut TestDb, dir: &Path) -> Option<Vec<(String, u64, Option<usize>)>> {
    static ORGS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let org = test.org(&format!("endings{}", ORGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    match bundle::import(&mut test.db, org.id, dir, &mut Silent) {
        Err(ImportError::Invalid(problems)) => {
            Some(problems.list().iter().map(|p| (p.file.clone(), p.line, p.column)).collect())
        }
        _ => None,
    }
}

/// Line endings are the file's own business: a bundle saved with `\r\n` is reported at the places
/// the same bundle with `\n` is.
#[test]
fn line_endings_do_not_move_problems() {
    let mut test = TestDb::sqlite();
    let config = Config { cases: cases(), source_file: Some(file!()), max_shrink_iters: 512, ..Config::default() };
    let test = std::cell::RefCell::new(&mut test);
    let result = TestRunner::new(config).run(&case(mutated_file()), |case| {
        let (lf, crlf) = (fixture_copy("valid"), fixture_copy("valid"));
        for file in &case.files {
            std::fs::write(lf.path().join(FILES[file.file].file), file.bytes())?;
        }
        for entry in std::fs::read_dir(lf.path())?.flatten() {
            // The fixture's reps.csv has `\r\n` already: every file is given `\n` first.
            let text = std::fs::read(entry.path())?;
            let lines: Vec<&[u8]> =
                text.split(|b| *b == b'\n').map(|line| line.strip_suffix(b"\r").unwrap_or(line)).collect();
            prop_assume!(lines.iter().all(|line| !line.contains(&b'\r')));
            std::fs::write(entry.path(), lines.join(&b"\n"[..]))?;
            std::fs::write(crlf.path().join(entry.file_name()), lines.join(&b"\r\n"[..]))?;
        }
        let mut test = test.borrow_mut();
        prop_assert_eq!(places(&mut test, lf.path()), places(&mut test, crlf.path()));
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

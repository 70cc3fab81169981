//! Opening a bundle file: UTF-8 with or without a BOM, `,` or `;` delimited, quoted fields that may
//! hold newlines, `\n`, `\r\n` or `\r` line ends. Streams: only one record is held at a time.

use super::formula;
use super::lines::LineCounting;
use super::problem::Problem;
use super::spec::{FileSpec, Kind};
use crate::error::{Result, StoreError};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// An open bundle file and where each of its spec's columns is in it.
pub struct CsvFile {
    reader: csv::Reader<LineCounting<BufReader<File>>>,
    /// For each column of the spec, its index in the file, if present.
    pub positions: Vec<Option<usize>>,
    pub width: usize,
    pub bytes: u64,
    /// A required column is missing: the rows cannot be imported, but their ids can be known.
    pub missing_required: bool,
    spec: &'static FileSpec,
}

/// A record that cannot be read, and where it is.
pub struct Unreadable {
    pub problem: Problem,
    /// Nothing after it can be read either.
    pub is_fatal: bool,
}

impl CsvFile {
    /// Reads the next record into `record` and returns the line it starts on; `None` at the end.
    pub fn next_record(&mut self, record: &mut csv::StringRecord) -> std::result::Result<Option<u64>, Unreadable> {
        match self.reader.read_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(self.line_at(record.position().map_or(0, csv::Position::byte)))),
            Err(error) => {
                let start = error.position().unwrap_or(self.reader.position()).byte();
                let line = self.line_at(start);
                let message = describe_csv_error(&error);
                Err(Unreadable {
                    problem: located_problem(self.spec, &self.positions, line, field_of(&error), message),
                    is_fatal: matches!(error.kind(), csv::ErrorKind::Io(_)),
                })
            }
        }
    }

    fn line_at(&mut self, start: u64) -> u64 {
        self.reader.get_mut().line_of(start)
    }
}

/// The problem at `line` of the file, in its `field`-th field (0-based) when known: named after
/// the spec's column there, if there is one.
fn located_problem(
    spec: &FileSpec,
    positions: &[Option<usize>],
    line: u64,
    field: Option<usize>,
    message: String,
) -> Problem {
    let name = field.and_then(|f| positions.iter().position(|p| *p == Some(f))).map(|c| spec.columns[c].name);
    Problem {
        file: spec.file.to_string(),
        line,
        column: field.map(|f| f + 1),
        field: name.map(str::to_string),
        message,
    }
}

/// The value of the field at `position` of `record` (empty when the file has no such column):
/// without surrounding spaces, and for a text column without the `'` the export puts before text
/// that would read as a formula.
pub fn cell(record: &csv::StringRecord, position: Option<usize>, kind: Kind) -> &str {
    let text = position.and_then(|p| record.get(p)).map_or("", str::trim);
    if kind.is_text() { formula::unguard(text) } else { text }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens `path` and maps its header to `spec`. Header problems (unknown, duplicate or missing
/// columns) are returned as problems; the file is opened unless its header cannot be read.
pub fn open(path: &Path, spec: &'static FileSpec) -> Result<(Option<CsvFile>, Vec<Problem>)> {
    let (input, delimiter, bytes) = open_input(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(LineCounting::new(input));
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(error) => {
            let line = reader.get_mut().line_of(error.position().map_or(0, csv::Position::byte));
            let message = format!("cannot read the header: {}", describe_csv_error(&error));
            return Ok((None, vec![located_problem(spec, &[], line, field_of(&error), message)]));
        }
    };
    // The header is on line 1 unless blank lines come before it.
    let header_line = reader.get_mut().line_of(header.position().map_or(0, csv::Position::byte));
    let problem = |column: Option<usize>, message: String| Problem {
        file: spec.file.to_string(),
        line: header_line,
        column,
        field: None,
        message,
    };
    let mut problems = Vec::new();
    let mut positions = vec![None; spec.columns.len()];
    for (index, name) in header.iter().enumerate() {
        let name = name.trim();
        match spec.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)) {
            Some(column) if positions[column].is_some() => {
                problems.push(problem(Some(index + 1), format!("column '{name}' appears twice: keep one")))
            }
            Some(column) => positions[column] = Some(index),
            None => {
                let known: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
                problems.push(problem(
                    Some(index + 1),
                    format!(
                        "unknown column '{name}': rename or remove it (the columns of {} are: {})",
                        spec.file,
                        known.join(", ")
                    ),
                ))
            }
        }
    }
    let mut missing_required = false;
    for (column, position) in spec.columns.iter().zip(&positions) {
        if column.required && position.is_none() {
            missing_required = true;
            problems
                .push(problem(None, format!("the required column '{}' is missing: add it to the header", column.name)));
        }
    }
    // Unknown or repeated columns are reported and ignored; the rows are still read, so that their
    // own problems are found in the same run and other files can refer to them.
    Ok((Some(CsvFile { reader, positions, width: header.len(), bytes, missing_required, spec }), problems))
}

/// Opens `path` for reading as CSV: buffered, past a UTF-8 byte-order mark, with the delimiter
/// sniffed from the header line. Returns the input, the delimiter and the file's size.
pub(crate) fn open_input(path: &Path) -> Result<(BufReader<File>, u8, u64)> {
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut input = BufReader::with_capacity(256 * 1024, file);
    let head = input.fill_buf().map_err(|e| StoreError::io(path, e))?;
    let has_bom = head.starts_with(UTF8_BOM);
    let delimiter = sniff_delimiter(if has_bom { &head[UTF8_BOM.len()..] } else { head });
    if has_bom {
        input.consume(UTF8_BOM.len());
    }
    Ok((input, delimiter, bytes))
}

/// The line breaks (`\n`) in the file at `path`: at least its records, the header's among them,
/// when a record holds none (a size to make room for, not a count of rows). One quick pass over
/// the bytes, without parsing them.
pub fn count_lines(path: &Path) -> Result<u64> {
    let mut input = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut buffer = vec![0; 256 * 1024];
    let mut lines = 0;
    loop {
        match std::io::Read::read(&mut input, &mut buffer) {
            Ok(0) => return Ok(lines),
            Ok(read) => lines += memchr::memchr_iter(b'\n', &buffer[..read]).count() as u64,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(StoreError::io(path, error)),
        }
    }
}

/// `;` when the header line has more semicolons than commas (outside quotes), else `,`.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            b'\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// The 0-based field a CSV error is in, when it is one field's.
fn field_of(error: &csv::Error) -> Option<usize> {
    match error.kind() {
        csv::ErrorKind::Utf8 { err, .. } => Some(err.field()),
        _ => None,
    }
}

/// A CSV error in words a person can act on.
fn describe_csv_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not valid UTF-8: save the file as UTF-8".to_string(),
        csv::ErrorKind::Io(e) => format!("cannot be read: {e}"),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::sniff_delimiter;

    #[test]
    fn sniffs_the_delimiter_from_the_header_line() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\r\n1,2"), b';');
        assert_eq!(sniff_delimiter(b"\"a;b\",c\n"), b',');
    }
}

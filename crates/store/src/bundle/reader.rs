//! Opening a bundle file: UTF-8 with or without a BOM, `,` or `;` delimited, quoted fields that may
//! hold newlines, `\n` or `\r\n` line ends. Streams: only one record is held at a time.

use super::problem::Problem;
use super::spec::FileSpec;
use crate::error::{Result, StoreError};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// An open bundle file and where each of its spec's columns is in it.
pub struct CsvFile {
    pub reader: csv::Reader<Box<dyn Read + Send>>,
    /// For each column of the spec, its index in the file, if present.
    pub positions: Vec<Option<usize>>,
    pub width: usize,
    pub bytes: u64,
    /// A required column is missing: the rows cannot be imported, but their ids can be known.
    pub missing_required: bool,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens `path` and maps its header to `spec`. Header problems (unknown, duplicate or missing
/// columns) are returned as problems; the file is opened unless its header cannot be read.
pub fn open(path: &Path, spec: &FileSpec) -> Result<(Option<CsvFile>, Vec<Problem>)> {
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut input = BufReader::with_capacity(256 * 1024, file);
    let head = input.fill_buf().map_err(|e| StoreError::io(path, e))?;
    let has_bom = head.starts_with(UTF8_BOM);
    let delimiter = sniff_delimiter(if has_bom { &head[UTF8_BOM.len()..] } else { head });
    if has_bom {
        input.consume(UTF8_BOM.len());
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(Box::new(input) as Box<dyn Read + Send>);
    let problem = |column: Option<usize>, message: String| Problem {
        file: spec.file.to_string(),
        line: 1,
        column,
        field: None,
        message,
    };
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(error) => {
            return Ok((None, vec![problem(None, format!("cannot read the header: {}", describe_csv_error(&error)))]));
        }
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
    Ok((Some(CsvFile { reader, positions, width: header.len(), bytes, missing_required }), problems))
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

/// A CSV error in words a person can act on.
pub fn describe_csv_error(error: &csv::Error) -> String {
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

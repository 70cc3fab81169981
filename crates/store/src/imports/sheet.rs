//! One exported CSV file of a CRM (or a worksheet of an XLSX workbook, `workbook.rs`), read whole:
//! UTF-8 with or without a BOM, or ISO-8859-1 when it (Windows-1252) is not valid UTF-8; `,`, `;`
//! or tab delimited; headers found by name without regard to case. Every value read from it can
//! be located (file, line, column) in a [`Problem`].

use crate::bundle::Problem;
use std::path::Path;

/// A CRM export file held in memory with the line each record starts on.
pub struct Sheet {
    /// The file's name as the user gave it (shown in problems).
    pub file: String,
    headers: Vec<String>,
    records: Vec<(u64, csv::StringRecord)>,
}

/// One record of a [`Sheet`].
#[derive(Clone, Copy)]
pub struct Row<'s> {
    pub sheet: &'s Sheet,
    pub line: u64,
    record: &'s csv::StringRecord,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl Sheet {
    /// The sheets of `path`: each worksheet of an XLSX workbook that has a header row, else the
    /// CSV file; a file that cannot be read is one problem.
    pub fn read_all(path: &Path) -> Vec<Result<Sheet, Problem>> {
        if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("xlsx")) {
            super::workbook::read(path)
        } else {
            vec![Sheet::read(path)]
        }
    }

    /// A sheet of `headers` and `(line, values)` records read from a workbook.
    pub(super) fn of_rows(file: String, headers: Vec<String>, records: Vec<(u64, Vec<String>)>) -> Sheet {
        let records = records.into_iter().map(|(line, values)| (line, csv::StringRecord::from(values))).collect();
        Sheet { file, headers, records }
    }

    /// Reads `path`; a file that cannot be read or parsed is one problem at the place it breaks.
    pub fn read(path: &Path) -> Result<Sheet, Problem> {
        let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let bytes = std::fs::read(path).map_err(|e| whole_file(&file, format!("cannot be read: {e}")))?;
        Sheet::parse(file, &bytes)
    }

    pub fn parse(file: String, bytes: &[u8]) -> Result<Sheet, Problem> {
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        // Not UTF-8: exports from older CRMs and spreadsheets are ISO-8859-1 or Windows-1252.
        let text = super::text::decode(bytes).into_owned();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sniff_delimiter(&text))
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(headers) => headers.iter().map(|h| h.trim().to_string()).collect(),
            Err(e) => return Err(whole_file(&file, format!("cannot read the header: {e}"))),
        };
        let mut records = Vec::new();
        for record in reader.records() {
            match record {
                Ok(record) if record.iter().all(|field| field.trim().is_empty()) => {}
                Ok(record) => records.push((line_at(&text, record.position().map_or(0, csv::Position::byte)), record)),
                Err(e) => {
                    let line = line_at(&text, e.position().map_or(0, csv::Position::byte));
                    return Err(Problem {
                        file,
                        line,
                        column: None,
                        field: None,
                        message: format!("cannot be read here: {e}; export the file again"),
                    });
                }
            }
        }
        Ok(Sheet { file, headers, records })
    }

    /// The position of the first header among `names` (compared without regard to case).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| self.headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
    }

    /// The positions of the headers starting with `prefix`, with the rest of each header.
    pub fn columns_starting_with<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        self.headers.iter().enumerate().filter_map(move |(index, header)| {
            let head = header.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix).then(|| (index, &header[prefix.len()..]))
        })
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |(line, record)| Row { sheet: self, line: *line, record })
    }

    /// A problem with a required column that the header does not have.
    pub fn missing(&self, names: &[&str]) -> Problem {
        Problem {
            file: self.file.clone(),
            line: 1,
            column: None,
            field: Some(names[0].to_string()),
            message: format!(
                "the column '{}' is missing: export the file again with it (the columns are: {})",
                names[0],
                self.headers.join(", ")
            ),
        }
    }
}

impl<'s> Row<'s> {
    /// The trimmed value at `column`; empty when the file has no such column or the row is short.
    pub fn get(&self, column: Option<usize>) -> &'s str {
        column.and_then(|c| self.record.get(c)).map_or("", str::trim)
    }

    /// A problem with the value at `column` of this row.
    pub fn problem(&self, column: Option<usize>, message: String) -> Problem {
        Problem {
            file: self.sheet.file.clone(),
            line: self.line,
            column: column.map(|c| c + 1),
            field: column.and_then(|c| self.sheet.headers.get(c)).cloned(),
            message,
        }
    }
}

/// The line a record starting at byte `start` is on: blank lines before it are not its own.
fn line_at(text: &str, start: u64) -> u64 {
    let start = usize::try_from(start).unwrap_or(usize::MAX).min(text.len());
    let before = text.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count();
    let blank =
        text.as_bytes()[start..].iter().take_while(|&&b| b == b'\n' || b == b'\r').filter(|&&b| b == b'\n').count();
    (before + blank) as u64 + 1
}

fn whole_file(file: &str, message: String) -> Problem {
    Problem { file: file.to_string(), line: 0, column: None, field: None, message }
}

/// The delimiter the header line uses most outside quotes: `,`, `;` or a tab.
fn sniff_delimiter(text: &str) -> u8 {
    let (mut counts, mut quoted) = ([0usize; 3], false);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            b'\n' if !quoted => break,
            _ => {}
        }
    }
    let delimiters = [b',', b';', b'\t'];
    let most = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    delimiters[most]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_latin1_semicolons_and_locates_lines() {
        // "Société" in ISO-8859-1: é is the single byte 0xE9.
        let bytes = b"Name;Montant\n\nSoci\xe9t\xe9;1,5\n\"Two\nlines\";2\nLast;3\n";
        let sheet = Sheet::parse("a.csv".into(), bytes).expect("parses");
        let rows: Vec<_> = sheet.rows().map(|r| (r.line, r.get(Some(0)).to_string())).collect();
        // Blank line 2 is skipped; the quoted record spans lines 4–5, so "Last" starts on line 6.
        assert_eq!(rows, vec![(3, "Société".into()), (4, "Two\nlines".into()), (6, "Last".into())]);
        assert_eq!(sheet.column(&["montant"]), Some(1));
    }

    #[test]
    fn strips_the_bom_and_sniffs_tabs() {
        let sheet = Sheet::parse("b.csv".into(), b"\xEF\xBB\xBFa\tb\n1\t2\n").expect("parses");
        assert_eq!(sheet.headers(), ["a", "b"]);
        let row = sheet.rows().next().expect("one row");
        assert_eq!(row.get(sheet.column(&["B"])), "2");
        let problem = row.problem(Some(1), "bad".into());
        assert_eq!(problem.to_string(), "b.csv:2:2: b: bad");
    }
}

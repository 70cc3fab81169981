//! Reading vendor exports as they come out of the product: UTF-8 with or without a BOM, or
//! ISO-8859-1 / Windows-1252 (decided per field, so a file mixing both still reads), `,` or `;`
//! delimited, every field quoted or none, booleans as `0`/`1` or `true`/`false`, empty lookups
//! written as the sentinel id `000000000000000AAA`, and 15- or 18-character record ids.

use crate::bundle::Problem;
use crate::bundle::lines::LineCounting;
use crate::error::Result;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Column names asked for, and where they are in the file.
type CachedColumns = (Vec<String>, Vec<Option<usize>>);

/// One vendor CSV file, open for streaming: its header, and one record at a time.
pub struct VendorCsv {
    /// The file's name as the user knows it (`Opportunity.csv`), for problems.
    pub name: String,
    pub header: Vec<String>,
    pub bytes: u64,
    reader: csv::Reader<LineCounting<BufReader<File>>>,
    cached_columns: std::cell::RefCell<Vec<CachedColumns>>,
}

impl VendorCsv {
    /// Opens `path` (the delimiter sniffed, a byte-order mark skipped) and reads its header.
    pub fn open(path: &Path) -> Result<std::result::Result<VendorCsv, Problem>> {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let (input, delimiter, bytes) = crate::bundle::reader::open_input(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(LineCounting::new(input));
        let header = match reader.byte_headers() {
            Ok(header) => header.iter().map(|h| decode(h).trim().to_string()).collect(),
            Err(error) => {
                return Ok(Err(Problem {
                    file: name,
                    line: 1,
                    column: None,
                    field: None,
                    message: format!("cannot read the header: {error}"),
                }));
            }
        };
        Ok(Ok(VendorCsv { name, header, bytes, reader, cached_columns: std::cell::RefCell::default() }))
    }

    /// The indexes of the columns named `names` (see [`VendorCsv::column`]), looked up once for a
    /// list asked for again and again (a reader asks for the same list on every record).
    pub fn columns(&self, names: &[&str]) -> Vec<Option<usize>> {
        let mut cached = self.cached_columns.borrow_mut();
        if let Some((_, found)) = cached.iter().find(|(asked, _)| asked.as_slice() == names) {
            return found.clone();
        }
        let found: Vec<Option<usize>> = names.iter().map(|n| self.column(n)).collect();
        cached.push((names.iter().map(|n| (*n).to_string()).collect(), found.clone()));
        found
    }

    /// The index of the column named `name` (API field names compare without case), if present.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.eq_ignore_ascii_case(name))
    }

    /// Reads the next record into `record`; its 1-based line, `None` at the end, or the problem
    /// that makes it unreadable (and, when `fatal`, everything after it).
    pub fn next_record(&mut self, record: &mut csv::ByteRecord) -> std::result::Result<Option<u64>, (Problem, bool)> {
        match self.reader.read_byte_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let start = record.position().map_or(0, csv::Position::byte);
                Ok(Some(self.reader.get_mut().line_of(start)))
            }
            Err(error) => {
                let start = error.position().unwrap_or(self.reader.position()).byte();
                let line = self.reader.get_mut().line_of(start);
                let fatal = matches!(error.kind(), csv::ErrorKind::Io(_));
                let problem = Problem {
                    file: self.name.clone(),
                    line,
                    column: None,
                    field: None,
                    message: format!("cannot be read ({error}): check for an unclosed quote"),
                };
                Err((problem, fatal))
            }
        }
    }

    /// The problem with `record`'s field `column` on `line`.
    pub fn problem(&self, line: u64, column: Option<usize>, message: String) -> Problem {
        Problem {
            file: self.name.clone(),
            line,
            column: column.map(|c| c + 1),
            field: column.and_then(|c| self.header.get(c)).cloned(),
            message,
        }
    }
}

/// The text of `record`'s field at `column` (empty when the file has no such column), trimmed.
pub fn field(record: &csv::ByteRecord, column: Option<usize>) -> Cow<'_, str> {
    match column.and_then(|c| record.get(c)) {
        Some(bytes) => match decode(bytes) {
            Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
            Cow::Owned(text) => Cow::Owned(text.trim().to_string()),
        },
        None => Cow::Borrowed(""),
    }
}

/// UTF-8 when the bytes are, else Windows-1252 (a superset of ISO-8859-1's printable characters):
/// text exported as Latin-1 is never valid UTF-8 once it has a byte over 0x7F in it.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

/// The characters Windows-1252 puts at 0x80–0x9F, where ISO-8859-1 has control codes.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’',
    '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn windows_1252(byte: u8) -> char {
    match byte {
        0x80..=0x9F => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// `1`/`0`, `true`/`false`, `yes`/`no` in any case; `None` for anything else (an empty cell too).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" => Some(true),
        "0" | "false" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// What a Salesforce export writes in a lookup that points nowhere.
pub const EMPTY_LOOKUP: &str = "000000000000000AAA";

/// A record id in its 15-character, case-sensitive form, which both the 15- and the
/// 18-character spellings share (the 18-character one adds a 3-character checksum of the case).
/// `Ok(None)` for an empty cell or the empty-lookup sentinel.
pub fn record_id(text: &str) -> std::result::Result<Option<&str>, String> {
    let text = text.trim();
    if text.is_empty() || text == EMPTY_LOOKUP || text == &EMPTY_LOOKUP[..15] {
        return Ok(None);
    }
    if !text.bytes().all(|b| b.is_ascii_alphanumeric()) || !(text.len() == 15 || text.len() == 18) {
        return Err(format!("'{text}' is not a record id (15 or 18 letters and digits): export the id column as is"));
    }
    Ok(Some(&text[..15]))
}

/// The 3-letter key prefix of a record id, which names its object (`006` an opportunity).
pub fn key_prefix(id: &str) -> &str {
    id.get(..3).unwrap_or("")
}

/// A date-time as exports write it: `2024-03-01T09:30:00.000Z`, `2024-03-01T09:30:00Z`,
/// `2024-03-01T09:30:00+01:00`, `2024-03-01 09:30:00` (UTC) or a bare date (midnight UTC).
pub fn parse_datetime(text: &str) -> std::result::Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Ok(at.with_timezone(&Utc));
        }
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at.and_utc());
        }
    }
    parse_date(text)
        .map(|date| date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        .map_err(|_| format!("'{text}' is not a date and time: write it as 2024-03-01T09:30:00Z"))
}

/// A date `2024-03-01`, or the date of a date-time.
pub fn parse_date(text: &str) -> std::result::Result<NaiveDate, String> {
    let text = text.trim();
    let date = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| format!("'{text}' is not a date: write it as 2024-03-01"))
}

/// An exact decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    /// `-1234.5`, `1234.50`, `1e3`, `1.5E-2` (exports write large doubles that way); no thousands
    /// separators.
    pub fn parse(text: &str) -> std::result::Result<Decimal, String> {
        let text = text.trim();
        let bad = || format!("'{text}' is not a number: write it with a '.' before the decimals, e.g. 1234.50");
        let (number, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().map_err(|_| bad())?),
            None => (text, 0),
        };
        let (negative, digits) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
            || whole.len() + fraction.len() > 30
        {
            return Err(bad());
        }
        let mut mantissa: i128 = format!("{whole}{fraction}").parse().map_err(|_| bad())?;
        let mut scale = i32::try_from(fraction.len()).map_err(|_| bad())? - exponent;
        while scale < 0 {
            mantissa = mantissa.checked_mul(10).ok_or_else(bad)?;
            scale += 1;
        }
        let scale = u32::try_from(scale).map_err(|_| bad())?;
        if scale > 30 {
            return Err(bad());
        }
        Ok(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale })
    }

    /// The value in cents, rounded half away from zero.
    pub fn cents(self) -> std::result::Result<i64, String> {
        divide_rounded(self.mantissa * 100, 10i128.pow(self.scale))
    }
}

/// `numerator / denominator` rounded half away from zero, as i64.
pub fn divide_rounded(numerator: i128, denominator: i128) -> std::result::Result<i64, String> {
    if denominator == 0 {
        return Err("division by zero".to_string());
    }
    let (n, d) = if denominator < 0 { (-numerator, -denominator) } else { (numerator, denominator) };
    let half_up = if n >= 0 { (n + d / 2) / d } else { -((-n + d / 2) / d) };
    i64::try_from(half_up).map_err(|_| "is too large".to_string())
}

/// A money amount in cents: a decimal, rounded to the cent.
pub fn parse_cents(text: &str) -> std::result::Result<i64, String> {
    Decimal::parse(text)?.cents()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_as_is_and_latin1_per_byte() {
        assert_eq!(decode("Müller".as_bytes()), "Müller");
        // "Müller" in ISO-8859-1: ü is the single byte 0xFC; "€" in Windows-1252 is 0x80.
        assert_eq!(decode(b"M\xFCller"), "Müller");
        assert_eq!(decode(b"5 \x80"), "5 €");
    }

    #[test]
    fn reads_booleans_as_exports_write_them() {
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool(""), None);
    }

    #[test]
    fn normalises_ids_to_fifteen_characters() {
        assert_eq!(record_id("0065g00000AbCdE"), Ok(Some("0065g00000AbCdE")));
        assert_eq!(record_id("0065g00000AbCdEIAZ"), Ok(Some("0065g00000AbCdE")));
        assert_eq!(record_id("000000000000000AAA"), Ok(None));
        assert_eq!(record_id(""), Ok(None));
        assert!(record_id("006-bad").is_err());
    }

    #[test]
    fn parses_export_timestamps() {
        let at = parse_datetime("2024-03-01T09:30:00.000Z").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(at.to_rfc3339(), "2024-03-01T09:30:00+00:00");
        // 10:30 in UTC+01:00 is 09:30 UTC.
        assert_eq!(parse_datetime("2024-03-01T10:30:00.000+0100").unwrap_or_else(|e| panic!("{e:?}")), at);
        assert_eq!(parse_datetime("2024-03-01 09:30:00").unwrap_or_else(|e| panic!("{e:?}")), at);
        assert_eq!(
            parse_datetime("2024-03-01").unwrap_or_else(|e| panic!("{e:?}")).to_rfc3339(),
            "2024-03-01T00:00:00+00:00"
        );
        assert!(parse_datetime("01/03/2024").is_err());
    }

    #[test]
    fn parses_decimals_exactly_and_rounds_cents_half_away_from_zero() {
        assert_eq!(parse_cents("1234.5"), Ok(123_450));
        assert_eq!(parse_cents("0.005"), Ok(1));
        assert_eq!(parse_cents("-0.005"), Ok(-1));
        // 1.5E3 = 1500.00
        assert_eq!(parse_cents("1.5E3"), Ok(150_000));
        assert!(parse_cents("1,234.50").is_err());
        assert_eq!(Decimal::parse("0.9"), Ok(Decimal { mantissa: 9, scale: 1 }));
    }
}

//! Values as CRM exports and spreadsheets write them, turned into the bundle's canonical text:
//! timestamps in several layouts, amounts with currency symbols, thousands separators and decimal
//! commas. Each parser says what it expected, for a located problem.

use chrono::{NaiveDate, NaiveDateTime};

/// The layouts CRM exports write times in, tried in order when a mapping names none.
pub const EXPORT_TIME_FORMATS: &[&str] =
    &["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M", "%m/%d/%Y"];

/// A time in one of `formats` (chrono format strings, with or without a time of day), or an RFC 3339
/// timestamp (its offset converted to UTC); a time without a zone is taken as UTC.
pub fn parse_time(text: &str, formats: &[String]) -> Result<NaiveDateTime, String> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.naive_utc());
    }
    for format in formats {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at);
        }
        if let Ok(day) = NaiveDate::parse_from_str(text, format) {
            return Ok(day.and_time(chrono::NaiveTime::MIN));
        }
    }
    Err(format!("'{text}' is not a date in the form {}: correct it or name its format", formats.join(" or ")))
}

/// The default formats as owned strings.
pub fn export_time_formats() -> Vec<String> {
    EXPORT_TIME_FORMATS.iter().map(|f| (*f).to_string()).collect()
}

/// `2024-03-15T09:30:00Z`.
pub fn timestamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// How a file writes its amounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NumberStyle {
    /// `1.234,56` rather than `1,234.56`.
    pub decimal_comma: bool,
}

/// An amount ≥ 0 as the bundle writes it (`1234.56`): currency symbols and codes, spaces and
/// thousands separators are dropped; more than two decimals are rounded half up to the cent.
pub fn parse_amount(text: &str, style: NumberStyle) -> Result<String, String> {
    let (thousands, decimal) = if style.decimal_comma { ('.', ',') } else { (',', '.') };
    let mut digits = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            c if c == decimal => digits.push('.'),
            c if c == thousands || c == '\'' || c.is_whitespace() => {}
            '-' => return Err(format!("'{text}' is negative: amounts are 0 or more")),
            c if c.is_alphabetic() || "€$£¥₹".contains(c) => {}
            _ => return Err(not_an_amount(text, style)),
        }
    }
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(not_an_amount(text, style));
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| not_an_amount(text, style))? };
    let mut cents = 0i64;
    for (place, digit) in fraction.bytes().enumerate() {
        let digit = i64::from(digit - b'0');
        match place {
            0 => cents += digit * 10,
            1 => cents += digit,
            2 if digit >= 5 => cents += 1,
            _ => {}
        }
    }
    let total = whole.checked_mul(100).and_then(|w| w.checked_add(cents)).ok_or_else(|| not_an_amount(text, style))?;
    Ok(format!("{}.{:02}", total / 100, total % 100))
}

fn not_an_amount(text: &str, style: NumberStyle) -> String {
    let example = if style.decimal_comma { "1.234,56" } else { "1,234.56" };
    format!("'{text}' is not an amount like {example}: correct it")
}

/// A whole number, thousands separators and spaces dropped (`1,200` → `1200`).
pub fn parse_count(text: &str) -> Result<String, String> {
    let digits: String = text.chars().filter(|c| !matches!(c, ',' | '.' | '\'') && !c.is_whitespace()).collect();
    digits.parse::<u64>().map(|n| n.to_string()).map_err(|_| format!("'{text}' is not a whole number: correct it"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_both_styles() {
        let dot = NumberStyle::default();
        let comma = NumberStyle { decimal_comma: true };
        assert_eq!(parse_amount("$1,234.5", dot), Ok("1234.50".into()));
        assert_eq!(parse_amount("1.234,56 €", comma), Ok("1234.56".into()));
        assert_eq!(parse_amount("EUR 12 000,00", comma), Ok("12000.00".into()));
        // 0.125 rounds half up to 0.13; 0.124 down to 0.12.
        assert_eq!(parse_amount("0.125", dot), Ok("0.13".into()));
        assert_eq!(parse_amount("0.124", dot), Ok("0.12".into()));
        assert!(parse_amount("-5", dot).is_err());
        assert!(parse_amount("1.2.3", dot).is_err());
        assert!(parse_amount("€", dot).is_err());
    }

    #[test]
    fn times_in_export_layouts() {
        let formats = export_time_formats();
        let at = |s: &str| parse_time(s, &formats).map(timestamp);
        assert_eq!(at("2024-03-15 14:22"), Ok("2024-03-15T14:22:00Z".into()));
        assert_eq!(at("2024-03-15"), Ok("2024-03-15T00:00:00Z".into()));
        assert_eq!(at("2024-03-15T10:00:00+02:00"), Ok("2024-03-15T08:00:00Z".into()));
        assert_eq!(at("03/15/2024"), Ok("2024-03-15T00:00:00Z".into()));
        let french = vec!["%d/%m/%Y".to_string()];
        assert_eq!(parse_time("15/03/2024", &french).map(timestamp), Ok("2024-03-15T00:00:00Z".into()));
        assert!(parse_time("15.03.2024", &french).is_err());
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("1,200"), Ok("1200".into()));
        assert!(parse_count("many").is_err());
    }
}

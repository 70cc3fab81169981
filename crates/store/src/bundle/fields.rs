//! Parsing one field by its [`Kind`] into a [`Value`], with a message that says what to write instead.

use super::spec::Kind;
use crate::db::Value;
use chrono::{DateTime, NaiveDate, Utc};
use quotient_core::{Money, QuotaPeriod};

/// `YYYY-MM-DDTHH:MM:SSZ`; any RFC 3339 offset is accepted and converted to UTC.
pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).map_err(|_| {
        format!("'{text}' is not a timestamp: write YYYY-MM-DDTHH:MM:SSZ in UTC, e.g. 2026-03-31T23:59:00Z")
    })
}

pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let valid_shape = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    valid_shape
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("'{text}' is not a date: write YYYY-MM-DD, e.g. 2026-03-31"))
}

pub fn parse_money(text: &str) -> Result<Money, String> {
    let money: Money = text.parse().map_err(|e: quotient_core::money::MoneyError| e.to_string())?;
    if money.is_negative() {
        return Err(format!("'{text}' is negative: amounts must be 0 or more"));
    }
    Ok(money)
}

pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The longest id, in characters: longer than any source system's, and short enough for
/// PostgreSQL to index (it refuses index entries over about 2.7 kB).
pub const MAX_ID_CHARS: usize = 255;

/// Parses a non-empty field whose kind needs no lookup (references, stages and gateway types are
/// resolved by the importer; quota targets once the metric is known).
pub fn parse_plain(kind: Kind, text: &str) -> Result<Value<'_>, String> {
    Ok(match kind {
        Kind::Id if text.chars().count() > MAX_ID_CHARS => {
            return Err(format!("is {} characters long: an id has at most {MAX_ID_CHARS}", text.chars().count()));
        }
        Kind::Text | Kind::Id | Kind::Ref(_) | Kind::Stage | Kind::GatewayType | Kind::QuotaTarget => Value::text(text),
        Kind::Date => Value::Date(parse_date(text)?),
        Kind::Timestamp => Value::Timestamp(parse_timestamp(text)?),
        Kind::Money => Value::Int(parse_money(text)?.cents()),
        Kind::Int { min, max } => {
            let number: i64 = text.parse().map_err(|_| format!("'{text}' is not a whole number"))?;
            if number < min || number > max {
                return Err(if max == i64::MAX {
                    format!("{number} is out of range: it must be {min} or more")
                } else {
                    format!("{number} is out of range: it must be from {min} to {max}")
                });
            }
            Value::Int(number)
        }
        Kind::Enum(keys) => {
            if !keys.contains(&text) {
                return Err(format!("'{text}' is not one of: {}", keys.join(", ")));
            }
            Value::text(text)
        }
        Kind::Period => {
            let period: QuotaPeriod =
                text.parse().map_err(|e: quotient_core::quota_period::PeriodError| e.to_string())?;
            Value::owned(period.to_string())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_read_in_utc() {
        assert_eq!(parse_timestamp("2026-03-31T23:59:00Z").map(format_timestamp), Ok("2026-03-31T23:59:00Z".into()));
        assert_eq!(
            parse_timestamp("2026-04-01T01:59:00+02:00").map(format_timestamp),
            Ok("2026-03-31T23:59:00Z".into())
        );
        assert!(parse_timestamp("2026-03-31").is_err());
        assert!(parse_timestamp("2026-02-30T00:00:00Z").is_err());
    }

    #[test]
    fn dates_must_be_iso() {
        assert!(parse_date("2024-02-29").is_ok());
        for bad in ["2023-02-29", "2024-2-29", "29.02.2024", "2024-02-29T00:00:00Z"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_must_not_be_negative() {
        assert_eq!(parse_money("12.5").map(Money::cents), Ok(1250));
        assert!(parse_money("-1").is_err_and(|e| e.contains("negative")));
    }

    #[test]
    fn numbers_and_enums_are_checked() {
        assert_eq!(parse_plain(Kind::Int { min: 1, max: 5 }, "5"), Ok(Value::Int(5)));
        assert!(parse_plain(Kind::Int { min: 1, max: 5 }, "6").is_err_and(|e| e.contains("from 1 to 5")));
        assert!(
            parse_plain(Kind::Enum(&["won", "lost"]), "open").is_err_and(|e| e == "'open' is not one of: won, lost")
        );
        assert_eq!(parse_plain(Kind::Period, "2026-Q1"), Ok(Value::owned("2026-Q1".into())));
    }
}

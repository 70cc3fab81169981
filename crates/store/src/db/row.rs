//! Reading a result row of either dialect through one set of typed getters.

use crate::error::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::{FromSql, Type};

/// A result row. Getters return `None` for SQL NULL.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

/// A date as SQLite keeps it, `YYYY-MM-DD`: read digit by digit, as reports read hundreds of
/// thousands of them and chrono's general parser costs several times as much; anything else goes
/// through chrono.
fn iso_date(text: &str) -> Result<NaiveDate> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0_u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    let fast = (bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-')
        .then(|| NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?))
        .flatten();
    match fast {
        Some(date) => Ok(date),
        None => text.parse::<NaiveDate>().map_err(|e| StoreError::Decode(format!("date '{text}': {e}"))),
    }
}

// PostgreSQL's integers, dates and timestamps read from the bytes it sends, in their binary
// form: reports read millions of them, and the general conversions (an integer's width looked up
// apart, a date counted forward from 2000 day by day) cost several times as much.

type DecodeResult<T> = std::result::Result<T, Box<dyn std::error::Error + Sync + Send>>;

/// The days from 1970-01-01 to 2000-01-01, where PostgreSQL counts its dates and timestamps from.
const DAYS_FROM_1970_TO_2000: i64 = 10_957;

/// The days from 0001-01-01 (day 1) to 2000-01-01, as chrono counts them.
const DAYS_FROM_CE_TO_2000: i64 = 730_120;

/// A `smallint`, `integer` or `bigint`: two, four or eight bytes, big-endian.
struct PostgresInt(i64);

impl<'a> FromSql<'a> for PostgresInt {
    fn from_sql(_: &Type, raw: &'a [u8]) -> DecodeResult<Self> {
        Ok(PostgresInt(match *raw {
            [a, b] => i16::from_be_bytes([a, b]).into(),
            [a, b, c, d] => i32::from_be_bytes([a, b, c, d]).into(),
            _ => i64::from_be_bytes(raw.try_into()?),
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8)
    }
}

/// A `date`: days since 2000-01-01, four bytes.
struct PostgresDate(NaiveDate);

impl<'a> FromSql<'a> for PostgresDate {
    fn from_sql(_: &Type, raw: &'a [u8]) -> DecodeResult<Self> {
        let days = i64::from(i32::from_be_bytes(raw.try_into()?));
        i32::try_from(days + DAYS_FROM_CE_TO_2000)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .map(PostgresDate)
            .ok_or_else(|| format!("date {days} days from 2000-01-01 is out of range").into())
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::DATE
    }
}

/// A timestamp: microseconds since 2000-01-01 00:00 UTC, eight bytes.
struct PostgresMicros(i64);

impl<'a> FromSql<'a> for PostgresMicros {
    fn from_sql(_: &Type, raw: &'a [u8]) -> DecodeResult<Self> {
        Ok(PostgresMicros(i64::from_be_bytes(raw.try_into()?)))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::TIMESTAMPTZ | Type::TIMESTAMP)
    }
}

impl Row<'_> {
    pub fn int(&self, index: usize) -> Result<Option<i64>> {
        match self {
            // The integer as SQLite holds it, without the general conversion (reports read
            // hundreds of thousands); anything else goes through it, and is refused as before.
            Row::Sqlite(row) => match row.get_ref(index)? {
                rusqlite::types::ValueRef::Integer(value) => Ok(Some(value)),
                rusqlite::types::ValueRef::Null => Ok(None),
                _ => Ok(row.get::<_, Option<i64>>(index)?),
            },
            Row::Postgres(row) => Ok(row.try_get::<_, Option<PostgresInt>>(index)?.map(|PostgresInt(value)| value)),
        }
    }

    pub fn text(&self, index: usize) -> Result<Option<&str>> {
        match self {
            Row::Sqlite(row) => match row.get_ref(index)? {
                rusqlite::types::ValueRef::Null => Ok(None),
                rusqlite::types::ValueRef::Text(bytes) => {
                    std::str::from_utf8(bytes).map(Some).map_err(|e| StoreError::Decode(e.to_string()))
                }
                other => Err(StoreError::Decode(format!("column {index} is {:?}, not text", other.data_type()))),
            },
            Row::Postgres(row) => Ok(row.try_get::<_, Option<&str>>(index)?),
        }
    }

    pub fn date(&self, index: usize) -> Result<Option<NaiveDate>> {
        match self {
            Row::Sqlite(_) => self.text(index)?.map(iso_date).transpose(),
            Row::Postgres(row) => Ok(row.try_get::<_, Option<PostgresDate>>(index)?.map(|PostgresDate(date)| date)),
        }
    }

    pub fn timestamp(&self, index: usize) -> Result<Option<DateTime<Utc>>> {
        match self {
            Row::Sqlite(row) => row
                .get::<_, Option<i64>>(index)?
                .map(|secs| {
                    DateTime::from_timestamp(secs, 0).ok_or_else(|| StoreError::Decode(format!("timestamp {secs}")))
                })
                .transpose(),
            Row::Postgres(row) => Ok(row.try_get::<_, Option<DateTime<Utc>>>(index)?),
        }
    }

    /// The day (UTC) of a timestamp column, counted from 1970-01-01: what a difference of days
    /// needs, read without a calendar date in between (reports read hundreds of thousands).
    pub fn utc_day(&self, index: usize) -> Result<Option<i64>> {
        const SECONDS_PER_DAY: i64 = 86_400;
        match self {
            Row::Sqlite(_) => Ok(self.int(index)?.map(|secs| secs.div_euclid(SECONDS_PER_DAY))),
            Row::Postgres(row) => Ok(row
                .try_get::<_, Option<PostgresMicros>>(index)?
                .map(|PostgresMicros(micros)| micros.div_euclid(SECONDS_PER_DAY * 1_000_000) + DAYS_FROM_1970_TO_2000)),
        }
    }

    /// Any column as JSON, for the audit history: numbers as numbers, times as RFC 3339 text on
    /// PostgreSQL (SQLite stores them as the seconds they are), everything else as text.
    pub fn json(&self, index: usize) -> Result<serde_json::Value> {
        use serde_json::Value as Json;
        let text = |text: Option<&str>| text.map_or(Json::Null, Json::from);
        match self {
            Row::Sqlite(row) => Ok(match row.get_ref(index)? {
                rusqlite::types::ValueRef::Null => Json::Null,
                rusqlite::types::ValueRef::Integer(n) => Json::from(n),
                rusqlite::types::ValueRef::Real(x) => Json::from(x),
                _ => text(self.text(index)?),
            }),
            Row::Postgres(row) => Ok(match *row.columns()[index].type_() {
                Type::INT2 | Type::INT4 | Type::INT8 => self.int(index)?.map_or(Json::Null, Json::from),
                Type::TIMESTAMPTZ => self.timestamp(index)?.map_or(Json::Null, |t| Json::from(t.to_rfc3339())),
                Type::DATE => self.date(index)?.map_or(Json::Null, |d| Json::from(d.to_string())),
                _ => text(self.text(index)?),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::iso_date;
    use chrono::NaiveDate;

    #[test]
    fn dates_read_as_chrono_reads_them() {
        let texts = [
            "2026-12-06",
            "0001-01-01",
            "2024-02-29",
            "9999-12-31",
            "1970-01-01",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "20a6-01-01",
            "2026/01/01",
            "",
            "2026-01-01x",
            "+2026-12-06",
        ];
        for text in texts {
            assert_eq!(iso_date(text).ok(), text.parse::<NaiveDate>().ok(), "{text}");
        }
        assert_eq!(iso_date("2024-02-29").ok(), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert!(iso_date("2026-02-30").is_err());
    }
}

//! Reading a result row of either dialect through one set of typed getters.

use crate::error::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::Type;

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
            Row::Postgres(row) => Ok(match *row.columns()[index].type_() {
                Type::INT2 => row.try_get::<_, Option<i16>>(index)?.map(i64::from),
                Type::INT4 => row.try_get::<_, Option<i32>>(index)?.map(i64::from),
                _ => row.try_get::<_, Option<i64>>(index)?,
            }),
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
            Row::Postgres(row) => Ok(row.try_get::<_, Option<NaiveDate>>(index)?),
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

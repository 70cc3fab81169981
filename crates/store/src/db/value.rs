//! A parameter value that binds in both dialects in each one's natural type.

use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::{IsNull, Kind, ToSql, Type, to_sql_checked};
use std::borrow::Cow;

/// A value to bind. Timestamps are stored as Unix seconds in SQLite and `timestamptz` in PostgreSQL;
/// dates as ISO text in SQLite and `date` in PostgreSQL; money as integer cents in both.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    /// A list of ids: a JSON array for SQLite's `json_each`, a `BIGINT[]` for PostgreSQL, sent in
    /// its binary form (the text form of tens of thousands of ids costs the server its parse).
    Ids(Vec<i64>),
}

impl<'a> Value<'a> {
    pub fn text(text: &'a str) -> Self {
        Value::Text(Cow::Borrowed(text))
    }

    pub fn owned(text: String) -> Self {
        Value::Text(Cow::Owned(text))
    }

    pub fn opt_int(value: Option<i64>) -> Self {
        value.map_or(Value::Null, Value::Int)
    }

    pub fn opt_text(value: Option<&'a str>) -> Self {
        value.map_or(Value::Null, Value::text)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The same value, owning its text.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Int(value) => Value::Int(value),
            Value::Text(text) => Value::Text(Cow::Owned(text.into_owned())),
            Value::Date(date) => Value::Date(date),
            Value::Timestamp(at) => Value::Timestamp(at),
            Value::Ids(ids) => Value::Ids(ids),
        }
    }
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Value::text(value)
    }
}

impl From<NaiveDate> for Value<'_> {
    fn from(value: NaiveDate) -> Self {
        Value::Date(value)
    }
}

impl From<DateTime<Utc>> for Value<'_> {
    fn from(value: DateTime<Utc>) -> Self {
        Value::Timestamp(value)
    }
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Sqlite, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Owned(Sqlite::Integer(*v)),
            Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Value::Date(date) => ToSqlOutput::Owned(Sqlite::Text(date.to_string())),
            Value::Timestamp(at) => ToSqlOutput::Owned(Sqlite::Integer(at.timestamp())),
            Value::Ids(ids) => ToSqlOutput::Owned(Sqlite::Text(
                serde_json::to_string(ids).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
            )),
        })
    }
}

impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(text) => text.as_ref().to_sql(ty, out),
            Value::Date(date) => date.to_sql(ty, out),
            Value::Timestamp(at) => at.to_sql(ty, out),
            // The client takes a non-array type for a programming error, and panics.
            Value::Ids(ids) => match ty.kind() {
                Kind::Array(_) => ids.to_sql(ty, out),
                _ => Err(format!("a list of ids binds to an array, not to {ty}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

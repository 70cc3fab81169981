//! Bulk loading: prepared inserts in one transaction on SQLite, `COPY … FROM STDIN` on PostgreSQL.

use super::{Conn, Value};
use crate::error::Result;
use std::io::Write;

/// Appends rows to one table. Call [`Loader::finish`] to complete the load.
pub struct Loader<'a> {
    sink: Sink<'a>,
    rows: u64,
}

enum Sink<'a> {
    Sqlite(rusqlite::Statement<'a>),
    Postgres { writer: postgres::CopyInWriter<'a>, buffer: Vec<u8> },
}

const COPY_CHUNK: usize = 256 * 1024;

impl<'a> Loader<'a> {
    pub(super) fn new(conn: &'a mut Conn, table: &str, columns: &[&str], skip_duplicates: bool) -> Result<Self> {
        let column_list = columns.join(", ");
        let sink = match conn {
            Conn::Sqlite(conn) => {
                let placeholders = vec!["?"; columns.len()].join(", ");
                let verb = if skip_duplicates { "INSERT OR IGNORE" } else { "INSERT" };
                Sink::Sqlite(conn.prepare(&format!("{verb} INTO {table} ({column_list}) VALUES ({placeholders})"))?)
            }
            Conn::Postgres(client) => {
                let writer = client.copy_in(&format!("COPY {table} ({column_list}) FROM STDIN"))?;
                Sink::Postgres { writer, buffer: Vec::with_capacity(COPY_CHUNK + 4096) }
            }
        };
        Ok(Loader { sink, rows: 0 })
    }

    /// Appends a row. `false` when SQLite skipped it as a duplicate (see [`super::Db::loader`]).
    pub fn push(&mut self, row: &[Value]) -> Result<bool> {
        self.rows += 1;
        match &mut self.sink {
            Sink::Sqlite(statement) => {
                return Ok(statement.execute(rusqlite::params_from_iter(row.iter()))? == 1);
            }
            Sink::Postgres { writer, buffer } => {
                for (i, value) in row.iter().enumerate() {
                    if i > 0 {
                        buffer.push(b'\t');
                    }
                    write_copy_text(buffer, value);
                }
                buffer.push(b'\n');
                if buffer.len() >= COPY_CHUNK {
                    writer.write_all(buffer).map_err(copy_error)?;
                    buffer.clear();
                }
            }
        }
        Ok(true)
    }

    /// Completes the load and returns the number of rows loaded.
    pub fn finish(self) -> Result<u64> {
        if let Sink::Postgres { mut writer, buffer } = self.sink {
            writer.write_all(&buffer).map_err(copy_error)?;
            writer.finish()?;
        }
        Ok(self.rows)
    }
}

fn copy_error(error: std::io::Error) -> crate::error::StoreError {
    crate::error::StoreError::Decode(format!("COPY failed: {error}"))
}

/// PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes.
fn write_copy_text(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Text(text) => {
            for &b in text.as_bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    _ => out.push(b),
                }
            }
        }
        // `Display` of dates and times writes ISO 8601 without parsing a format string per value.
        Value::Date(date) => {
            let _ = write!(out, "{date}");
        }
        Value::Timestamp(at) => {
            let _ = write!(out, "{} {}+00", at.date_naive(), at.time());
        }
    }
}

//! Bulk loading: prepared inserts in one transaction on SQLite, binary `COPY … FROM STDIN` on
//! PostgreSQL.

use super::{Conn, Value, prepared};
use crate::error::{Result, StoreError};
use bytes::{BufMut, BytesMut};
use postgres::types::{IsNull, ToSql, Type};
use std::collections::HashMap;
use std::io::Write;

/// Appends rows to one table. Call [`Loader::finish`] to complete the load.
pub struct Loader<'a> {
    sink: Sink<'a>,
    columns: usize,
    rows: u64,
}

enum Sink<'a> {
    Sqlite(ReusedInsert<'a>),
    Postgres(BinaryCopy<'a>),
}

impl<'a> Loader<'a> {
    /// `statements` is the connection's cache of prepared statements: a rollup rebuild loads each
    /// rep's cells in a load of its own, and the column types are read once.
    pub(super) fn new(
        conn: &'a mut Conn,
        statements: &mut HashMap<String, postgres::Statement>,
        table: &str,
        columns: &[&str],
        skip_duplicates: bool,
    ) -> Result<Self> {
        let column_list = columns.join(", ");
        let sink = match conn {
            Conn::Sqlite(conn) => {
                let placeholders = vec!["?"; columns.len()].join(", ");
                let verb = if skip_duplicates { "INSERT OR IGNORE" } else { "INSERT" };
                let statement =
                    conn.prepare(&format!("{verb} INTO {table} ({column_list}) VALUES ({placeholders})"))?;
                Sink::Sqlite(ReusedInsert { statement, bound: vec![None; columns.len()] })
            }
            Conn::Postgres(client) => {
                // The binary format needs each column's type; the server then parses no text (its
                // timestamps above all), which made the large files load markedly faster.
                let types: Vec<_> =
                    prepared(client, statements, &format!("SELECT {column_list} FROM {table} LIMIT 0"))?
                        .columns()
                        .iter()
                        .map(|column| column.type_().clone())
                        .collect();
                let writer = client.copy_in(&format!("COPY {table} ({column_list}) FROM STDIN (FORMAT binary)"))?;
                Sink::Postgres(BinaryCopy::new(writer, table, columns, types))
            }
        };
        Ok(Loader { sink, columns: columns.len(), rows: 0 })
    }

    /// Appends a row. `false` when SQLite skipped it as a duplicate (see [`super::Db::loader`]).
    pub fn push(&mut self, row: &[Value]) -> Result<bool> {
        if row.len() != self.columns {
            return Err(StoreError::Invalid(format!("{} values for {} columns", row.len(), self.columns)));
        }
        self.rows += 1;
        match &mut self.sink {
            Sink::Sqlite(insert) => return insert.push(row),
            Sink::Postgres(copy) => copy.push(row)?,
        }
        Ok(true)
    }

    /// Completes the load and returns the number of rows loaded.
    pub fn finish(self) -> Result<u64> {
        if let Sink::Postgres(copy) = self.sink {
            copy.finish()?;
        }
        Ok(self.rows)
    }
}

/// SQLite's prepared insert, executed once per row. SQLite keeps a statement's parameters from
/// one execution to the next, so a value equal to the row before's is not bound again: most of a
/// rollup cell's 27 counts are the same 0 as the cell before's.
struct ReusedInsert<'a> {
    statement: rusqlite::Statement<'a>,
    /// Per parameter, what it holds now, where that is cheap to keep and compare (not text).
    bound: Vec<Option<Value<'static>>>,
}

impl ReusedInsert<'_> {
    /// `false` when the row was skipped as a duplicate.
    fn push(&mut self, row: &[Value]) -> Result<bool> {
        for (index, (value, bound)) in row.iter().zip(&mut self.bound).enumerate() {
            if bound.as_ref() != Some(value) {
                self.statement.raw_bind_parameter(index + 1, value)?;
                *bound = (!matches!(value, Value::Text(_))).then(|| value.clone().into_owned());
            }
        }
        Ok(self.statement.raw_execute()? == 1)
    }
}

/// Bytes of encoded rows sent to the server at a time.
const CHUNK: usize = 256 * 1024;

/// A binary `COPY` whose rows are encoded here, into large chunks: the driver's own writer waits
/// on its runtime for every row (under `perf`, a tenth of a rollup rebuild's client time went to
/// the runtime's bookkeeping).
struct BinaryCopy<'a> {
    writer: postgres::CopyInWriter<'a>,
    /// `table.column` of each column, for the error of a value its column cannot hold.
    names: Vec<String>,
    types: Vec<Type>,
    buf: BytesMut,
}

impl<'a> BinaryCopy<'a> {
    fn new(writer: postgres::CopyInWriter<'a>, table: &str, columns: &[&str], types: Vec<Type>) -> Self {
        let mut buf = BytesMut::with_capacity(CHUNK + CHUNK / 4);
        // The signature, no flags, no header extension.
        buf.put_slice(b"PGCOPY\n\xff\r\n\0");
        buf.put_i32(0);
        buf.put_i32(0);
        let names = columns.iter().map(|column| format!("{table}.{column}")).collect();
        BinaryCopy { writer, names, types, buf }
    }

    fn push(&mut self, row: &[Value]) -> Result<()> {
        self.buf.put_i16(row.len() as i16);
        for ((value, type_), name) in row.iter().zip(&self.types).zip(&self.names) {
            let at = self.buf.len();
            self.buf.put_i32(0);
            let invalid = |e: Box<dyn std::error::Error + Sync + Send>| StoreError::Invalid(format!("{name}: {e}"));
            let length = match value.to_sql_checked(type_, &mut self.buf).map_err(invalid)? {
                IsNull::Yes => -1,
                IsNull::No => i32::try_from(self.buf.len() - at - 4).map_err(|e| invalid(e.into()))?,
            };
            self.buf[at..at + 4].copy_from_slice(&length.to_be_bytes());
        }
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        self.writer.write_all(&self.buf).map_err(driver_error)?;
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<u64> {
        self.buf.put_i16(-1);
        self.send()?;
        Ok(self.writer.finish()?)
    }
}

/// The driver's error inside the writer's I/O error (a refused row, a lost connection).
fn driver_error(error: std::io::Error) -> StoreError {
    let message = error.to_string();
    match error.into_inner().map(|inner| inner.downcast::<postgres::Error>()) {
        Some(Ok(error)) => StoreError::Postgres(*error),
        _ => StoreError::Invalid(format!("the bulk load failed: {message}")),
    }
}

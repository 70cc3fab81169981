//! One connection type over SQLite and PostgreSQL.
//!
//! Everything above this module writes SQL once, with `?` placeholders, and binds [`Value`]s; the few
//! statements that differ per dialect live in [`Dialect`]. Bulk loads go through [`Loader`]: prepared
//! inserts on SQLite, `COPY … FROM STDIN` on PostgreSQL.

mod health;
mod loader;
mod row;
mod value;

pub use loader::Loader;
pub use row::Row;
pub use value::Value;

use crate::error::{Result, StoreError};
use postgres::fallible_iterator::FallibleIterator;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// The two SQL dialects the store speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `column` is one of a list of ids given as one parameter ([`Value::Ids`]): one
    /// statement, planned once, however long the list, where `IN (?, ?, …)` would take a parameter
    /// per id.
    pub(crate) fn in_id_list(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{column} IN (SELECT value FROM json_each(?))"),
            Dialect::Postgres => format!("{column} = ANY(CAST(? AS BIGINT[]))"),
        }
    }

    /// The end of a `SELECT` that keeps the rows it read from changing until the transaction ends
    /// (PostgreSQL's `FOR SHARE`, which waits for a change under way to commit, and then reads
    /// it); nothing on SQLite, whose writes take turns.
    pub(crate) fn shared_lock(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR SHARE",
        }
    }
}

/// A statement's parameters as the PostgreSQL client takes them.
fn postgres_params<'a>(params: &'a [Value<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    params.iter().map(|v| v as _).collect()
}

/// How many rows [`Db::query_each_batched`] takes from PostgreSQL at a time: a few hundred kilobytes.
const BATCH_ROWS: i32 = 4_096;

/// A database connection.
pub struct Db {
    conn: Conn,
    /// SQLite: the lock this process's connections to the same file take around a transaction.
    writer: Option<Arc<Mutex<()>>>,
    /// How many [`Db::transaction`]s are open: an inner one is a savepoint of the outer.
    depth: u32,
    /// PostgreSQL: the statements prepared on this connection, by their SQL, so that running one
    /// again is one round trip instead of two.
    statements: HashMap<String, postgres::Statement>,
    /// Where to open a second connection to the same database; `None` for a private in-memory one.
    url: Option<String>,
    /// The second connection, opened the first time it is wanted (see [`Db::with_companion`]).
    companion: Option<Box<Db>>,
}

/// The most statements kept prepared per connection, on either database (lists of reps make many
/// shapes).
const STATEMENT_CACHE: usize = 512;

/// `sql` prepared on `client`, from the cache when it was prepared before.
fn prepared(
    client: &mut postgres::Client,
    cache: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> Result<postgres::Statement> {
    if let Some(statement) = cache.get(sql) {
        return Ok(statement.clone());
    }
    if cache.len() >= STATEMENT_CACHE {
        cache.clear();
    }
    let statement = client.prepare(&numbered_placeholders(sql))?;
    cache.insert(sql.to_string(), statement.clone());
    Ok(statement)
}

/// Whether `sql` only begins, ends or marks a transaction (or sets a setting).
fn is_transaction_control(sql: &str) -> bool {
    let first = sql.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    matches!(first.as_str(), "BEGIN" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "SET" | "RESET")
}

/// One lock per SQLite file opened in this process. SQLite admits one writer at a time; a
/// connection that finds the file locked sleeps and retries (`busy_timeout`) in growing steps, so
/// under concurrent writes most of a write's latency would be sleeping. Queueing the process's own
/// writers on a lock instead hands the file over the moment the previous transaction commits.
fn writer_lock(path: &str) -> Arc<Mutex<()>> {
    static LOCKS: LazyLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = LazyLock::new(Mutex::default);
    let mut locks = LOCKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(locks.entry(path.to_string()).or_default())
}

/// How much of an SQLite file is read through a memory map: all of it (the build's ceiling is set
/// in `.cargo/config.toml`).
pub(crate) const SQLITE_MMAP_SIZE: u64 = 1 << 40;

/// The page cache of an SQLite connection, in KiB; a large sort (an index built) takes as much.
pub(crate) const SQLITE_CACHE_KIB: u64 = 65536;

enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

impl Db {
    /// Opens `sqlite://FILE`, `sqlite::memory:` or `postgres://…` (also `postgresql://…`).
    pub fn open(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let client = postgres::Client::connect(url, postgres::NoTls)?;
            let mut db = Db::new(Conn::Postgres(Box::new(client)), None, Some(url));
            db.batch("SET client_min_messages TO WARNING")?;
            return Ok(db);
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::BadUrl(url.to_string()))?;
        let (conn, writer, url) = if path == ":memory:" || path.is_empty() {
            (rusqlite::Connection::open_in_memory()?, None, None)
        } else {
            (rusqlite::Connection::open(path)?, Some(writer_lock(path)), Some(url))
        };
        // WAL lets readers work while one writer writes; NORMAL sync is durable across application
        // crashes and loses at most the last transactions on power loss, the usual choice with WAL.
        // The temporary database (an import's staging tables, large sorts) is written once and read
        // once in order: 16 MB of cache serve it as well as 64 MB, and keep a large import within
        // its memory budget. Reads go through a memory map of the whole file
        // (address space, not memory: the pages are the kernel's file cache, shared by every
        // connection) instead of a read() call and a copy per page missing from the cache.
        // A new file gets 8 KB pages (an existing one keeps its own): half as many pages to split,
        // spill and write in a bulk load, which imports faster (16 KB pages were no faster still);
        // single writes touch whole pages and cost a little more, well within their target.
        conn.execute_batch(&format!(
            "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -{SQLITE_CACHE_KIB};
             PRAGMA temp_store = FILE; PRAGMA temp.cache_size = -16384;",
        ))?;
        conn.execute_batch(&format!("PRAGMA mmap_size = {SQLITE_MMAP_SIZE}"))?;
        // As many statements kept prepared as on PostgreSQL: a report's reads alone are more than
        // the 16 rusqlite keeps by default, and preparing one again costs as much as running it.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Db::new(Conn::Sqlite(conn), writer, url))
    }

    fn new(conn: Conn, writer: Option<Arc<Mutex<()>>>, url: Option<&str>) -> Db {
        Db { conn, writer, depth: 0, statements: HashMap::new(), url: url.map(str::to_string), companion: None }
    }

    /// Runs `work`, reads whose best plan depends on their parameters (a few reps or all of them, a
    /// week or a year), with a plan made for each execution's parameters. PostgreSQL otherwise
    /// switches a statement prepared on the connection to one generic plan after five executions,
    /// and a team's scorecard then took three times as long. The writes keep the generic plans,
    /// which suit their lookups by key. SQLite plans every execution anyway.
    pub fn with_custom_plans<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&mut Db) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.dialect() == Dialect::Sqlite {
            return work(self);
        }
        self.batch("SET plan_cache_mode = force_custom_plan")?;
        let out = work(self);
        self.batch("RESET plan_cache_mode")?;
        out
    }

    /// Runs `work` with this connection and a second one to the same database, so that the
    /// independent reads of one request can run on two cores at once. `work` gets `None` (and
    /// reads on this connection alone) where a second connection would not see what this one
    /// sees: inside a transaction, with its uncommitted writes, or on a private in-memory
    /// database; and when the second connection cannot be opened.
    pub fn with_companion<T>(&mut self, work: impl FnOnce(&mut Db, Option<&mut Db>) -> T) -> T {
        if self.depth > 0 {
            return work(self, None);
        }
        let mut companion = self.companion.take();
        if companion.is_none()
            && let Some(url) = &self.url
        {
            match Db::open(url) {
                Ok(db) => companion = Some(Box::new(db)),
                Err(error) => tracing::warn!(%error, "no second connection; reading on one"),
            }
        }
        let out = work(self, companion.as_deref_mut());
        self.companion = companion;
        out
    }

    /// PostgreSQL: samples `tables` again after a bulk load, so that the planner stops planning for
    /// the empty tables it last saw (a team's scorecard took ten times as long). SQLite: nothing
    /// to do; the store's queries fix the join orders that matter there.
    pub fn refresh_statistics(&mut self, tables: &[&str]) -> Result<()> {
        match self.dialect() {
            Dialect::Sqlite => Ok(()),
            Dialect::Postgres => self.batch(&format!("ANALYZE {}", tables.join(", "))),
        }
    }

    /// PostgreSQL: builds the indexes of `table` again, each in one sorted pass, after a
    /// transaction rewrote most of its rows: an update of a row whose page is full adds an entry
    /// to every index of the table (the old entry stays until a vacuum, its space after), which
    /// leaves them about twice the size they are built at, and the reads that scan them the slower.
    /// Writes to the table wait meanwhile. SQLite: nothing to do; its update rewrites only the
    /// index entries of the columns it sets, in place.
    pub fn rebuild_indexes(&mut self, table: &str) -> Result<()> {
        match self.dialect() {
            Dialect::Sqlite => Ok(()),
            Dialect::Postgres => self.batch(&format!("REINDEX TABLE {table}")),
        }
    }

    /// SQLite: copies what it can of the write-ahead log back into the database without waiting
    /// for readers or writers. PostgreSQL: nothing to do.
    pub fn checkpoint(&mut self) -> Result<()> {
        match self.dialect() {
            Dialect::Sqlite => self.batch("PRAGMA wal_checkpoint(PASSIVE)"),
            Dialect::Postgres => Ok(()),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.conn {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs one or more statements without parameters.
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match &mut self.conn {
            Conn::Sqlite(conn) => conn.execute_batch(sql)?,
            Conn::Postgres(client) => {
                // What is not transaction control may change the schema a prepared statement
                // was planned against.
                if !is_transaction_control(sql) {
                    self.statements.clear();
                }
                client.batch_execute(sql)?
            }
        }
        Ok(())
    }

    /// Runs one statement and returns the number of rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        match &mut self.conn {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                Ok(statement.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            Conn::Postgres(client) => {
                let statement = prepared(client, &mut self.statements, sql)?;
                let params = postgres_params(params);
                Ok(client.execute(&statement, &params)?)
            }
        }
    }

    /// Runs a query and calls `each` for every row, streaming: rows are not collected.
    pub fn query_each(&mut self, sql: &str, params: &[Value], mut each: impl FnMut(&Row) -> Result<()>) -> Result<()> {
        match &mut self.conn {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(row) = rows.next()? {
                    each(&Row::Sqlite(row))?;
                }
            }
            Conn::Postgres(client) => {
                let statement = prepared(client, &mut self.statements, sql)?;
                let params = params.iter().map(|v| v as &dyn postgres::types::ToSql);
                let mut rows = client.query_raw(&statement, params)?;
                while let Some(row) = rows.next()? {
                    each(&Row::Postgres(&row))?;
                }
            }
        }
        Ok(())
    }

    /// Like [`Db::query_each`], for reads of many rows (a report's): PostgreSQL hands the rows over
    /// in batches (4,096 rows), one call into the client's runtime each, where each row
    /// streamed costs a call of its own (about a fifth of a report's time in the client). The
    /// batches come from a portal, which lives in a transaction: outside one, the read opens its
    /// own; inside the caller's, the rows are streamed as [`Db::query_each`] streams them. SQLite
    /// streams them always: its rows cost no such call.
    pub fn query_each_batched(
        &mut self,
        sql: &str,
        params: &[Value],
        mut each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        let depth = self.depth;
        match &mut self.conn {
            Conn::Postgres(client) if depth == 0 => {
                let statement = prepared(client, &mut self.statements, sql)?;
                let params = postgres_params(params);
                let mut transaction = client.transaction()?;
                let portal = transaction.bind(&statement, &params)?;
                loop {
                    let rows = transaction.query_portal(&portal, BATCH_ROWS)?;
                    for row in &rows {
                        each(&Row::Postgres(row))?;
                    }
                    if rows.len() < BATCH_ROWS as usize {
                        break;
                    }
                }
                transaction.commit()?;
                Ok(())
            }
            _ => self.query_each(sql, params, each),
        }
    }

    /// Runs a query and maps every row.
    pub fn query_map<T>(
        &mut self,
        sql: &str,
        params: &[Value],
        mut map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.query_each(sql, params, |row| {
            out.push(map(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs a query expected to return at most one row.
    pub fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[Value],
        map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        Ok(self.query_map(sql, params, map)?.into_iter().next())
    }

    /// The single integer a query such as `SELECT count(*)` returns.
    pub fn query_i64(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        self.query_opt(sql, params, |row| row.int(0))?
            .flatten()
            .ok_or_else(|| StoreError::Decode(format!("no number from: {sql}")))
    }

    /// Runs `work`, reads only, against one snapshot of the database: every read sees the same
    /// committed state, whatever commits meanwhile (a bundle export must not show half of an
    /// import that commits while it reads). It takes no write lock: writers go on. Inside a
    /// transaction it is just `work`, which already sees one state.
    pub fn read_snapshot<T>(&mut self, work: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
        if self.depth > 0 {
            return work(self);
        }
        // SQLite (WAL) takes the snapshot at the first read of a deferred transaction.
        let begin = match self.dialect() {
            Dialect::Sqlite => "BEGIN DEFERRED",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        self.batch(begin)?;
        self.depth = 1;
        let outcome = work(self);
        self.depth = 0;
        // Nothing was written: ending the transaction either way releases the snapshot.
        let end = self.batch(if outcome.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let value = outcome?;
        end.map(|()| value)
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// Inside another transaction it is a savepoint: rolled back alone, committed with the outer.
    pub fn transaction<T, E: From<StoreError>>(&mut self, work: impl FnOnce(&mut Db) -> Result<T, E>) -> Result<T, E> {
        if self.depth > 0 {
            return self.savepoint(work);
        }
        // IMMEDIATE takes SQLite's write lock up front, so a transaction never fails half-way on a
        // lock upgrade.
        let begin = match self.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        };
        let writer = self.writer.clone();
        let _turn = writer.as_ref().map(|lock| lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        self.batch(begin)?;
        self.depth = 1;
        let outcome = work(self);
        self.depth = 0;
        match outcome.and_then(|value| self.batch("COMMIT").map(|()| value).map_err(E::from)) {
            Ok(value) => Ok(value),
            Err(error) => {
                // A failed COMMIT (a deferred foreign key, a full disk) leaves SQLite's transaction
                // open, holding the file's write lock for every later writer: end it either way.
                // PostgreSQL has already ended it and answers this with a warning.
                if let Err(rollback) = self.batch("ROLLBACK") {
                    tracing::error!("rollback failed: {rollback}");
                }
                Err(error)
            }
        }
    }

    /// Whether a transaction is still open on this connection outside [`Db::transaction`]: a
    /// connection left so must not serve anyone else.
    pub fn in_open_transaction(&self) -> bool {
        match &self.conn {
            Conn::Sqlite(conn) => self.depth == 0 && !conn.is_autocommit(),
            Conn::Postgres(_) => false,
        }
    }

    fn savepoint<T, E: From<StoreError>>(&mut self, work: impl FnOnce(&mut Db) -> Result<T, E>) -> Result<T, E> {
        let name = format!("nested_{}", self.depth);
        self.batch(&format!("SAVEPOINT {name}"))?;
        self.depth += 1;
        let outcome = work(self);
        self.depth -= 1;
        match outcome {
            Ok(value) => {
                self.batch(&format!("RELEASE SAVEPOINT {name}"))?;
                Ok(value)
            }
            Err(error) => {
                if let Err(rollback) = self.batch(&format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")) {
                    tracing::error!("rollback to a savepoint failed: {rollback}");
                }
                Err(error)
            }
        }
    }

    /// Starts a bulk load of `columns` into `table`. With `skip_duplicates`, SQLite skips a row
    /// that breaks a unique constraint and reports it; PostgreSQL's COPY cannot, so callers find
    /// duplicates there after the load.
    pub fn loader(&mut self, table: &str, columns: &[&str], skip_duplicates: bool) -> Result<Loader<'_>> {
        Loader::new(&mut self.conn, &mut self.statements, table, columns, skip_duplicates)
    }
}

impl Db {
    /// The indexes of `table` other than its primary key and constraint-backing ones, as
    /// (name, the statement that creates it).
    pub fn secondary_indexes(&mut self, table: &str) -> Result<Vec<(String, String)>> {
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
            }
            Dialect::Postgres => {
                "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 WHERE x.indrelid = to_regclass(?) AND NOT x.indisprimary
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
            }
        };
        self.query_map(sql, &[Value::text(table)], |row| {
            Ok((row.text(0)?.unwrap_or_default().to_string(), row.text(1)?.unwrap_or_default().to_string()))
        })
    }

    /// Drops what a bulk load into `table` would otherwise maintain row by row, and returns it as
    /// (name, the statement that restores it) for [`Db::restore_indexes`], which builds each in one
    /// sorted pass: the secondary indexes, and with `primary_key` the primary key on PostgreSQL
    /// when no foreign key refers to the table (SQLite cannot drop one). Rows without a key can
    /// only be loaded safely where no other writer can reach the table, which the caller knows.
    pub fn set_aside_indexes(&mut self, table: &str, primary_key: bool) -> Result<Vec<(String, String)>> {
        if self.bulk_load_keeps_indexes(table)? {
            // Rows loaded under a deferred key leave its checks pending until the commit, and
            // PostgreSQL builds no index on a table with checks pending: the indexes stay, kept row
            // by row. (An import whose role may switch the checks off never comes here.)
            return Ok(Vec::new());
        }
        let mut indexes = self.secondary_indexes(table)?;
        for (name, _) in &indexes {
            self.batch(&format!("DROP INDEX {name}"))?;
        }
        if primary_key && self.dialect() == Dialect::Postgres {
            // A large COPY into a table without its key, then adding the key, beats a COPY that
            // maintains the key row by row.
            let key = self.query_opt(
                "SELECT c.conname::text, pg_get_constraintdef(c.oid) FROM pg_constraint c
                 WHERE c.conrelid = to_regclass(?) AND c.contype = 'p'
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.confrelid = c.conrelid)",
                &[Value::text(table)],
                |row| Ok((row.text(0)?.unwrap_or_default().to_string(), row.text(1)?.unwrap_or_default().to_string())),
            )?;
            if let Some((name, definition)) = key {
                self.batch(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
                indexes.push((name.clone(), format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")));
            }
        }
        Ok(indexes)
    }

    /// Drops the foreign keys of `table` for a bulk load, on PostgreSQL when this session checks
    /// them (a trigger per row and key), and returns them as [`Db::set_aside_indexes`] does:
    /// adding one back checks every row in one pass. Only for a table that no other writer can
    /// reach meanwhile. While they are set aside, the tables they refer to look unreferenced to
    /// [`Db::set_aside_indexes`], which may then drop their keys: these must be back first. Dropping
    /// a foreign key also locks the table it refers to until the transaction ends.
    pub fn set_aside_foreign_keys(&mut self, table: &str) -> Result<Vec<(String, String)>> {
        if !self.checks_foreign_keys()? {
            return Ok(Vec::new());
        }
        let keys = self.query_map(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = to_regclass(?) AND contype = 'f' ORDER BY conname",
            &[Value::text(table)],
            |row| Ok((row.text(0)?.unwrap_or_default().to_string(), row.text(1)?.unwrap_or_default().to_string())),
        )?;
        keys.into_iter()
            .map(|(name, definition)| {
                self.batch(&format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\""))?;
                Ok((name.clone(), format!("ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {definition}")))
            })
            .collect()
    }

    /// Whether this session checks PostgreSQL's foreign keys row by row (their triggers are off
    /// while an import runs as a role that may turn them off). SQLite's are switched off for an
    /// import as a whole.
    fn checks_foreign_keys(&mut self) -> Result<bool> {
        if self.dialect() != Dialect::Postgres {
            return Ok(false);
        }
        Ok(self.query_i64("SELECT (current_setting('session_replication_role') <> 'replica')::int", &[])? == 1)
    }

    /// Whether a bulk load into `table` keeps its indexes: on PostgreSQL when this session checks
    /// foreign keys and the table has one checked at the commit rather than after each statement.
    pub fn bulk_load_keeps_indexes(&mut self, table: &str) -> Result<bool> {
        if !self.checks_foreign_keys()? {
            return Ok(false);
        }
        let sql =
            "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = to_regclass(?) AND contype = 'f' AND condeferred";
        Ok(self.query_i64(sql, &[Value::text(table)])? > 0)
    }

    /// Builds again what [`Db::set_aside_indexes`] dropped.
    pub fn restore_indexes(&mut self, indexes: &[(String, String)]) -> Result<()> {
        indexes.iter().try_for_each(|(_, create)| self.batch(create))
    }
}

/// PostgreSQL numbers its placeholders: `?` becomes `$1`, `$2`, … (outside string literals).
fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut in_literal = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                in_literal = !in_literal;
                out.push(c);
            }
            '?' if !in_literal => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Db, numbered_placeholders};

    #[test]
    fn placeholders_are_numbered_outside_literals() {
        assert_eq!(numbered_placeholders("SELECT ? , '?' , ?"), "SELECT $1 , '?' , $2");
    }

    /// SQLite's default build maps at most 2 GB of a file; `.cargo/config.toml` raises the ceiling
    /// so that a larger organisation is read through the map too.
    #[test]
    fn an_sqlite_file_is_mapped_beyond_two_gigabytes() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut db = Db::open(&format!("sqlite://{}", dir.path().join("mapped.db").display())).expect("opened");
        let mapped = db.query_i64("PRAGMA mmap_size", &[]).expect("read");
        assert!(mapped > 1 << 32, "only {mapped} bytes are mapped");
    }

    /// A new file is made of 8 KB pages; a file made before keeps the size it was made with.
    #[test]
    fn a_new_sqlite_file_has_eight_kilobyte_pages() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let new = dir.path().join("new.db");
        let mut db = Db::open(&format!("sqlite://{}", new.display())).expect("opened");
        assert_eq!(db.query_i64("PRAGMA page_size", &[]).expect("read"), 8192);

        let older = dir.path().join("older.db");
        rusqlite::Connection::open(&older)
            .and_then(|conn| conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x INTEGER)"))
            .expect("made with 4 KB pages");
        let mut db = Db::open(&format!("sqlite://{}", older.display())).expect("opened");
        assert_eq!(db.query_i64("PRAGMA page_size", &[]).expect("read"), 4096);
    }
}

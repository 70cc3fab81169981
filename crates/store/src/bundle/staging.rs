//! Staging tables: where a file's checked rows wait until the whole bundle is known to be valid,
//! and the merge from there into the organisation's tables. The only part of the import that
//! differs per dialect.

use super::spec::FileSpec;
use crate::db::{Db, Dialect, Value};
use crate::error::StoreError;
use crate::orgs::OrgId;

/// Where a file's checked rows are loaded while the rest of the bundle is checked.
#[derive(Debug)]
pub enum Target {
    /// A temporary staging table, merged into the real one once the whole bundle is valid.
    Staged,
    /// The real table itself, which was empty: nothing can conflict, so the rows go straight in
    /// (the transaction still rolls them back if any problem is found). Secondary indexes (and on
    /// PostgreSQL the primary key, where no foreign key refers to it) are dropped for the load and
    /// rebuilt afterwards in one sorted pass each; the key's first, which is how repeated keys are
    /// found.
    Direct { dropped_indexes: Vec<(String, String)> },
}

impl Target {
    /// The table the loader writes to.
    pub fn table(&self, spec: &FileSpec) -> String {
        match self {
            Target::Staged => format!("stage_{}", spec.table),
            Target::Direct { .. } => spec.table.to_string(),
        }
    }

    /// The columns loaded: a staging table also keeps each row's line, to report duplicates.
    pub fn columns(&self, spec: &FileSpec) -> Vec<&'static str> {
        let mut columns = spec.db_columns();
        if matches!(self, Target::Staged) {
            columns.push("line");
        }
        columns
    }
}

/// The name of every table's unique index on `(org_id, external_id)` ends so.
const KEY_INDEX_SUFFIX: &str = "_by_external_id";

/// Chooses and prepares where a file's rows are loaded: straight into its table when that is empty.
/// A repeated key is then found again in the file by the key (its id, or its natural key's columns).
/// Unless the table keeps its indexes for the load (see [`Db::bulk_load_keeps_indexes`]): a repeated
/// key would then stop the load, so the rows are staged and their repeats found there.
pub fn prepare(db: &mut Db, spec: &FileSpec) -> Result<Target, StoreError> {
    if table_is_empty(db, spec.table)? && !db.bulk_load_keeps_indexes(spec.table)? {
        // The key index goes too: the keys arrive in file order, not in key order, so inserting
        // each one into a large index costs more than loading the rows, where building it
        // afterwards from the sorted keys costs less than either (docs/BENCHMARKS.md).
        let dropped_indexes = db.set_aside_indexes(spec.table, true)?;
        return Ok(Target::Direct { dropped_indexes });
    }
    create_staging_table(db, spec)?;
    Ok(Target::Staged)
}

pub(crate) fn table_is_empty(db: &mut Db, table: &str) -> Result<bool, StoreError> {
    Ok(db.query_i64(&format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT 1) t"), &[])? == 0)
}

/// Creates the (temporary, connection-private) staging table of a file.
fn create_staging_table(db: &mut Db, spec: &FileSpec) -> Result<(), StoreError> {
    let stage = Target::Staged.table(spec);
    match db.dialect() {
        // SQLite: untyped columns keep each value as bound; the unique index lets the loader skip
        // (and so detect) a repeated key as it is inserted.
        Dialect::Sqlite => db.batch(&format!(
            "DROP TABLE IF EXISTS temp.{stage};
             CREATE TEMP TABLE {stage} ({});
             CREATE UNIQUE INDEX temp.{stage}_key ON {stage} (external_id);",
            Target::Staged.columns(spec).join(", ")
        )),
        // PostgreSQL: the target's column types, so COPY parses the text; duplicates are found
        // after the load by one aggregate.
        Dialect::Postgres => db.batch(&format!(
            "DROP TABLE IF EXISTS pg_temp.{stage};
             CREATE TEMP TABLE {stage} (LIKE {} INCLUDING DEFAULTS);
             ALTER TABLE {stage} ADD COLUMN line BIGINT;",
            spec.table
        )),
    }
}

/// A row whose key an earlier row of the same file already has.
#[derive(Debug)]
pub struct Duplicate {
    pub line: u64,
    pub first_line: u64,
    pub key: String,
}

/// What is known of a loaded file's duplicates: where they are, or only which keys repeat (a
/// direct load keeps no line numbers; the importer finds them in the file again).
pub enum Duplicates {
    Located(Vec<Duplicate>),
    Keys(Vec<String>),
}

/// The duplicate keys of a loaded file. `rejected` lists the rows SQLite's loader skipped.
pub fn duplicates(
    db: &mut Db,
    spec: &FileSpec,
    target: &mut Target,
    org: OrgId,
    rejected: &[(u64, String)],
) -> Result<Duplicates, StoreError> {
    let stage = target.table(spec);
    Ok(match (db.dialect(), target) {
        (_, Target::Direct { dropped_indexes }) => Duplicates::Keys(build_key_index(db, spec, org, dropped_indexes)?),
        (Dialect::Sqlite, Target::Staged) => Duplicates::Located(
            rejected
                .iter()
                .map(|(line, key)| {
                    let first_line =
                        db.query_i64(&format!("SELECT line FROM {stage} WHERE external_id = ?"), &[Value::text(key)])?;
                    Ok(Duplicate { line: *line, first_line: first_line as u64, key: key.clone() })
                })
                .collect::<Result<_, StoreError>>()?,
        ),
        (Dialect::Postgres, Target::Staged) => Duplicates::Located(db.query_map(
            &format!(
                "SELECT s.line, f.first_line, s.external_id FROM {stage} s
                 JOIN (SELECT external_id, MIN(line) AS first_line FROM {stage} GROUP BY external_id HAVING COUNT(*) > 1) f
                   ON f.external_id = s.external_id
                 WHERE s.line > f.first_line ORDER BY s.line"
            ),
            &[],
            |row| {
                Ok(Duplicate {
                    line: row.int(0)?.unwrap_or_default() as u64,
                    first_line: row.int(1)?.unwrap_or_default() as u64,
                    key: row.text(2)?.unwrap_or_default().to_string(),
                })
            },
        )?),
    })
}

/// Builds the key index of a direct load, which succeeds when no key repeats; otherwise lists the
/// keys that do. Building the index is the one sorted pass either way (on PostgreSQL, inside a
/// savepoint, since a failed statement would end the transaction).
fn build_key_index(
    db: &mut Db,
    spec: &FileSpec,
    org: OrgId,
    dropped_indexes: &mut Vec<(String, String)>,
) -> Result<Vec<String>, StoreError> {
    let key_index = dropped_indexes.iter().position(|(name, _)| name.ends_with(KEY_INDEX_SUFFIX));
    if let Some(position) = key_index {
        match db.transaction(|db| db.batch(&dropped_indexes[position].1)) {
            Ok(()) => {
                dropped_indexes.remove(position);
                return Ok(Vec::new());
            }
            Err(error) if error.is_unique_violation() => {}
            Err(error) => return Err(error),
        }
    }
    db.query_map(
        &format!("SELECT external_id FROM {} WHERE org_id = ? GROUP BY external_id HAVING COUNT(*) > 1", spec.table),
        &[org.value()],
        |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
    )
}

/// What the merge of a file did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Merged {
    pub inserted: u64,
    pub updated: u64,
    pub removed: u64,
}

/// Completes a valid file's load: a staged file is merged into its table — new keys inserted,
/// rows whose values differ updated in place (keeping their id), equal rows left alone, and with
/// `remove` the live rows whose external id starts with it and that the file lacks deleted; a
/// direct load (into a table that was empty: nothing to remove) gets its indexes back.
pub fn merge(
    db: &mut Db,
    spec: &FileSpec,
    org: OrgId,
    target: &Target,
    rows: u64,
    remove: Option<&str>,
) -> Result<Merged, StoreError> {
    let started = std::time::Instant::now();
    let direct = matches!(target, Target::Direct { .. });
    let merged = match target {
        Target::Direct { dropped_indexes } => {
            db.restore_indexes(dropped_indexes)?;
            Merged { inserted: rows, ..Merged::default() }
        }
        Target::Staged => {
            let stage = Target::Staged.table(spec);
            let (inserted, updated) =
                if table_is_empty(db, spec.table)? { load_into_empty(db, spec)? } else { upsert(db, spec, org)? };
            let removed = match remove {
                Some(prefix) => remove_missing(db, spec, org, prefix, Some(&stage))?,
                None => 0,
            };
            db.batch(&format!("DROP TABLE {stage}"))?;
            Merged { inserted, updated, removed }
        }
    };
    let Merged { inserted, updated, removed } = merged;
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(table = spec.table, inserted, updated, removed, direct, seconds, "merged");
    Ok(merged)
}

/// Deletes (as a user deletes a record: restorable, with an audit entry each) the organisation's
/// live rows of `spec`'s table whose external id starts with `prefix` and that the staging table
/// `stage` lacks (all of them without one); returns how many.
pub fn remove_missing(
    db: &mut Db,
    spec: &FileSpec,
    org: OrgId,
    prefix: &str,
    stage: Option<&str>,
) -> Result<u64, StoreError> {
    let table = spec.table;
    let kept = stage
        .map(|stage| format!(" AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.external_id = {table}.external_id)"))
        .unwrap_or_default();
    // The prefix's length is a number of characters, written into the statement (no input).
    let length = prefix.chars().count();
    let missing = format!("org_id = ? AND deleted_at IS NULL AND substr(external_id, 1, {length}) = ?{kept}");
    let ids =
        db.query_map(&format!("SELECT id FROM {table} WHERE {missing}"), &[org.value(), Value::text(prefix)], |row| {
            Ok(row.int(0)?.unwrap_or_default())
        })?;
    if ids.is_empty() {
        return Ok(0);
    }
    let now = chrono::Utc::now();
    let removed = db.execute(
        &format!("UPDATE {table} SET deleted_at = ? WHERE {missing}"),
        &[Value::Timestamp(now), org.value(), Value::text(prefix)],
    )?;
    // Each as a user's delete is recorded, so that the history says what the import deleted.
    let (before, after) =
        (serde_json::json!({ "deleted_at": null }), serde_json::json!({ "deleted_at": now.to_rfc3339() }));
    for id in ids {
        let change = crate::audit::Change {
            user: None,
            action: "delete",
            entity: table,
            entity_id: Some(id),
            before: Some(before.clone()),
            after: Some(after.clone()),
        };
        crate::audit::record(db, org, change)?;
    }
    Ok(removed)
}

/// Into an empty table nothing can conflict (the staged keys are unique), so the rows go in
/// without their secondary indexes (nor, where it can go, their primary key), which are then built
/// in one sorted pass each.
fn load_into_empty(db: &mut Db, spec: &FileSpec) -> Result<(u64, u64), StoreError> {
    let indexes = db.set_aside_indexes(spec.table, true)?;
    let list = spec.db_columns().join(", ");
    let stage = Target::Staged.table(spec);
    let inserted = db.execute(&format!("INSERT INTO {} ({list}) SELECT {list} FROM {stage}", spec.table), &[])?;
    db.restore_indexes(&indexes)?;
    Ok((inserted, 0))
}

fn upsert(db: &mut Db, spec: &FileSpec, org: OrgId) -> Result<(u64, u64), StoreError> {
    let columns = spec.db_columns();
    let updatable: Vec<&str> =
        columns.iter().copied().filter(|c| !matches!(*c, "org_id" | "id" | "external_id")).collect();
    let set = updatable.iter().map(|c| format!("{c} = excluded.{c}")).collect::<Vec<_>>().join(", ");
    let differs = updatable
        .iter()
        .map(|c| format!("{t}.{c} IS DISTINCT FROM excluded.{c}", t = spec.table))
        .collect::<Vec<_>>()
        .join(" OR ");
    let count_sql = format!("SELECT COUNT(*) FROM {} WHERE org_id = ?", spec.table);
    let before = db.query_i64(&count_sql, &[org.value()])?;
    // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
    let changed = db.execute(
        &format!(
            "INSERT INTO {table} ({list}) SELECT {list} FROM {stage} WHERE true
             ON CONFLICT (org_id, external_id) DO UPDATE SET {set} WHERE {differs}",
            table = spec.table,
            list = columns.join(", "),
            stage = Target::Staged.table(spec),
        ),
        &[],
    )?;
    let inserted = (db.query_i64(&count_sql, &[org.value()])? - before) as u64;
    Ok((inserted, changed - inserted))
}

/// Before the import transaction: SQLite's foreign-key enforcement can only be switched outside a
/// transaction. The importer has already resolved every reference (that is how it can say which
/// line is wrong), so re-checking each one in the database would double the cost of a bulk load.
/// Likewise for SQLite's CHECK constraints: the importer has checked every value against the same
/// rules, and SQLite evaluates each `IN (…)` list of a CHECK by building a temporary table per row,
/// which made a bulk load of activities twice as slow.
///
/// SQLite also leaves WAL mode for the import when it can (no other connection is open): the
/// import is one large transaction, and in WAL mode every page it wrote and reads again (the index
/// builds, the KPI rollups) is looked up in a write-ahead log as large as the database; with a
/// rollback journal the pages go straight to the file, and a new database's journal stays empty.
///
/// And it reads the file without its memory map: an import reads back what it wrote about once, as
/// fast either way, but every mapped page it touched would count as its memory, and a large import
/// would end far over its memory budget.
pub fn suspend_foreign_keys(db: &mut Db) -> Result<(), StoreError> {
    match db.dialect() {
        Dialect::Sqlite => {
            db.batch("PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON; PRAGMA mmap_size = 0")?;
            if let Err(error) = db.batch("PRAGMA journal_mode = DELETE") {
                tracing::info!("the import stays in WAL mode: {error}");
            }
            Ok(())
        }
        Dialect::Postgres => Ok(()),
    }
}

/// Inside the import transaction: PostgreSQL skips its per-row foreign-key triggers for this
/// transaction when the role may (a superuser, or `GRANT SET ON PARAMETER session_replication_role`);
/// otherwise the rows are checked as usual, only more slowly.
pub fn suspend_foreign_keys_in_transaction(db: &mut Db) -> Result<(), StoreError> {
    if db.dialect() == Dialect::Postgres {
        db.batch("SAVEPOINT bulk_mode")?;
        match db.batch("SET LOCAL session_replication_role = replica") {
            Ok(()) => db.batch("RELEASE SAVEPOINT bulk_mode")?,
            Err(error) => {
                tracing::info!("foreign keys stay checked during the import: {error}");
                db.batch("ROLLBACK TO SAVEPOINT bulk_mode")?;
            }
        }
    }
    Ok(())
}

/// While the files are read, SQLite's page cache (and with it the memory of each index sort) is a
/// quarter of its usual size: the id maps are in memory then, and the rows only pass through on
/// their way to the file. The writing that follows ([`while_writing`]) has the usual cache, and
/// the id maps are freed by then.
pub fn while_reading(db: &mut Db) -> Result<(), StoreError> {
    sqlite_cache(db, crate::db::SQLITE_CACHE_KIB / 4)
}

/// See [`while_reading`].
pub fn while_writing(db: &mut Db) -> Result<(), StoreError> {
    sqlite_cache(db, crate::db::SQLITE_CACHE_KIB)
}

fn sqlite_cache(db: &mut Db, kib: u64) -> Result<(), StoreError> {
    match db.dialect() {
        Dialect::Sqlite => db.batch(&format!("PRAGMA main.cache_size = -{kib}")),
        Dialect::Postgres => Ok(()),
    }
}

/// After the import transaction, committed or not.
pub fn resume_foreign_keys(db: &mut Db) -> Result<(), StoreError> {
    match db.dialect() {
        Dialect::Sqlite => db.batch(&format!(
            "PRAGMA foreign_keys = ON; PRAGMA ignore_check_constraints = OFF; PRAGMA journal_mode = WAL;
             PRAGMA mmap_size = {}; PRAGMA main.cache_size = -{}",
            crate::db::SQLITE_MMAP_SIZE,
            crate::db::SQLITE_CACHE_KIB
        )),
        Dialect::Postgres => Ok(()),
    }
}

//! SQLite backups: an online copy of a database in use, and the checks a copy passes before it
//! replaces one. PostgreSQL has its own tools for both (`pg_dump`, `pg_restore`).

use crate::db::{Db, Dialect, Value};
use crate::error::{Result, StoreError};
use std::path::{Path, PathBuf};

/// The file of an `sqlite://FILE` (or `sqlite:FILE`) URL; `None` for PostgreSQL and in-memory URLs.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Writes a consistent copy of the SQLite database `db` is connected to into `into` (absent or
/// empty), while other connections keep reading and writing it.
///
/// `VACUUM INTO` copies from one read transaction: in WAL mode that is a snapshot of the last
/// commit before it began, and writers are not held up. The online backup API would restart its
/// copy each time another process commits, and might never finish under a steady stream of
/// writes. The copy is also compacted, and needs no feature of the SQLite binding beyond SQL.
/// SQLite does not flush the copy to disk: the caller does, before it counts on it.
pub fn copy_into(db: &mut Db, into: &Path) -> Result<()> {
    require_sqlite(db)?;
    db.execute("VACUUM INTO ?", &[Value::owned(into.to_string_lossy().into_owned())])?;
    Ok(())
}

/// Checks that `db` is a sound Quotient database (every page readable and every index matching
/// its table; made by this version of Quotient or an older one), then applies the migrations it
/// lacks, so that a copy made by an older version opens as this one expects.
pub fn check_and_migrate(db: &mut Db) -> Result<()> {
    require_sqlite(db)?;
    let problems =
        db.query_map("PRAGMA integrity_check", &[], |row| Ok(row.text(0)?.unwrap_or_default().to_string()))?;
    if problems.first().map(String::as_str) != Some("ok") {
        return Err(StoreError::Invalid(format!(
            "the file is damaged (SQLite's integrity check: {}); use an older backup",
            problems.join("; ")
        )));
    }
    let is_quotient = db.query_i64(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('schema_migrations', 'organisations')",
        &[],
    )? == 2;
    if !is_quotient {
        return Err(StoreError::Invalid(
            "the file is an SQLite database but not Quotient's (no organisations, no migrations)".into(),
        ));
    }
    crate::migrate::apply(db)
}

/// Makes `db` the only connection to its file for as long as it lives, so that the file can be
/// replaced: refused while another connection (a running server, another command) has the file
/// open. Leaving WAL mode needs exactly that, and leaves no write-ahead log that SQLite would
/// otherwise pair with the file put in its place.
pub fn claim_sole_use(db: &mut Db) -> Result<()> {
    require_sqlite(db)?;
    db.batch("PRAGMA busy_timeout = 0")?;
    let mode = db
        .query_map("PRAGMA journal_mode = DELETE", &[], |row| Ok(row.text(0)?.unwrap_or_default().to_ascii_lowercase()))
        .map_err(|_| in_use())?;
    if mode.first().map(String::as_str) != Some("delete") {
        return Err(in_use());
    }
    db.batch("BEGIN EXCLUSIVE").map_err(|_| in_use())
}

fn in_use() -> StoreError {
    StoreError::Invalid(
        "the database is in use (a running `quotient serve` or another command): stop it, then restore".into(),
    )
}

fn require_sqlite(db: &Db) -> Result<()> {
    match db.dialect() {
        Dialect::Sqlite => Ok(()),
        Dialect::Postgres => {
            Err(StoreError::Invalid("PostgreSQL is backed up with pg_dump and restored with pg_restore".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_file("sqlite://data/q.db"), Some(PathBuf::from("data/q.db")));
        assert_eq!(sqlite_file("sqlite:q.db"), Some(PathBuf::from("q.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    /// The copy holds what was committed when it began, and a second connection to the source
    /// makes the source's file impossible to claim.
    #[test]
    fn a_copy_is_a_committed_state_and_an_open_file_cannot_be_claimed() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("source.db").display());
        let mut source = crate::open(&url).expect("opened");
        crate::orgs::find_or_create(&mut source, "acme", "Acme").expect("an organisation");
        let copy = dir.path().join("copy.db");
        copy_into(&mut source, &copy).expect("copied");

        let mut restored = Db::open(&format!("sqlite://{}", copy.display())).expect("the copy opens");
        check_and_migrate(&mut restored).expect("the copy is sound");
        assert_eq!(crate::orgs::list(&mut restored).expect("listed").len(), 1);

        let mut claimant = Db::open(&url).expect("opened again");
        let refused = claim_sole_use(&mut claimant).expect_err("the source is open elsewhere");
        assert!(refused.to_string().contains("in use"), "{refused}");
        drop((source, claimant));
        let mut claimant = Db::open(&url).expect("opened again");
        claim_sole_use(&mut claimant).expect("the only connection claims the file");
    }

    #[test]
    fn a_database_that_is_not_quotients_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut other = Db::open(&format!("sqlite://{}", dir.path().join("other.db").display())).expect("opened");
        other.batch("CREATE TABLE notes (text TEXT)").expect("a table");
        let refused = check_and_migrate(&mut other).expect_err("not Quotient's");
        assert!(refused.to_string().contains("not Quotient's"), "{refused}");
    }
}

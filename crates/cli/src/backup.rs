//! `quotient backup` and `quotient restore`.
//!
//! SQLite: the backup is a consistent copy taken while the server runs and writes; a restore
//! checks the copy, then puts it in place of the database in one rename, so that the database is
//! at every moment either the old file or the whole new one. PostgreSQL: `pg_dump` and
//! `pg_restore` do both (docs/OPERATIONS.md).

use anyhow::{Context, Result, bail};
use quotient_store::{Db, backup, orgs};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub fn backup(database_url: &str, file: &Path) -> Result<()> {
    if file.exists() {
        bail!("{} exists already: choose a new file name (a backup never replaces a file)", file.display());
    }
    let Some(database) = backup::sqlite_file(database_url) else {
        return pg_dump(database_url, file);
    };
    if !database.is_file() {
        bail!("{} does not exist: there is nothing to back up", database.display());
    }
    let started = Instant::now();
    let copy = temporary_beside(file, ".quotient-backup-")?;
    let mut db = Db::open(database_url).with_context(|| format!("opening {database_url}"))?;
    backup::copy_into(&mut db, copy.path()).with_context(|| format!("copying {}", database.display()))?;
    drop(db);
    copy.as_file().sync_all().with_context(|| format!("writing {}", copy.path().display()))?;
    copy.persist_noclobber(file).with_context(|| format!("naming the backup {}", file.display()))?;
    sync_folder_of(file)?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or_default();
    println!(
        "backed up {} to {} ({:.1} MB in {:.1} s): a consistent copy of the last commit before the backup began",
        database.display(),
        file.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    println!("restore it with: quotient --database-url {database_url} restore {}", file.display());
    Ok(())
}

pub fn restore(database_url: &str, file: &Path) -> Result<()> {
    let Some(database) = backup::sqlite_file(database_url) else {
        bail!(
            "on PostgreSQL, restore a dump made by `quotient backup` or `pg_dump --format=custom` with \
             `pg_restore --clean --if-exists --no-owner --single-transaction --dbname {database_url} {}` \
             (stop `quotient serve` first; see docs/OPERATIONS.md)",
            file.display()
        );
    };
    if !file.is_file() {
        bail!("{} is not a file: give the backup to restore", file.display());
    }
    let log = wal_of(file);
    if log.exists() {
        bail!(
            "{} lies beside {}: the file is in use or was not closed cleanly; \
             restore a file made by `quotient backup`",
            log.display(),
            file.display()
        );
    }
    let started = Instant::now();
    // The checks and migrations run on a copy beside the database, which is renamed into place only
    // once it is complete and on disk.
    let copy = temporary_beside(&database, ".quotient-restore-")?;
    std::fs::copy(file, copy.path()).with_context(|| format!("copying {} beside the database", file.display()))?;
    let organisations = {
        let mut db = Db::open(&format!("sqlite://{}", copy.path().display()))
            .with_context(|| format!("{} is not an SQLite database", file.display()))?;
        backup::check_and_migrate(&mut db).with_context(|| format!("{} cannot be restored", file.display()))?;
        orgs::list(&mut db)?
    };
    if let Ok(replaced) = std::fs::metadata(&database) {
        // Whoever could open the database before can open it after.
        std::fs::set_permissions(copy.path(), replaced.permissions())
            .with_context(|| format!("giving {} the database's permissions", copy.path().display()))?;
    }
    copy.as_file().sync_all().with_context(|| format!("writing {}", copy.path().display()))?;
    let claim = if database.exists() {
        let mut db = Db::open(database_url).with_context(|| format!("opening {database_url}"))?;
        backup::claim_sole_use(&mut db).with_context(|| format!("{} was left as it was", database.display()))?;
        Some(db)
    } else {
        None
    };
    copy.persist(&database).with_context(|| format!("putting the backup in place of {}", database.display()))?;
    sync_folder_of(&database)?;
    drop(claim);
    println!(
        "restored {} into {} in {:.1} s: organisations {}",
        file.display(),
        database.display(),
        started.elapsed().as_secs_f64(),
        organisations.iter().map(|o| o.slug.as_str()).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

/// PostgreSQL: `pg_dump --format=custom` (one snapshot of the whole database, whatever runs
/// meanwhile), into a temporary file renamed once the dump is complete.
fn pg_dump(database_url: &str, file: &Path) -> Result<()> {
    let dump = temporary_beside(file, ".quotient-backup-")?;
    let ran = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(dump.path())
        .args(["--dbname", database_url])
        .status();
    match ran {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "pg_dump is not on the PATH: install PostgreSQL's client tools, or run \
             `pg_dump --format=custom --file {} --dbname {database_url}` where they are (see docs/OPERATIONS.md)",
            file.display()
        ),
        Err(error) => Err(error).context("running pg_dump"),
        Ok(status) if !status.success() => bail!("pg_dump failed ({status}); nothing was written"),
        Ok(_) => {
            dump.as_file().sync_all().context("writing the dump")?;
            dump.persist_noclobber(file).with_context(|| format!("naming the dump {}", file.display()))?;
            sync_folder_of(file)?;
            println!("dumped {database_url} to {} with pg_dump --format=custom", file.display());
            println!(
                "restore it with: pg_restore --clean --if-exists --no-owner --single-transaction --dbname URL FILE"
            );
            Ok(())
        }
    }
}

/// An empty temporary file in `file`'s folder, so that renaming it to `file` is atomic.
fn temporary_beside(file: &Path, prefix: &str) -> Result<tempfile::NamedTempFile> {
    let folder = folder_of(file);
    tempfile::Builder::new()
        .prefix(prefix)
        .tempfile_in(folder)
        .with_context(|| format!("creating a temporary file in {}", folder.display()))
}

fn folder_of(file: &Path) -> &Path {
    file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// A rename is durable once its folder is on disk.
fn sync_folder_of(file: &Path) -> Result<()> {
    let folder = folder_of(file);
    std::fs::File::open(folder).and_then(|f| f.sync_all()).with_context(|| format!("syncing {}", folder.display()))
}

fn wal_of(file: &Path) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

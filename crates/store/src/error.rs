//! The store's one error type.

pub use quotient_core::refusal::{Code, Refusal};
use std::path::PathBuf;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("'{0}' is not a database URL: use sqlite://FILE (e.g. sqlite://quotient.db) or postgres://USER@HOST/DB")]
    BadUrl(String),
    #[error("the database holds a value the store cannot read: {0}")]
    Decode(String),
    #[error("{0}")]
    NotFound(String),
    /// A request the store cannot carry out that no person's input reaches through the web (a backup
    /// file that exists, a bulk load's malformed row), with what to do instead: the command line
    /// says it; the web treats it as a fault, never as a refusal of the user's input.
    #[error("{0}")]
    Invalid(String),
    #[error("the database was migrated by a newer Quotient (migration {0} is unknown to this version)")]
    UnknownMigration(i64),
    /// An operation the rules refuse, as data that every interface shows in its caller's language.
    #[error("refused: {}", describe(.0))]
    Refused(Vec<Refusal>),
    /// An operation the caller's role may not take (interfaces answer as for a missing record, so
    /// that nothing reveals what exists).
    #[error("not permitted")]
    NotPermitted,
}

/// The server's own words (message, detail, hint) where it sent them: the client's display of a
/// server error is only "db error".
fn postgres_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_string();
            for (label, part) in [("detail", db.detail()), ("hint", db.hint())] {
                if let Some(part) = part {
                    text.push_str(&format!(" ({label}: {part})"));
                }
            }
            text
        }
        None => match std::error::Error::source(error) {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        },
    }
}

fn describe(refusals: &[Refusal]) -> String {
    refusals.iter().map(|r| format!("{} ({})", r.field, r.code.key())).collect::<Vec<_>>().join(", ")
}

impl StoreError {
    /// One refusal.
    pub fn refused(field: &'static str, code: Code) -> StoreError {
        StoreError::Refused(vec![Refusal::new(field, code)])
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io { path: path.into(), source }
    }

    /// Whether the database could not be reached or went away (a restart, a dropped connection):
    /// worth trying again shortly, not a fault of the request.
    pub fn is_unavailable(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            StoreError::Postgres(error) => {
                let gone = [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW];
                error.is_closed()
                    || error.code().is_some_and(|code| gone.contains(code))
                    || std::error::Error::source(error).is_some_and(|source| source.is::<std::io::Error>())
            }
            _ => false,
        }
    }

    /// Whether the database refused a statement because a unique key would repeat.
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(error, _)) => {
                error.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            }
            StoreError::Postgres(error) => error.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}

//! Failed sign-ins, counted per e-mail typed, so that guessing a password gets slow.

use crate::db::{Db, Value};
use crate::error::Result;
use chrono::{DateTime, Utc};

pub fn record_failure(db: &mut Db, email: &str, at: DateTime<Utc>) -> Result<()> {
    db.execute(
        "INSERT INTO sign_in_failures (email, at) VALUES (?, ?)",
        &[Value::owned(email.trim().to_lowercase()), Value::Timestamp(at)],
    )?;
    Ok(())
}

/// How many sign-ins with this e-mail failed since `since`.
pub fn recent_failures(db: &mut Db, email: &str, since: DateTime<Utc>) -> Result<i64> {
    db.query_i64(
        "SELECT COUNT(*) FROM sign_in_failures WHERE email = ? AND at >= ?",
        &[Value::owned(email.trim().to_lowercase()), Value::Timestamp(since)],
    )
}

/// Forgets the failures of an e-mail (after a successful sign-in) and every failure before `before`.
pub fn clear_failures(db: &mut Db, email: &str, before: DateTime<Utc>) -> Result<()> {
    db.execute(
        "DELETE FROM sign_in_failures WHERE email = ? OR at < ?",
        &[Value::owned(email.trim().to_lowercase()), Value::Timestamp(before)],
    )?;
    Ok(())
}

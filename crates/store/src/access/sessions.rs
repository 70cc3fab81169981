//! Server-side sessions: the browser holds a random token, the database its SHA-256, the user and
//! the CSRF token of the session's forms.

use super::users::User;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub fn create_session(
    db: &mut Db,
    org: OrgId,
    user: i64,
    token_hash: &str,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let now = Utc::now();
    // Expired sessions are swept whenever someone signs in, so the table stays small.
    db.execute("DELETE FROM sessions WHERE expires_at < ?", &[Value::Timestamp(now)])?;
    db.execute(
        "INSERT INTO sessions (token_hash, org_id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        &[
            Value::text(token_hash),
            org.value(),
            Value::Int(user),
            Value::text(csrf_token),
            Value::Timestamp(now),
            Value::Timestamp(expires_at),
        ],
    )?;
    Ok(())
}

/// The live session of a token hash, with its (enabled) user.
pub fn find_session(db: &mut Db, token_hash: &str) -> Result<Option<Session>> {
    let found = db.query_opt(
        "SELECT s.org_id, s.user_id, s.csrf_token, s.expires_at FROM sessions s
         JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
        &[Value::text(token_hash), Value::Timestamp(Utc::now())],
        |row| {
            Ok((
                OrgId(row.int(0)?.unwrap_or_default()),
                row.int(1)?.unwrap_or_default(),
                row.text(2)?.unwrap_or_default().to_string(),
                row.timestamp(3)?.unwrap_or_default(),
            ))
        },
    )?;
    let Some((org, user_id, csrf_token, expires_at)) = found else { return Ok(None) };
    Ok(super::users::get_user(db, org, user_id)?.map(|user| Session { user, csrf_token, expires_at }))
}

pub fn delete_session(db: &mut Db, token_hash: &str) -> Result<()> {
    db.execute("DELETE FROM sessions WHERE token_hash = ?", &[Value::text(token_hash)])?;
    Ok(())
}

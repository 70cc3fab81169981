//! API tokens: created on the user's page, shown once, stored as a SHA-256, revocable.

use super::users::{User, get_user};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::{self, OrgId};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

pub fn create_token(db: &mut Db, org: OrgId, user: i64, name: &str, token_hash: &str) -> Result<i64> {
    db.transaction(|db| {
        let id = orgs::allocate_ids(db, org, "api_tokens", 1)?;
        db.execute(
            "INSERT INTO api_tokens (org_id, id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            &[
                org.value(),
                Value::Int(id),
                Value::Int(user),
                Value::text(name),
                Value::text(token_hash),
                Value::Timestamp(Utc::now()),
            ],
        )?;
        Ok(id)
    })
}

pub fn list_tokens(db: &mut Db, org: OrgId, user: i64) -> Result<Vec<ApiToken>> {
    db.query_map(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE org_id = ? AND user_id = ? ORDER BY id",
        &[org.value(), Value::Int(user)],
        |row| {
            Ok(ApiToken {
                id: row.int(0)?.unwrap_or_default(),
                name: row.text(1)?.unwrap_or_default().to_string(),
                created_at: row.timestamp(2)?.unwrap_or_default(),
                last_used_at: row.timestamp(3)?,
                revoked: row.timestamp(4)?.is_some(),
            })
        },
    )
}

/// Revokes one of the user's tokens; `false` if the user has no such live token.
pub fn revoke_token(db: &mut Db, org: OrgId, user: i64, id: i64) -> Result<bool> {
    Ok(db.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND id = ? AND revoked_at IS NULL",
        &[Value::Timestamp(Utc::now()), org.value(), Value::Int(user), Value::Int(id)],
    )? == 1)
}

/// How stale the noted last use may get: noting every call would make each API read a write.
const LAST_USE_PRECISION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// The enabled user of a live token; notes when it was used (to the minute).
pub fn find_token(db: &mut Db, token_hash: &str) -> Result<Option<User>> {
    let found = db.query_opt(
        "SELECT org_id, user_id, id, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
        &[Value::text(token_hash)],
        |row| {
            Ok((
                OrgId(row.int(0)?.unwrap_or_default()),
                row.int(1)?.unwrap_or_default(),
                row.int(2)?,
                row.timestamp(3)?,
            ))
        },
    )?;
    let Some((org, user, id, last_used)) = found else { return Ok(None) };
    let now = Utc::now();
    if last_used.is_none_or(|at| now - at > LAST_USE_PRECISION) {
        db.execute(
            "UPDATE api_tokens SET last_used_at = ? WHERE org_id = ? AND id = ?",
            &[Value::Timestamp(now), org.value(), Value::opt_int(id)],
        )?;
    }
    Ok(get_user(db, org, user)?.filter(|u| !u.disabled))
}

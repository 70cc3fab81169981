//! What sign-in throttling counts: failed sign-ins by account and by client address, and the
//! addresses each account signed in from. The policy that turns counts into waits is the web's.
//!
//! An account is named by a key of fixed length (the web passes the SHA-256 of the e-mail typed)
//! and a client by its address as text, so a row stays small whatever a stranger sends.

use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use chrono::{DateTime, Utc};

/// The longest account key or client text kept: a SHA-256 in hex is 64, an IPv6 address at most 45.
pub const MAX_KEY_LENGTH: usize = 64;

/// Failures counted in one scope since some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: i64,
    pub latest: Option<DateTime<Utc>>,
}

/// Everything the throttle policy weighs before a password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInHistory {
    /// Failures of this account, from any address.
    pub account: Failures,
    /// Failures from this address, for any account.
    pub client: Failures,
    /// Every failure.
    pub overall: Failures,
    /// Whether the account signed in successfully from this address since the given moment.
    pub known_client: bool,
}

fn bounded<'a>(what: &str, text: &'a str) -> Result<Value<'a>> {
    if text.len() > MAX_KEY_LENGTH {
        return Err(StoreError::Invalid(format!("a sign-in {what} has at most {MAX_KEY_LENGTH} characters")));
    }
    Ok(Value::text(text))
}

/// The failures since `failures_since` and whether the client is known since `known_since`.
pub fn sign_in_history(
    db: &mut Db,
    account_key: &str,
    client: &str,
    failures_since: DateTime<Utc>,
    known_since: DateTime<Utc>,
) -> Result<SignInHistory> {
    let since = Value::Timestamp(failures_since);
    let account = bounded("account key", account_key)?;
    let address = bounded("client address", client)?;
    let mut failures = |condition: &str, key: Option<Value>| {
        let mut params = key.into_iter().collect::<Vec<_>>();
        params.push(since.clone());
        db.query_opt(
            &format!("SELECT COUNT(*), MAX(at) FROM sign_in_failures WHERE {condition} at >= ?"),
            &params,
            |row| Ok(Failures { count: row.int(0)?.unwrap_or_default(), latest: row.timestamp(1)? }),
        )
        .map(Option::unwrap_or_default)
    };
    let account_failures = failures("account_key = ? AND", Some(account.clone()))?;
    let client_failures = failures("client = ? AND", Some(address.clone()))?;
    let overall = failures("", None)?;
    let known_client = db
        .query_opt(
            "SELECT 1 FROM sign_in_addresses WHERE account_key = ? AND client = ? AND last_success_at >= ?",
            &[account, address, Value::Timestamp(known_since)],
            |row| row.int(0),
        )?
        .is_some();
    Ok(SignInHistory { account: account_failures, client: client_failures, overall, known_client })
}

pub fn record_failure(db: &mut Db, account_key: &str, client: &str, at: DateTime<Utc>) -> Result<()> {
    db.execute(
        "INSERT INTO sign_in_failures (account_key, client, at) VALUES (?, ?, ?)",
        &[bounded("account key", account_key)?, bounded("client address", client)?, Value::Timestamp(at)],
    )?;
    Ok(())
}

/// Notes a successful sign-in: the address becomes one the account is known at, and the account's
/// failures from that address (its owner's typing) are forgotten.
pub fn record_success(db: &mut Db, account_key: &str, client: &str, at: DateTime<Utc>) -> Result<()> {
    let account = bounded("account key", account_key)?;
    let address = bounded("client address", client)?;
    db.transaction(|db| {
        db.execute(
            "DELETE FROM sign_in_failures WHERE account_key = ? AND client = ?",
            &[account.clone(), address.clone()],
        )?;
        db.execute(
            "INSERT INTO sign_in_addresses (account_key, client, last_success_at) VALUES (?, ?, ?)
             ON CONFLICT (account_key, client) DO UPDATE SET last_success_at = excluded.last_success_at",
            &[account.clone(), address.clone(), Value::Timestamp(at)],
        )?;
        Ok(())
    })
}

/// What a sweep removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Swept {
    pub failures: u64,
    pub addresses: u64,
    pub sessions: u64,
}

/// Removes failures before `failures_before`, addresses not used since `addresses_before`, and
/// expired sessions: nothing of it matters any more.
pub fn sweep_sign_in_records(
    db: &mut Db,
    failures_before: DateTime<Utc>,
    addresses_before: DateTime<Utc>,
) -> Result<Swept> {
    Ok(Swept {
        failures: db.execute("DELETE FROM sign_in_failures WHERE at < ?", &[Value::Timestamp(failures_before)])?,
        addresses: db.execute(
            "DELETE FROM sign_in_addresses WHERE last_success_at < ?",
            &[Value::Timestamp(addresses_before)],
        )?,
        sessions: db.execute("DELETE FROM sessions WHERE expires_at < ?", &[Value::Timestamp(Utc::now())])?,
    })
}

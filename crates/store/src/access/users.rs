//! The people who sign in: an e-mail, a role, the rep row they are (for reps and managers), a
//! password hash and a language.

use crate::db::{Db, Row, Value};
use crate::error::{Result, StoreError};
use crate::orgs::{self, OrgId, Organisation};
use quotient_core::Lang;
use quotient_core::input::Refusals;
use quotient_core::model::UserRole;
use quotient_core::refusal::{Code, Refusal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub org: OrgId,
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: UserRole,
    /// The user's row in `reps` (a rep's or a manager's own), if any.
    pub rep_id: Option<i64>,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub lang: Option<Lang>,
}

/// A user to add; `rep` is the external id of their row in `reps`.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: UserRole,
    pub rep: Option<&'a str>,
    pub password_hash: &'a str,
}

/// The longest e-mail address there can be (RFC 5321's path of 256 octets less its angle brackets).
pub const MAX_EMAIL_LENGTH: usize = 254;

const COLUMNS: &str = "org_id, id, email, name, role, rep_id, password_hash, disabled_at, lang";

fn user(row: &Row) -> Result<User> {
    let role = row.text(4)?.unwrap_or_default();
    Ok(User {
        org: OrgId(row.int(0)?.unwrap_or_default()),
        id: row.int(1)?.unwrap_or_default(),
        email: row.text(2)?.unwrap_or_default().to_string(),
        name: row.text(3)?.unwrap_or_default().to_string(),
        role: role.parse().map_err(|_| StoreError::Decode(format!("unknown user role '{role}'")))?,
        rep_id: row.int(5)?,
        password_hash: row.text(6)?.map(str::to_string),
        disabled: row.timestamp(7)?.is_some(),
        lang: row.text(8)?.and_then(Lang::from_tag),
    })
}

/// Adds a user; the e-mail must be new in the organisation and `rep` (if given) must exist.
/// Refuses every bad field at once (`StoreError::Refused`).
pub fn add_user(db: &mut Db, org: OrgId, new: &NewUser) -> Result<i64> {
    db.transaction(|db| {
        let mut refusals = Refusals::new();
        let email = new.email.trim().to_lowercase();
        if email.is_empty() || !email.contains('@') || email.len() > MAX_EMAIL_LENGTH {
            refusals.push(Refusal::new("email", Code::EmailAddress).count("max", MAX_EMAIL_LENGTH as i64));
        } else if db
            .query_opt("SELECT id FROM users WHERE org_id = ? AND email = ?", &[org.value(), Value::text(&email)], |row| {
                row.int(0)
            })?
            .is_some()
        {
            refusals.push(Refusal::new("email", Code::EmailTaken).text("email", email.as_str()));
        }
        let rep_id = match new.rep {
            Some(external) => {
                let found = db.query_opt(
                    "SELECT id FROM reps WHERE org_id = ? AND external_id = ? AND deleted_at IS NULL",
                    &[org.value(), Value::text(external)],
                    |row| Ok(row.int(0)?.unwrap_or_default()),
                )?;
                if found.is_none() {
                    refusals.push(Refusal::new("rep", Code::UnknownRep).text("rep", external));
                }
                found
            }
            None => {
                if matches!(new.role, UserRole::Rep | UserRole::Manager) {
                    refusals.push(Refusal::new("rep", Code::RepRowNeeded));
                }
                None
            }
        };
        refusals.finish().map_err(StoreError::Refused)?;
        let id = orgs::allocate_ids(db, org, "users", 1)?;
        db.execute(
            "INSERT INTO users (org_id, id, email, name, role, rep_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                org.value(),
                Value::Int(id),
                Value::owned(email),
                Value::text(new.name),
                Value::text(new.role.key()),
                Value::opt_int(rep_id),
                Value::text(new.password_hash),
                Value::Timestamp(chrono::Utc::now()),
            ],
        )?;
        Ok(id)
    })
}

/// Every active user with this e-mail, across organisations, with their organisation: sign-in
/// does not ask for one unless the password opens several.
pub fn find_users_by_email(db: &mut Db, email: &str) -> Result<Vec<(User, Organisation)>> {
    let columns = COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
    db.query_map(
        &format!(
            "SELECT {columns}, o.slug, o.name FROM users u JOIN organisations o ON o.org_id = u.org_id
             WHERE u.email = ? AND u.disabled_at IS NULL ORDER BY u.org_id"
        ),
        &[Value::owned(email.trim().to_lowercase())],
        |row| {
            let user = user(row)?;
            let slug = row.text(9)?.unwrap_or_default().to_string();
            let name = row.text(10)?.unwrap_or_default().to_string();
            let id = user.org;
            Ok((user, Organisation { id, slug, name }))
        },
    )
}

pub fn get_user(db: &mut Db, org: OrgId, id: i64) -> Result<Option<User>> {
    db.query_opt(
        &format!("SELECT {COLUMNS} FROM users WHERE org_id = ? AND id = ?"),
        &[org.value(), Value::Int(id)],
        user,
    )
}

pub fn list_users(db: &mut Db, org: OrgId) -> Result<Vec<User>> {
    db.query_map(&format!("SELECT {COLUMNS} FROM users WHERE org_id = ? ORDER BY email"), &[org.value()], user)
}

fn user_by_email(db: &mut Db, org: OrgId, email: &str) -> Result<User> {
    db.query_opt(
        &format!("SELECT {COLUMNS} FROM users WHERE org_id = ? AND email = ?"),
        &[org.value(), Value::owned(email.trim().to_lowercase())],
        user,
    )?
    .ok_or_else(|| StoreError::NotFound(format!("there is no user {email} in this organisation")))
}

/// Sets a user's password hash (and re-enables nothing: a disabled user stays disabled). Every
/// session and API token opened with the old password ends: whoever learnt it is out.
pub fn set_password(db: &mut Db, org: OrgId, email: &str, password_hash: &str) -> Result<()> {
    let user = user_by_email(db, org, email)?;
    db.transaction(|db| {
        db.execute(
            "UPDATE users SET password_hash = ? WHERE org_id = ? AND id = ?",
            &[Value::text(password_hash), org.value(), Value::Int(user.id)],
        )?;
        end_sessions_and_tokens(db, org, user.id)
    })
}

/// Disables a user: they can no longer sign in, and their sessions and tokens stop working.
pub fn disable_user(db: &mut Db, org: OrgId, email: &str) -> Result<()> {
    let user = user_by_email(db, org, email)?;
    db.transaction(|db| {
        db.execute(
            "UPDATE users SET disabled_at = ? WHERE org_id = ? AND id = ?",
            &[Value::Timestamp(chrono::Utc::now()), org.value(), Value::Int(user.id)],
        )?;
        end_sessions_and_tokens(db, org, user.id)
    })
}

/// Signs a user out everywhere: deletes every session and revokes every API token of theirs.
pub fn end_sessions_and_tokens(db: &mut Db, org: OrgId, user: i64) -> Result<()> {
    db.transaction(|db| {
        db.execute("DELETE FROM sessions WHERE org_id = ? AND user_id = ?", &[org.value(), Value::Int(user)])?;
        db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL",
            &[Value::Timestamp(chrono::Utc::now()), org.value(), Value::Int(user)],
        )?;
        Ok(())
    })
}

/// Sets the user's language (`None`: follow the browser).
pub fn set_lang(db: &mut Db, org: OrgId, user: i64, lang: Option<Lang>) -> Result<()> {
    db.execute(
        "UPDATE users SET lang = ? WHERE org_id = ? AND id = ?",
        &[Value::opt_text(lang.map(Lang::tag)), org.value(), Value::Int(user)],
    )?;
    Ok(())
}

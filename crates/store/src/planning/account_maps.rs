//! The account map: the buying committee of an account (role, authority, influence, relationship,
//! last touch), its gaps and whether it is covered (`KPIS.md`, key-account coverage).

use crate::access::Viewer;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{NaiveDate, Utc};
use quotient_core::coaching::{
    AccountGaps, DecisionProcess, KeyAccountCoverage, MappedContact, coverage_score, gaps_within, is_covered_within,
    key_account_coverage_within,
};
use quotient_core::model::BuyingRole;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct MapContact {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    pub role: Option<BuyingRole>,
    /// 1–5, 5 = top.
    pub authority: Option<u8>,
    /// 1 (little) … 5 (decisive) sway over the decision.
    pub influence: Option<u8>,
    /// 1 (hostile) … 5 (champion).
    pub relationship: Option<u8>,
    pub last_touch: Option<NaiveDate>,
    /// Touched within the untouched window (90 days by default).
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountMap {
    pub account_id: i64,
    pub name: String,
    pub owner_id: Option<i64>,
    pub as_of: NaiveDate,
    pub contacts: Vec<MapContact>,
    pub gaps: AccountGaps,
    pub covered: bool,
    /// The coverage score, 0–1 (`quotient_core::coaching::coverage_score`).
    pub coverage_score: f64,
    /// A contact not touched for more than this many days counts as untouched.
    pub untouched_window_days: i64,
    pub decision_process: DecisionProcess,
    /// The positions of the decision's steps not done and past their date.
    pub overdue_steps: Vec<usize>,
}

/// How well an account is covered.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct AccountCoverage {
    pub covered: bool,
    pub score: f64,
}

/// The organisation's untouched-contact window, in days (`method.untouched_after_days`, 90 unless
/// set): the one place the account maps, the territory plans and the key-account coverage take it from.
pub fn untouched_window_days(db: &mut Db, org: OrgId) -> Result<i64> {
    Ok(crate::kpi::settings(db, org)?.method.untouched_after_days)
}

fn level(value: Option<i64>) -> Option<u8> {
    value.and_then(|v| u8::try_from(v).ok())
}

/// The contacts of each of `accounts`, with their last touch up to `as_of` (unscoped: callers
/// have checked the accounts are within reach).
fn committee(
    db: &mut Db,
    org: OrgId,
    accounts: &[i64],
    as_of: NaiveDate,
    window: i64,
) -> Result<HashMap<i64, Vec<MapContact>>> {
    let mut found: HashMap<i64, Vec<MapContact>> = HashMap::new();
    if accounts.is_empty() {
        return Ok(found);
    }
    let marks = vec!["?"; accounts.len()].join(", ");
    let end = as_of.succ_opt().unwrap_or(as_of).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let sql = format!(
        "SELECT c.account_id, c.id, c.first_name, c.last_name, c.title, c.buying_role, c.authority_level,
                r.influence, r.relationship,
                (SELECT MAX(a.occurred_at) FROM activities a
                  WHERE a.org_id = c.org_id AND a.contact_id = c.id AND a.deleted_at IS NULL AND a.occurred_at < ?)
         FROM contacts c
         LEFT JOIN contact_relationships r ON r.org_id = c.org_id AND r.contact_id = c.id
         WHERE c.org_id = ? AND c.deleted_at IS NULL AND c.account_id IN ({marks})
         ORDER BY c.authority_level DESC, c.last_name, c.id"
    );
    let mut params = vec![Value::Timestamp(end), org.value()];
    params.extend(accounts.iter().map(|&a| Value::Int(a)));
    db.query_each(&sql, &params, |row| {
        let name = [row.text(2)?, row.text(3)?].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let last_touch = row.timestamp(9)?.map(|t| t.date_naive());
        let mapped = MappedContact {
            role: row.text(5)?.and_then(|r| r.parse().ok()),
            authority: level(row.int(6)?),
            last_touch,
        };
        found.entry(row.int(0)?.unwrap_or_default()).or_default().push(MapContact {
            id: row.int(1)?.unwrap_or_default(),
            name,
            title: row.text(4)?.map(str::to_string),
            role: mapped.role,
            authority: mapped.authority,
            influence: level(row.int(7)?),
            relationship: level(row.int(8)?),
            last_touch,
            current: mapped.is_current_within(as_of, window),
        });
        Ok(())
    })?;
    Ok(found)
}

fn mapped(contacts: &[MapContact]) -> Vec<MappedContact> {
    contacts.iter().map(|c| MappedContact { role: c.role, authority: c.authority, last_touch: c.last_touch }).collect()
}

/// The committees of `accounts`, read in chunks that keep each statement's list of ids short.
fn committees(
    db: &mut Db,
    org: OrgId,
    accounts: &[i64],
    as_of: NaiveDate,
    window: i64,
) -> Result<HashMap<i64, Vec<MappedContact>>> {
    let mut found = HashMap::new();
    for chunk in accounts.chunks(500) {
        for (account, contacts) in committee(db, org, chunk, as_of, window)? {
            found.insert(account, mapped(&contacts));
        }
    }
    Ok(found)
}

/// How well each of `accounts` is covered on `as_of`, contacts untouched after `window` days.
pub fn coverage(
    db: &mut Db,
    org: OrgId,
    accounts: &[i64],
    as_of: NaiveDate,
    window: i64,
) -> Result<HashMap<i64, AccountCoverage>> {
    let committees = committees(db, org, accounts, as_of, window)?;
    let of = |contacts: &[MappedContact]| AccountCoverage {
        covered: is_covered_within(contacts, as_of, window),
        score: coverage_score(contacts, as_of, window),
    };
    Ok(accounts.iter().map(|a| (*a, of(committees.get(a).map_or(&[][..], Vec::as_slice)))).collect())
}

/// The key-account coverage of each rep's territory plan of `year` (the reps without a plan, or
/// without key accounts, have undefined figures). Unscoped: callers pass reps within reach.
pub fn key_account_coverage(
    db: &mut Db,
    org: OrgId,
    reps: &[i64],
    year: i32,
    as_of: NaiveDate,
) -> Result<HashMap<i64, KeyAccountCoverage>> {
    let window = untouched_window_days(db, org)?;
    let mut keys: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in reps.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params = vec![org.value(), Value::Int(i64::from(year))];
        params.extend(chunk.iter().map(|&r| Value::Int(r)));
        let sql = format!(
            "SELECT p.rep_id, k.account_id FROM territory_plans p
             JOIN territory_plan_accounts k ON k.org_id = p.org_id AND k.plan_id = p.id
             WHERE p.org_id = ? AND p.fiscal_year = ? AND p.rep_id IN ({marks})"
        );
        for (rep, account) in
            db.query_map(&sql, &params, |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default())))?
        {
            keys.entry(rep).or_default().push(account);
        }
    }
    let accounts: Vec<i64> = keys.values().flatten().copied().collect();
    let committees = committees(db, org, &accounts, as_of, window)?;
    Ok(reps
        .iter()
        .map(|rep| {
            let of_rep: Vec<Vec<MappedContact>> = keys
                .get(rep)
                .map(|accounts| accounts.iter().map(|a| committees.get(a).cloned().unwrap_or_default()).collect())
                .unwrap_or_default();
            (*rep, key_account_coverage_within(&of_rep, as_of, window))
        })
        .collect())
}

/// The map of an account within the viewer's reach.
pub fn load(db: &mut Db, viewer: &Viewer, account: i64, as_of: NaiveDate) -> Result<Option<AccountMap>> {
    let (reach, mut params) = viewer.condition("owner_id");
    params.splice(0..0, [viewer.org.value(), Value::Int(account)]);
    let sql =
        format!("SELECT name, owner_id FROM accounts WHERE org_id = ? AND id = ? AND deleted_at IS NULL AND {reach}");
    let Some((name, owner_id)) =
        db.query_opt(&sql, &params, |row| Ok((row.text(0)?.unwrap_or_default().to_string(), row.int(1)?)))?
    else {
        return Ok(None);
    };
    let window = untouched_window_days(db, viewer.org)?;
    let contacts = committee(db, viewer.org, &[account], as_of, window)?.remove(&account).unwrap_or_default();
    let facts = mapped(&contacts);
    let decision_process = super::decision_processes::load(db, viewer.org, account)?;
    Ok(Some(AccountMap {
        account_id: account,
        name,
        owner_id,
        as_of,
        gaps: gaps_within(&facts, as_of, window),
        covered: is_covered_within(&facts, as_of, window),
        coverage_score: coverage_score(&facts, as_of, window),
        untouched_window_days: window,
        overdue_steps: decision_process.overdue(as_of),
        decision_process,
        contacts,
    }))
}

/// The owner of live account `account`: `None` when there is no such account, `Some(None)` for an
/// account without an owner (unscoped: the operations decide who may ask).
pub(crate) fn owner_of_account(db: &mut Db, org: OrgId, account: i64) -> Result<Option<Option<i64>>> {
    db.query_opt(
        "SELECT owner_id FROM accounts WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
        &[org.value(), Value::Int(account)],
        |row| row.int(0),
    )
}

/// The owner of the account of live contact `contact`: `None` when there is no such contact,
/// `Some(None)` for an account without an owner (unscoped: the operations decide who may ask).
pub(crate) fn account_owner_of(db: &mut Db, org: OrgId, contact: i64) -> Result<Option<Option<i64>>> {
    db.query_opt(
        "SELECT a.owner_id FROM contacts c JOIN accounts a ON a.org_id = c.org_id AND a.id = c.account_id
         WHERE c.org_id = ? AND c.id = ? AND c.deleted_at IS NULL",
        &[org.value(), Value::Int(contact)],
        |row| row.int(0),
    )
}

/// Records how strong the relationship to a contact is and how much sway they hold (1–5 each);
/// audited. Unchecked: `ops::coaching` decides who sets it, and to what.
pub(crate) fn set_relationship(
    db: &mut Db,
    viewer: &Viewer,
    contact: i64,
    relationship: Option<u8>,
    influence: Option<u8>,
) -> Result<()> {
    let org = viewer.org;
    let key = [org.value(), Value::Int(contact)];
    let before = db.query_opt(
        "SELECT relationship, influence FROM contact_relationships WHERE org_id = ? AND contact_id = ?",
        &key,
        |row| Ok(serde_json::json!({ "relationship": row.int(0)?, "influence": row.int(1)? })),
    )?;
    let value = |v: Option<u8>| Value::opt_int(v.map(i64::from));
    db.execute(
        "INSERT INTO contact_relationships (org_id, contact_id, relationship, influence, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id, contact_id) DO UPDATE
         SET relationship = excluded.relationship, influence = excluded.influence, updated_at = excluded.updated_at",
        &[org.value(), Value::Int(contact), value(relationship), value(influence), Value::Timestamp(Utc::now())],
    )?;
    let action = if before.is_some() { "update" } else { "create" };
    let after = serde_json::json!({ "relationship": relationship, "influence": influence });
    super::audit(db, viewer, action, "contact_relationship", contact, before, Some(after))?;
    Ok(())
}

//! The CRM records' operations: creating and updating a record through its form, deleting and
//! restoring one, and converting a lead. Each checks the caller's role and reach inside its one
//! transaction; a record out of reach is [`StoreError::NotFound`], as one that does not exist.

use super::permit;
use crate::access::Viewer;
use crate::crm::browse::{self, Listing};
use crate::crm::forms::{self, Form};
use crate::crm::values::{self, Values};
use crate::crm::{editing, leads};
use crate::db::Db;
use crate::error::{Result, StoreError};
use chrono::Utc;
use quotient_core::Lang;
use quotient_core::access::{Action, Resource};

/// A record no caller reaches: missing, deleted or out of scope (which is not told apart).
pub(crate) fn not_found(table: &str, id: i64) -> StoreError {
    StoreError::NotFound(format!("no {table} record {id} within reach"))
}

/// A record to create: its form's values as typed, numbers as `lang` writes them.
#[derive(Debug, Clone)]
pub struct CreateRecord {
    pub form: &'static Form,
    pub values: Values,
    pub lang: Lang,
}

/// Creates a record; its id. Refused field by field when values are missing or bad, or point at
/// records out of the caller's reach.
pub fn create(db: &mut Db, scope: &Viewer, command: &CreateRecord) -> Result<i64> {
    permit(scope, command.form.resource, Action::Create)?;
    db.transaction(|db| editing::insert(db, scope, command.form, &command.values, command.lang))
}

/// What becomes of the form's fields an update does not give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// Cleared, as a form sent whole empties a field left blank.
    Cleared,
    /// Kept as they are, as an API client sends only what changes.
    Kept,
}

/// A change of a live record.
#[derive(Debug, Clone)]
pub struct UpdateRecord {
    pub form: &'static Form,
    pub id: i64,
    pub values: Values,
    pub unsent: Unsent,
    pub lang: Lang,
}

/// Changes a live record within the caller's reach.
pub fn update(db: &mut Db, scope: &Viewer, command: &UpdateRecord) -> Result<()> {
    let form = command.form;
    permit(scope, form.resource, Action::Edit)?;
    db.transaction(|db| {
        let mut values =
            values::current(db, scope, form, command.id)?.ok_or_else(|| not_found(form.table, command.id))?;
        if command.unsent == Unsent::Cleared {
            values.clear();
        }
        values.extend(command.values.iter().map(|(key, value)| (key.clone(), value.clone())));
        editing::update(db, scope, form, command.id, &values, command.lang)
    })
}

/// A record of one of the listed resources, by id.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef {
    pub listing: &'static Listing,
    pub id: i64,
}

impl RecordRef {
    /// The record `id` of the resource path `resource` (`accounts`, …); `None` for no such resource.
    pub fn of(resource: &str, id: i64) -> Option<RecordRef> {
        browse::listing(resource).map(|listing| RecordRef { listing, id })
    }
}

/// Marks a live record within the caller's reach deleted; it can be restored.
pub fn delete(db: &mut Db, scope: &Viewer, record: &RecordRef) -> Result<()> {
    set_deleted(db, scope, record, true)
}

/// Restores a deleted record within the caller's reach.
pub fn restore(db: &mut Db, scope: &Viewer, record: &RecordRef) -> Result<()> {
    set_deleted(db, scope, record, false)
}

fn set_deleted(db: &mut Db, scope: &Viewer, record: &RecordRef, delete: bool) -> Result<()> {
    let RecordRef { listing, id } = *record;
    permit(scope, listing.resource, Action::Delete)?;
    db.transaction(|db| {
        // Reach first, in the transaction that writes: out-of-scope rows are "not found".
        browse::detail(db, scope, listing, id)?.ok_or_else(|| not_found(listing.table, id))?;
        let user = Some(scope.user);
        let done = if delete {
            crate::records::soft_delete(db, scope.org, listing.table, id, user)?
        } else {
            crate::records::restore(db, scope.org, listing.table, id, user)?
        };
        if done { Ok(()) } else { Err(not_found(listing.table, id)) }
    })
}

/// A lead to convert: the names of the records it becomes (a name not given is the lead's own,
/// [`leads::Lead::proposal`]) and the deal's size as typed, in `lang`.
#[derive(Debug, Clone)]
pub struct ConvertLead {
    pub lead: i64,
    pub account_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub opportunity_name: Option<String>,
    /// The opportunity's amount, required.
    pub amount: String,
    /// The opportunity's product line's id, or empty.
    pub product_line: String,
    pub lang: Lang,
}

/// The records a conversion created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Converted {
    pub account: i64,
    pub contact: i64,
    pub opportunity: i64,
}

/// What converting a lead takes: editing the lead and creating the records it becomes.
const CONVERSION_RIGHTS: [(Resource, Action); 4] = [
    (Resource::Leads, Action::Edit),
    (Resource::Accounts, Action::Create),
    (Resource::Contacts, Action::Create),
    (Resource::Opportunities, Action::Create),
];

/// Whether the caller's role may convert leads.
pub fn may_convert(scope: &Viewer) -> bool {
    CONVERSION_RIGHTS.iter().all(|(resource, action)| scope.may(*resource, *action))
}

/// Converts a live, unconverted lead within the caller's reach: creates the account, its contact
/// and an opportunity owned by the lead's owner (else the caller), links the opportunity to the
/// lead and marks the lead converted. Refusals name the conversion's fields, every one at once.
pub fn convert_lead(db: &mut Db, scope: &Viewer, command: &ConvertLead) -> Result<Converted> {
    for (resource, action) in CONVERSION_RIGHTS {
        permit(scope, resource, action)?;
    }
    db.transaction(|db| {
        let lead = leads::find(db, scope, command.lead)?.filter(|lead| !lead.is_converted());
        let lead = lead.ok_or_else(|| not_found("leads", command.lead))?;
        let proposal = lead.proposal();
        let given = |name: &Option<String>, proposed: String| name.clone().unwrap_or(proposed);
        let account_name = given(&command.account_name, proposal.account_name);
        let owner = lead.owner_id.or(scope.rep_id).map(|id| id.to_string()).unwrap_or_default();
        // Every record is written, so that every refusal is found at once; any refusal rolls all back.
        let mut refused = Vec::new();
        let mut insert = |db: &mut Db, table, values: &[(&str, &str)], renamed: &[(&'static str, &'static str)]| {
            let form = forms::form(table).expect("every CRM table has a form");
            let values: Values = values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            match editing::insert(db, scope, form, &values, command.lang) {
                Ok(id) => Ok(Some(id)),
                Err(StoreError::Refused(refusals)) => {
                    refused.extend(refusals.into_iter().map(|refusal| {
                        match renamed.iter().find(|(from, _)| *from == refusal.field) {
                            Some((_, to)) => refusal.on(to),
                            None => refusal,
                        }
                    }));
                    Ok(None)
                }
                Err(error) => Err(error),
            }
        };
        let account =
            insert(db, "accounts", &[("name", &account_name), ("owner", &owner)], &[("name", "account_name")])?;
        // Without its account (refused), the contact and the deal are checked without one.
        let account_text = account.map(|id| id.to_string()).unwrap_or_default();
        let email = lead.email.clone().unwrap_or_default();
        let first_name = given(&command.first_name, proposal.first_name);
        let last_name = given(&command.last_name, proposal.last_name);
        let contact = insert(
            db,
            "contacts",
            &[("account", &account_text), ("first_name", &first_name), ("last_name", &last_name), ("email", &email)],
            &[],
        )?;
        let now = Utc::now().format("%Y-%m-%dT%H:%M").to_string();
        let opportunity_name = given(&command.opportunity_name, proposal.opportunity_name);
        let opportunity = insert(
            db,
            "opportunities",
            &[
                ("name", &opportunity_name),
                ("account", &account_text),
                ("owner", &owner),
                ("product_line", &command.product_line),
                ("amount", &command.amount),
                ("created_at", &now),
            ],
            &[("name", "opportunity_name")],
        )?;
        let (Some(account), Some(contact), Some(opportunity)) = (account, contact, opportunity) else {
            // The contact's missing account is the account's refusal, already named.
            refused.retain(|refusal| refusal.field != "account");
            return Err(StoreError::Refused(refused));
        };
        leads::mark_converted(db, scope, command.lead, opportunity)?;
        Ok(Converted { account, contact, opportunity })
    })
}

//! Converting a lead into an account, a contact and an opportunity, in one transaction.

use super::browse;
use super::editing::{self, Invalid, Saved, Values};
use super::row_json;
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Result, StoreError};
use crate::kpi::{self, Fact};
use chrono::Utc;

/// What the user confirms when converting: the names and the deal's size (a form's fields; those
/// not sent are empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Conversion {
    pub account_name: String,
    pub first_name: String,
    pub last_name: String,
    pub opportunity_name: String,
    pub amount: String,
    pub product_line: String,
}

/// The records a conversion created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Converted {
    pub account: i64,
    pub contact: i64,
    pub opportunity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(Converted),
    /// Nothing was written; the fields are those of [`Conversion`].
    Refused(Vec<Invalid>),
    /// No such live, unconverted lead within the viewer's reach.
    NotFound,
}

/// A lead as the conversion form starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub owner_id: Option<i64>,
    pub company: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub status: Option<String>,
}

impl Lead {
    /// The conversion form's first values: the company names the account and the deal, the
    /// contact's name splits at its last space.
    pub fn proposal(&self) -> Conversion {
        let company = self.company.clone().unwrap_or_default();
        let name = self.contact_name.clone().unwrap_or_default();
        let (first, last) = name.trim().rsplit_once(' ').unwrap_or(("", name.trim()));
        Conversion {
            account_name: company.clone(),
            first_name: first.trim().to_string(),
            last_name: last.to_string(),
            opportunity_name: company,
            ..Conversion::default()
        }
    }
}

/// A live lead within the viewer's reach.
pub fn find(db: &mut Db, viewer: &Viewer, id: i64) -> Result<Option<Lead>> {
    let listing = browse::listing("leads").expect("listed");
    if !editing::reachable_live(db, viewer, listing, id)? {
        return Ok(None);
    }
    db.query_opt(
        "SELECT owner_id, company, contact_name, email, status FROM leads WHERE org_id = ? AND id = ?",
        &[viewer.org.value(), Value::Int(id)],
        |row| {
            Ok(Lead {
                owner_id: row.int(0)?,
                company: row.text(1)?.map(str::to_string),
                contact_name: row.text(2)?.map(str::to_string),
                email: row.text(3)?.map(str::to_string),
                status: row.text(4)?.map(str::to_string),
            })
        },
    )
}

/// Why a conversion stops: a refused field rolls everything back like a store error does.
enum Stop {
    Refused(Vec<Invalid>),
    NotFound,
    Store(StoreError),
}

impl From<StoreError> for Stop {
    fn from(error: StoreError) -> Self {
        Stop::Store(error)
    }
}

/// Creates the account, its contact and an opportunity owned by the lead's owner (else the
/// viewer), links the opportunity to the lead and marks the lead converted.
pub fn convert(db: &mut Db, viewer: &Viewer, lead_id: i64, conversion: &Conversion) -> Result<Outcome> {
    let result = db.transaction(|db| {
        let lead = find(db, viewer, lead_id)?.ok_or(Stop::NotFound)?;
        if lead.status.as_deref() == Some("converted") {
            return Err(Stop::NotFound);
        }
        let owner = lead.owner_id.or(viewer.rep_id).map(|id| id.to_string()).unwrap_or_default();
        let account = save(
            db,
            viewer,
            "accounts",
            &[("name", &conversion.account_name), ("owner", &owner)],
            &[("name", "account_name")],
        )?;
        let account_text = account.to_string();
        let email = lead.email.clone().unwrap_or_default();
        let contact = save(
            db,
            viewer,
            "contacts",
            &[
                ("account", &account_text),
                ("first_name", &conversion.first_name),
                ("last_name", &conversion.last_name),
                ("email", &email),
            ],
            &[],
        )?;
        let now = Utc::now().format("%Y-%m-%dT%H:%M").to_string();
        let opportunity = save(
            db,
            viewer,
            "opportunities",
            &[
                ("name", &conversion.opportunity_name),
                ("account", &account_text),
                ("owner", &owner),
                ("product_line", &conversion.product_line),
                ("amount", &conversion.amount),
                ("created_at", &now),
            ],
            &[("name", "opportunity_name")],
        )?;
        mark_converted(db, viewer, lead_id, opportunity)?;
        Ok(Converted { account, contact, opportunity })
    });
    match result {
        Ok(converted) => Ok(Outcome::Done(converted)),
        Err(Stop::Refused(refused)) => Ok(Outcome::Refused(refused)),
        Err(Stop::NotFound) => Ok(Outcome::NotFound),
        Err(Stop::Store(error)) => Err(error),
    }
}

/// Inserts one record through its form; `renamed` maps the form's field keys to the conversion's.
fn save(
    db: &mut Db,
    viewer: &Viewer,
    table: &str,
    values: &[(&str, &str)],
    renamed: &[(&'static str, &'static str)],
) -> std::result::Result<i64, Stop> {
    let form = editing::form(table).expect("every CRM table has a form");
    let values: Values = values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    match editing::insert(db, viewer, form, &values)? {
        Saved::Done(id) => Ok(id),
        Saved::NotFound => Err(Stop::NotFound),
        Saved::Refused(refused) => Err(Stop::Refused(
            refused
                .into_iter()
                .map(|invalid| Invalid {
                    field: renamed.iter().find(|(from, _)| *from == invalid.field).map_or(invalid.field, |(_, to)| to),
                    ..invalid
                })
                .collect(),
        )),
    }
}

const LEAD_COLUMNS: &[&str] = &["status", "opportunity_id", "first_touch_at"];

fn mark_converted(db: &mut Db, viewer: &Viewer, lead: i64, opportunity: i64) -> Result<()> {
    let org = viewer.org;
    let before = row_json(db, org, "leads", LEAD_COLUMNS, lead)?;
    kpi::with_delta(db, org, &[Fact::Lead(lead), Fact::Opportunity(opportunity)], |db| {
        // A lead converted without a recorded touch was touched now.
        db.execute(
            "UPDATE leads SET status = 'converted', opportunity_id = ?, first_touch_at = COALESCE(first_touch_at, ?)
             WHERE org_id = ? AND id = ?",
            &[Value::Int(opportunity), Value::Timestamp(Utc::now()), org.value(), Value::Int(lead)],
        )?;
        db.execute(
            "UPDATE opportunities SET lead_id = ? WHERE org_id = ? AND id = ?",
            &[Value::Int(lead), org.value(), Value::Int(opportunity)],
        )
        .map(|_| ())
    })?;
    let after = row_json(db, org, "leads", LEAD_COLUMNS, lead)?;
    audit::record(
        db,
        org,
        Change { user: Some(viewer.user), action: "convert", entity: "leads", entity_id: Some(lead), before, after },
    )?;
    Ok(())
}

//! Leads as a conversion reads and marks them (the conversion itself is an operation).

use super::browse;
use super::row_json;
use super::values::reachable_live;
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::{self, Fact};
use chrono::Utc;
use quotient_core::model::LeadStatus;

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

/// A lead as the conversion form starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub owner_id: Option<i64>,
    pub company: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub status: Option<LeadStatus>,
}

impl Lead {
    /// Whether the lead was converted already (once is all a lead converts).
    pub fn is_converted(&self) -> bool {
        self.status == Some(LeadStatus::Converted)
    }

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
    if !reachable_live(db, viewer, listing, id)? {
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
                status: row.text(4)?.and_then(|status| status.parse().ok()),
            })
        },
    )
}

const LEAD_COLUMNS: &[&str] = &["status", "opportunity_id", "first_touch_at"];

/// Marks a lead converted into `opportunity`, links the two, and records the change.
pub(crate) fn mark_converted(db: &mut Db, viewer: &Viewer, lead: i64, opportunity: i64) -> Result<()> {
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

//! Logging activities, the rep's most frequent write.

use super::{new_ids, write_returning};
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::{self, Fact};
use crate::orgs::OrgId;
use chrono::{DateTime, Utc};
use quotient_core::model::{ActivityOutcome, ActivityType};

/// An activity to log. Ids are the store's internal ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub rep_id: i64,
    pub kind: ActivityType,
    pub occurred_at: DateTime<Utc>,
    pub account_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub outcome: Option<ActivityOutcome>,
}

const COLUMNS: &[&str] = &[
    "external_id",
    "rep_id",
    "type",
    "occurred_at",
    "account_id",
    "contact_id",
    "opportunity_id",
    "outcome",
    "deleted_at",
];

/// Logs an activity; returns its id. Unscoped: `ops::activities::log` is the door for callers.
pub(crate) fn log(db: &mut Db, org: OrgId, user: Option<i64>, activity: &NewActivity) -> Result<i64> {
    db.transaction(|db| {
        let (id, external_id) = new_ids(db, org, "activities")?;
        let linked: Vec<Fact> = activity.opportunity_id.map(Fact::Opportunity).into_iter().collect();
        let after = kpi::with_delta_creating(db, org, Fact::Activity(id), &linked, |db| {
            write_returning(
                db,
                "INSERT INTO activities (org_id, id, external_id, rep_id, type, occurred_at, account_id, contact_id, opportunity_id, outcome)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    org.value(),
                    Value::Int(id),
                    Value::owned(external_id),
                    Value::Int(activity.rep_id),
                    Value::text(activity.kind.key()),
                    Value::Timestamp(activity.occurred_at),
                    Value::opt_int(activity.account_id),
                    Value::opt_int(activity.contact_id),
                    Value::opt_int(activity.opportunity_id),
                    Value::opt_text(activity.outcome.map(|o| o.key())),
                ],
                COLUMNS,
            )
        })?;
        audit::record(
            db,
            org,
            Change { user, action: "create", entity: "activities", entity_id: Some(id), before: None, after },
        )?;
        Ok(id)
    })
}

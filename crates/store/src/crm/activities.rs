//! Logging activities, the rep's most frequent write.

use super::{new_ids, write_returning};
use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::{Db, Value};
use crate::error::{Refusal, Result, StoreError};
use crate::kpi::{self, Fact};
use crate::orgs::OrgId;
use chrono::{DateTime, Utc};
use quotient_core::model::{ActivityOutcome, ActivityType};
use quotient_core::work_time;

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

/// Logs an activity; returns its id.
pub fn log(db: &mut Db, org: OrgId, user: Option<i64>, activity: &NewActivity) -> Result<i64> {
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

/// Logs an activity for a viewer. Refused (and nothing written) when the rep is not a live person
/// within their reach, the linked opportunity is not a live one within their reach, or the time is
/// outside what [`work_time::check`] allows; the activity takes the opportunity's account.
pub fn log_for(db: &mut Db, viewer: &Viewer, activity: &NewActivity) -> Result<i64> {
    let mut refusals = Vec::new();
    if !viewer.reaches(activity.rep_id) {
        refusals.push(Refusal::new("rep_id", "log.pick_rep"));
    }
    if let Err(refusal) = work_time::check(activity.occurred_at, Utc::now()) {
        refusals.push(Refusal::new("occurred_at", refusal.key()));
    }
    db.transaction(|db| {
        let mut activity = activity.clone();
        if let Some(opportunity) = activity.opportunity_id {
            let linked = db.query_opt(
                "SELECT owner_id, account_id FROM opportunities WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
                &[viewer.org.value(), Value::Int(opportunity)],
                |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?)),
            )?;
            match linked {
                Some((owner, account)) if viewer.reaches(owner) => activity.account_id = account,
                _ => refusals.push(Refusal::new("opportunity_id", "log.bad_opportunity")),
            }
        }
        if !refusals.is_empty() {
            return Err(StoreError::Refused(std::mem::take(&mut refusals)));
        }
        log(db, viewer.org, Some(viewer.user), &activity)
    })
}

//! Logging an activity, the rep's most frequent operation.

use super::{permit, refuse_any};
use crate::access::Viewer;
use crate::crm::activities::{self as repository, NewActivity};
use crate::db::{Db, Value};
use crate::error::{Code, Refusal, Result};
use crate::ids::{ActivityId, OpportunityId, RepId};
use chrono::{DateTime, Utc};
use quotient_core::access::{Action, Resource};
use quotient_core::input::Refusals;
use quotient_core::model::{ActivityOutcome, ActivityType};
use quotient_core::work_time;

/// An activity to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogActivity {
    /// The rep who did it; the caller's own row when `None`.
    pub rep: Option<RepId>,
    pub kind: ActivityType,
    pub occurred_at: DateTime<Utc>,
    /// An open opportunity the activity belongs to; the activity takes its account.
    pub opportunity: Option<OpportunityId>,
    pub outcome: Option<ActivityOutcome>,
}

/// A logged activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logged {
    pub id: ActivityId,
    pub rep: RepId,
}

/// Logs an activity. Refused when the rep is not a live person within the caller's
/// reach, the opportunity is not a live one within it, or the time is outside what
/// [`work_time::check`] allows.
pub fn log(db: &mut Db, scope: &Viewer, command: &LogActivity) -> Result<Logged> {
    permit(scope, Resource::Activities, Action::Create)?;
    let mut refusals = Refusals::new();
    let rep = command.rep.map(RepId::get).or(scope.rep_id).filter(|rep| scope.reaches(*rep));
    if rep.is_none() {
        refusals.push(Refusal::new("rep_id", Code::RepOutOfReach));
    }
    if let Err(time) = work_time::check(command.occurred_at, Utc::now()) {
        refusals.push(Refusal::new("occurred_at", time.code()));
    }
    db.transaction(|db| {
        let mut account = None;
        if let Some(opportunity) = command.opportunity {
            let linked = db.query_opt(
                "SELECT owner_id, account_id FROM opportunities WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
                &[scope.org.value(), Value::Int(opportunity.get())],
                |row| Ok((row.int(0)?.unwrap_or_default(), row.int(1)?)),
            )?;
            match linked {
                Some((owner, linked_account)) if scope.reaches(owner) => account = linked_account,
                _ => refusals.push(Refusal::new("opportunity_id", Code::OpportunityOutOfReach)),
            }
        }
        refuse_any(std::mem::take(&mut refusals))?;
        let rep = rep.unwrap_or_default();
        let activity = NewActivity {
            rep_id: rep,
            kind: command.kind,
            occurred_at: command.occurred_at,
            account_id: account,
            contact_id: None,
            opportunity_id: command.opportunity.map(OpportunityId::get),
            outcome: command.outcome,
        };
        let id = repository::log(db, scope.org, Some(scope.user), &activity)?;
        Ok(Logged { id: ActivityId(id), rep: RepId(rep) })
    })
}

//! Working the pipeline: moving an opportunity to another stage.

use super::permit;
use super::records::not_found;
use crate::access::Viewer;
use crate::crm::{opportunities, pipeline};
use crate::db::Db;
use crate::error::Result;
use chrono::{DateTime, Utc};
use quotient_core::access::{Action, Resource};

/// An opportunity to move to another stage of the organisation's pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveStage {
    pub opportunity: i64,
    /// The stage's key.
    pub stage: String,
    /// The kind of next step agreed, which entering the gateway stage needs unless one is set.
    pub gateway_type: Option<String>,
    pub at: DateTime<Utc>,
}

/// Moves a live opportunity within the caller's reach: entering a milestone stage the first time
/// records the milestone, a won or lost stage closes it, an open one reopens it. Refuses a stage
/// not in the pipeline, a time before the opportunity was created, and the gateway without the
/// kind of next step.
pub fn move_stage(db: &mut Db, scope: &Viewer, command: &MoveStage) -> Result<()> {
    permit(scope, Resource::Opportunities, Action::Edit)?;
    let id = command.opportunity;
    db.transaction(|db| {
        pipeline::reachable_owner(db, scope, id)?.ok_or_else(|| not_found("opportunities", id))?;
        let gateway = command.gateway_type.as_deref().map(str::trim).filter(|g| !g.is_empty());
        let moved =
            opportunities::move_stage(db, scope.org, Some(scope.user), id, &command.stage, command.at, gateway)?;
        if moved { Ok(()) } else { Err(not_found("opportunities", id)) }
    })
}

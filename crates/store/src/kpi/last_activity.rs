//! Each opportunity's last activity (`opportunities.last_activity_at`, migration 0021): the latest
//! of its activities not deleted. Every write of an activity keeps its opportunities' current, and
//! the rebuild sets every opportunity's, so that an open opportunity's rollup cells can be filed by
//! it and CRM currency is read from them instead of probing each open opportunity's activities.

use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;

/// Whose last activity to set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Opportunities<'a> {
    These(&'a [i64]),
    /// Every opportunity of the organisation whose last activity is not what its activities say.
    All,
}

const LATEST: &str = "(SELECT MAX(a.occurred_at) FROM activities a
    WHERE a.org_id = opportunities.org_id AND a.opportunity_id = opportunities.id AND a.deleted_at IS NULL)";

/// Sets the last activity of `which` from their activities.
pub(crate) fn refresh(db: &mut Db, org: OrgId, which: Opportunities<'_>) -> Result<()> {
    let mut params = vec![org.value()];
    let filter = match which {
        Opportunities::These([]) => return Ok(()),
        Opportunities::These(ids) => {
            params.extend(ids.iter().map(|&id| Value::Int(id)));
            format!("id IN ({})", vec!["?"; ids.len()].join(", "))
        }
        // Only the rows that change are written: a rebuild of an organisation in use rewrites none.
        Opportunities::All => format!("last_activity_at IS DISTINCT FROM {LATEST}"),
    };
    db.execute(
        &format!("UPDATE opportunities SET last_activity_at = {LATEST} WHERE org_id = ? AND {filter}"),
        &params,
    )?;
    Ok(())
}

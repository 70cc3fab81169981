//! Each opportunity's latest activity and latest stage change, kept on the opportunity:
//! `last_activity_at` (migration 0021) files an open opportunity's rollup cells, so that CRM
//! currency is read from them instead of probing each open opportunity's activities;
//! `last_stage_change_at` (0033) lets the stage entries of a period seek only the opportunities that
//! changed stage since it began. Every write of an activity or a stage change keeps its
//! opportunities' current, and the rollup rebuild sets every opportunity's.

use crate::db::Db;
use crate::derived::{self, Derived, Rows};
use crate::error::Result;
use crate::orgs::OrgId;

/// Which latest time to set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Latest {
    /// `last_activity_at`: the latest of the opportunity's activities not deleted.
    Activity,
    /// `last_stage_change_at`: the latest of its stage changes not deleted.
    StageChange,
}

impl Latest {
    fn column(self) -> &'static str {
        match self {
            Latest::Activity => "last_activity_at",
            Latest::StageChange => "last_stage_change_at",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Latest::Activity => {
                "(SELECT MAX(a.occurred_at) FROM activities a
                  WHERE a.org_id = opportunities.org_id AND a.opportunity_id = opportunities.id
                    AND a.deleted_at IS NULL)"
            }
            Latest::StageChange => {
                "(SELECT MAX(s.changed_at) FROM stage_changes s
                  WHERE s.org_id = opportunities.org_id AND s.opportunity_id = opportunities.id
                    AND s.deleted_at IS NULL)"
            }
        }
    }
}

/// An `UPDATE`'s assignment of the `latest` time for a write that adds one row at a time (bound
/// twice, as both parameters), unless a later time is kept: set in the write's own statement rather
/// than by reading every row again as [`refresh`] does.
pub(crate) fn kept_with(latest: Latest) -> String {
    let column = latest.column();
    format!("{column} = CASE WHEN {column} IS NULL OR {column} < ? THEN ? ELSE {column} END")
}

/// Whose latest time to set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Opportunities<'a> {
    These(&'a [i64]),
    /// Every opportunity of the organisation whose time is not what its rows say.
    All,
}

/// Sets each of the `latest` times of `which` from their rows.
pub(crate) fn refresh(db: &mut Db, org: OrgId, latest: &[Latest], which: Opportunities<'_>) -> Result<()> {
    let derived: Vec<Derived> = latest
        .iter()
        .map(|&latest| Derived { table: "opportunities", column: latest.column(), source: latest.source() })
        .collect();
    let rows = match which {
        Opportunities::These(ids) => Rows::Where("id", ids),
        Opportunities::All => Rows::Differing,
    };
    derived::set(db, org, &derived, rows)
}

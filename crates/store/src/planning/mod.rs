//! Planning and coaching data: what planning reads from history, the company plan and the quotas
//! allocated from it, territory plans, account maps and 1:1 sessions (`PRODUCT.md` §2, §5, §6).

pub mod account_maps;
pub mod activity_goals;
pub mod company_plan;
pub mod decision_processes;
mod history;
pub mod one_on_ones;
pub mod quotas;
pub mod territory_plans;

pub use history::{PlanMetric, rep_history, seasonality};

use crate::access::Viewer;
use crate::audit::{self, Change};
use crate::db::Db;
use crate::error::Result;

/// Records the viewer's change to a planning or coaching record; in the transaction making it.
/// The dashboards show what these records hold (key-account coverage, objectives, relationships),
/// so the change moves the data revision their caches are kept by.
fn audit(
    db: &mut Db,
    viewer: &Viewer,
    action: &str,
    entity: &str,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    let change = Change { user: viewer.actor(), action, entity, entity_id: Some(id), before, after };
    audit::record(db, viewer.org, change)?;
    crate::orgs::bump_revisions(db, viewer.org, &[crate::orgs::Revision::Data])
}

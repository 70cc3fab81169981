//! The KPI engine's storage: rollup cells maintained with every write, rebuilt on demand, and the
//! scorecards read from them (`KPIS.md`, `docs/ARCHITECTURE.md`).

pub(crate) mod breakdowns;
mod facts;
pub(crate) mod latest;
mod people;
pub(crate) mod queries;
mod report;
mod rollups;
pub(crate) mod score_owners;
mod settings;
mod teams;
mod trend;

pub use breakdowns::{Breakdowns, LostReason, Segment};
pub use facts::{Cell, CellKind, Fact, cells_of};
pub use people::{Directory, Person, Scope, Subject};
pub use queries::Filter;
pub use report::{Card, Report, ReportRequest, Scorecards, report, report_with, report_with_groups};
pub(crate) use rollups::{Grain, organisation_months, per_cell};
pub use rollups::{apply, rebuild, rebuild_reporting, sum, sum_of, with_delta, with_delta_creating, with_stage_delta};
pub(crate) use settings::save as save_settings;
pub use settings::{Saved, settings};
pub use teams::{TeamTotal, TeamsReport, flags_and_standards, one_level_down, path_to, teams_report};
pub use trend::trend;

use crate::db::Db;
use crate::error::Result;
use crate::orgs::OrgId;
use quotient_core::kpi::Tally;

/// One stored rollup cell: grain, day, rep, product line and its sums.
pub type StoredCell = (String, String, i64, i64, Tally);

/// Every rollup cell of the organisation, summed per (grain, day, rep, product line), in order:
/// what a test compares between incremental maintenance and a rebuild.
pub fn snapshot(db: &mut Db, org: OrgId) -> Result<Vec<StoredCell>> {
    let sql = format!(
        "SELECT grain, day, rep_id, product_line_id, {} FROM rollup_cells WHERE org_id = ? ORDER BY grain, day, rep_id, product_line_id",
        Tally::FIELDS.join(", ")
    );
    let rows = db.query_map(&sql, &[org.value()], |row| {
        let values: Vec<i64> =
            (0..Tally::FIELDS.len()).map(|i| row.int(i + 4).map(|v| v.unwrap_or(0))).collect::<Result<_>>()?;
        let day = match row.date(1)? {
            Some(day) => day.to_string(),
            None => String::new(),
        };
        Ok((
            row.text(0)?.unwrap_or_default().to_string(),
            day,
            row.int(2)?.unwrap_or_default(),
            row.int(3)?.unwrap_or_default(),
            Tally::from_values(&values),
        ))
    })?;
    // A cell whose contributions cancelled out holds zeros; a rebuild does not write it.
    Ok(rows.into_iter().filter(|row| !row.4.is_zero()).collect())
}

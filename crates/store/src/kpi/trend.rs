//! A rep's figures period by period, for the trend charts of the scorecard.

use super::queries::Filter;
use super::rollups;
use crate::access::Viewer;
use crate::db::Db;
use crate::error::{Result, StoreError};
use quotient_core::Period;
use quotient_core::kpi::Tally;

/// The tally of `rep` in each of `periods` (only `fields` are read; the others stay 0).
pub fn trend(db: &mut Db, viewer: &Viewer, rep: i64, periods: &[Period], fields: &[&str]) -> Result<Vec<Tally>> {
    if !viewer.reaches(rep) {
        return Err(StoreError::NotFound("no such rep".into()));
    }
    let reps = [rep];
    let filter = Filter { reps: Some(&reps), product_line: None };
    periods
        .iter()
        .map(|&period| {
            let cells = rollups::sum_of(db, viewer.org, period, filter, fields)?;
            let mut total = Tally::default();
            for tally in cells.values() {
                total += *tally;
            }
            Ok(total)
        })
        .collect()
}

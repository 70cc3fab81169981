//! The data forecast's expected revenue per rep for a period as of a day, kept with the revisions
//! it was computed at. Every write the model reads (a deal's amount, owner, stage, milestones or
//! close, a setting, the stages, an import) moves the pipeline revision, and a change of who reports
//! to whom the directory revision, so a row kept at both current revisions is what the model says
//! now. Activities, feedback, estimates, goals and quotas move neither: the model reads none of them.

use super::kept::Kept;
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::Period;
use std::collections::HashMap;

/// The revisions a value was computed at: the pipeline's and the directory's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revisions {
    pub pipeline: i64,
    pub directory: i64,
}

const KEPT: Kept = Kept { table: "forecast_expected", second_revision: "directory_revision" };

/// The organisation's revisions now. Read before the rows the value is computed from, so a write
/// between the two leaves it marked older than it is, never newer.
pub fn revisions(db: &mut Db, org: OrgId) -> Result<Revisions> {
    let (pipeline, directory) = KEPT.revisions(db, org)?;
    Ok(Revisions { pipeline, directory })
}

/// The kept value by rep, when it was computed at `at`.
pub fn read(
    db: &mut Db,
    org: OrgId,
    period: Period,
    as_of: NaiveDate,
    at: Revisions,
) -> Result<Option<HashMap<i64, i64>>> {
    KEPT.read(db, org, period, as_of, (at.pipeline, at.directory))?.map(|text| decode(&text)).transpose()
}

/// Keeps the value by rep computed at `at` for the period as of the day. In a transaction.
pub fn write(
    db: &mut Db,
    org: OrgId,
    period: Period,
    as_of: NaiveDate,
    at: Revisions,
    by_rep: &HashMap<i64, i64>,
) -> Result<()> {
    KEPT.write(db, org, period, as_of, (at.pipeline, at.directory), encode(by_rep))
}

/// `rep:cents` pairs joined by commas, by rep.
fn encode(by_rep: &HashMap<i64, i64>) -> String {
    let mut pairs: Vec<(i64, i64)> = by_rep.iter().map(|(rep, cents)| (*rep, *cents)).collect();
    pairs.sort_unstable();
    pairs.iter().map(|(rep, cents)| format!("{rep}:{cents}")).collect::<Vec<_>>().join(",")
}

fn decode(text: &str) -> Result<HashMap<i64, i64>> {
    let bad = || StoreError::Decode(format!("a kept data forecast: {text:.80}"));
    text.split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (rep, cents) = pair.split_once(':').ok_or_else(bad)?;
            Ok((rep.parse().map_err(|_| bad())?, cents.parse().map_err(|_| bad())?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_read_back_as_written() {
        let by_rep: HashMap<i64, i64> = [(12, 3_400), (3, -5), (7, 0)].into();
        assert_eq!(encode(&by_rep), "3:-5,7:0,12:3400");
        assert_eq!(decode(&encode(&by_rep)).ok(), Some(by_rep));
        assert_eq!(decode("").ok(), Some(HashMap::new()));
        assert!(decode("3:x").is_err());
    }
}

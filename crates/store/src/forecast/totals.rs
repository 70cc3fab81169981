//! The roll-up's category totals of every owner for a period as of a day, kept with the revisions
//! they were computed at (migration 0027). Every write of what they sum moves one of the two: an
//! opportunity's amount, owner, expected close, stage or close, a stage's default category, a
//! setting or an import the pipeline revision, and a deal's category override the categories
//! revision. A row kept at both current revisions is what the open pipeline and the period's wins
//! sum to now.

use super::kept::Kept;
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use chrono::NaiveDate;
use quotient_core::Period;
use quotient_core::forecast::CategoryTotals;
use std::collections::HashMap;

/// The revisions kept totals were computed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revisions {
    pub pipeline: i64,
    pub categories: i64,
}

const KEPT: Kept = Kept { table: "forecast_totals", second_revision: "categories_revision" };

/// The organisation's revisions now. Read before the rows the value is computed from, so a write
/// between the two leaves it marked older than it is, never newer.
pub fn revisions(db: &mut Db, org: OrgId) -> Result<Revisions> {
    let (pipeline, categories) = KEPT.revisions(db, org)?;
    Ok(Revisions { pipeline, categories })
}

/// The kept value by rep, when it was computed at `at`.
pub fn read(
    db: &mut Db,
    org: OrgId,
    period: Period,
    as_of: NaiveDate,
    at: Revisions,
) -> Result<Option<HashMap<i64, CategoryTotals>>> {
    KEPT.read(db, org, period, as_of, (at.pipeline, at.categories))?.map(|text| decode(&text)).transpose()
}

/// Keeps the value by rep computed at `at` for the period as of the day. In a transaction.
pub fn write(
    db: &mut Db,
    org: OrgId,
    period: Period,
    as_of: NaiveDate,
    at: Revisions,
    by_owner: &HashMap<i64, CategoryTotals>,
) -> Result<()> {
    KEPT.write(db, org, period, as_of, (at.pipeline, at.categories), encode(by_owner))
}

/// `owner:pipeline:best_case:commit:closed:omitted` joined by commas, by owner.
fn encode(by_owner: &HashMap<i64, CategoryTotals>) -> String {
    let mut owners: Vec<(&i64, &CategoryTotals)> = by_owner.iter().collect();
    owners.sort_unstable_by_key(|(owner, _)| **owner);
    owners
        .iter()
        .map(|(owner, t)| format!("{owner}:{}:{}:{}:{}:{}", t.pipeline, t.best_case, t.commit, t.closed, t.omitted))
        .collect::<Vec<_>>()
        .join(",")
}

fn decode(text: &str) -> Result<HashMap<i64, CategoryTotals>> {
    let bad = || StoreError::Decode(format!("kept category totals: {text:.80}"));
    text.split(',')
        .filter(|owner| !owner.is_empty())
        .map(|owner| {
            let mut numbers = owner.split(':').map(|n| n.parse::<i64>().map_err(|_| bad()));
            let mut next = || numbers.next().unwrap_or_else(|| Err(bad()));
            let owner = next()?;
            let totals = CategoryTotals {
                pipeline: next()?,
                best_case: next()?,
                commit: next()?,
                closed: next()?,
                omitted: next()?,
            };
            Ok((owner, totals))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_read_back_as_written() {
        let totals = |pipeline, closed| CategoryTotals { pipeline, best_case: 2, commit: 3, closed, omitted: 0 };
        let by_owner: HashMap<i64, CategoryTotals> = [(12, totals(1, 40)), (3, totals(-5, 0))].into();
        assert_eq!(encode(&by_owner), "3:-5:2:3:0:0,12:1:2:3:40:0");
        assert_eq!(decode(&encode(&by_owner)).ok(), Some(by_owner));
        assert_eq!(decode("").ok(), Some(HashMap::new()));
        assert!(decode("3:1:2").is_err());
        assert!(decode("3:x:2:3:4:5").is_err());
    }
}

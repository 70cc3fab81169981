//! Forecast categories: where a deal stands in the call. The stage gives the default (a setting per
//! open stage, `pipeline` when unset); a won deal is `closed` and a lost one `omitted` whatever was
//! said; an open deal's owner or their manager may override the default.

use crate::model::StageOutcome;
use chrono::NaiveDate;

crate::keyed_enum! {
    /// A deal's place in the call, from the least to the most certain (and `omitted`: left out).
    Category {
        Pipeline => "pipeline",
        BestCase => "best_case",
        Commit => "commit",
        Closed => "closed",
        Omitted => "omitted",
    }
}

impl Category {
    /// Whether an open stage's default or an override may name it: `closed` is what a won deal
    /// is, never a call on an open one.
    pub fn open_choice(self) -> bool {
        self != Category::Closed
    }
}

/// A deal's category: won → closed, lost → omitted; open → the override, else the stage's default,
/// else pipeline.
pub fn category_of(outcome: StageOutcome, stage_default: Option<Category>, overridden: Option<Category>) -> Category {
    match outcome {
        StageOutcome::Won => Category::Closed,
        StageOutcome::Lost => Category::Omitted,
        StageOutcome::Open => overridden.or(stage_default).unwrap_or(Category::Pipeline),
    }
}

/// Whether a submission last updated on `updated` is stale on `today`: `after_days` or more days
/// have passed without an update.
pub fn is_stale(updated: NaiveDate, today: NaiveDate, after_days: i64) -> bool {
    (today - updated).num_days() >= after_days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_deals_ignore_overrides_and_open_ones_take_them_first() {
        use Category::*;
        // Won is closed even when someone called it pipeline; lost is omitted even when committed.
        assert_eq!(category_of(StageOutcome::Won, Some(Commit), Some(Pipeline)), Closed);
        assert_eq!(category_of(StageOutcome::Lost, Some(Commit), Some(Commit)), Omitted);
        // Open: the override, then the stage's default, then pipeline.
        assert_eq!(category_of(StageOutcome::Open, Some(BestCase), Some(Commit)), Commit);
        assert_eq!(category_of(StageOutcome::Open, Some(BestCase), None), BestCase);
        assert_eq!(category_of(StageOutcome::Open, None, None), Pipeline);
    }

    #[test]
    fn a_call_is_stale_from_the_seventh_day_without_an_update() {
        let day = |d| NaiveDate::from_ymd_opt(2027, 1, d).unwrap_or_default();
        // Updated on 1 January: 6 days later (the 7th) it is fresh, 7 days later (the 8th) stale.
        assert!(!is_stale(day(1), day(7), 7));
        assert!(is_stale(day(1), day(8), 7));
        assert!(!Category::Closed.open_choice());
        assert!(Category::Omitted.open_choice());
    }
}

//! What changed in the open pipeline from one weekly snapshot to the next, deal by deal: new, won,
//! lost, amount up or down, category changed, close date pushed out or pulled in — and the deals
//! whose close date has now been pushed twice or more over the snapshots.

use super::category::Category;
use crate::model::StageOutcome;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

crate::keyed_enum! {
    /// One kind of change of a deal between two snapshots.
    ChangeKind {
        New => "new",
        Won => "won",
        Lost => "lost",
        AmountUp => "amount_up",
        AmountDown => "amount_down",
        CategoryChanged => "category_changed",
        Pushed => "pushed",
        PulledIn => "pulled_in",
        PushedRepeatedly => "pushed_repeatedly",
    }
}

/// One open deal as a snapshot holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotLine {
    pub opportunity: i64,
    pub owner: i64,
    pub amount_cents: i64,
    pub stage: String,
    pub category: Category,
    pub expected_close: Option<NaiveDate>,
}

/// One change of one deal, with the values before and after where the kind has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealChange {
    pub opportunity: i64,
    pub owner: i64,
    pub kind: ChangeKind,
    pub amount_before_cents: Option<i64>,
    pub amount_after_cents: Option<i64>,
    pub category_before: Option<Category>,
    pub category_after: Option<Category>,
    pub close_before: Option<NaiveDate>,
    pub close_after: Option<NaiveDate>,
    /// How often the close date was pushed out over the snapshots (for `pushed_repeatedly`).
    pub pushes: usize,
}

impl DealChange {
    fn of(line: &SnapshotLine, kind: ChangeKind) -> DealChange {
        DealChange {
            opportunity: line.opportunity,
            owner: line.owner,
            kind,
            amount_before_cents: None,
            amount_after_cents: None,
            category_before: None,
            category_after: None,
            close_before: None,
            close_after: None,
            pushes: 0,
        }
    }
}

/// How often a close date moved later along a deal's history (oldest first); a date set where
/// there was none, or removed, moves nothing.
pub fn pushes(closes: &[Option<NaiveDate>]) -> usize {
    closes.windows(2).filter(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if b > a)).count()
}

/// The changes from `before` to `after` (two snapshots' open deals). A deal gone from the open
/// pipeline is won or lost by its `outcomes` (one deleted, or still open elsewhere, is left out);
/// `pushes` holds each deal's count of close-date pushes over the whole history up to `after`.
/// In the order of `after`, then the closed ones in the order of `before`.
pub fn changes_between(
    before: &[SnapshotLine],
    after: &[SnapshotLine],
    outcomes: &HashMap<i64, StageOutcome>,
    pushes: &HashMap<i64, usize>,
) -> Vec<DealChange> {
    let earlier: HashMap<i64, &SnapshotLine> = before.iter().map(|l| (l.opportunity, l)).collect();
    let later: HashMap<i64, &SnapshotLine> = after.iter().map(|l| (l.opportunity, l)).collect();
    let mut changes = vec![];
    for line in after {
        let Some(old) = earlier.get(&line.opportunity) else {
            changes.push(DealChange::of(line, ChangeKind::New));
            continue;
        };
        if line.amount_cents != old.amount_cents {
            let kind = if line.amount_cents > old.amount_cents { ChangeKind::AmountUp } else { ChangeKind::AmountDown };
            changes.push(DealChange {
                amount_before_cents: Some(old.amount_cents),
                amount_after_cents: Some(line.amount_cents),
                ..DealChange::of(line, kind)
            });
        }
        if line.category != old.category {
            changes.push(DealChange {
                category_before: Some(old.category),
                category_after: Some(line.category),
                ..DealChange::of(line, ChangeKind::CategoryChanged)
            });
        }
        if let (Some(was), Some(is)) = (old.expected_close, line.expected_close)
            && was != is
        {
            let count = pushes.get(&line.opportunity).copied().unwrap_or(0);
            let moved = |kind| DealChange {
                close_before: Some(was),
                close_after: Some(is),
                pushes: count,
                ..DealChange::of(line, kind)
            };
            if is > was {
                changes.push(moved(ChangeKind::Pushed));
                if count >= 2 {
                    changes.push(moved(ChangeKind::PushedRepeatedly));
                }
            } else {
                changes.push(moved(ChangeKind::PulledIn));
            }
        }
    }
    for line in before.iter().filter(|l| !later.contains_key(&l.opportunity)) {
        let kind = match outcomes.get(&line.opportunity) {
            Some(StageOutcome::Won) => ChangeKind::Won,
            Some(StageOutcome::Lost) => ChangeKind::Lost,
            _ => continue,
        };
        changes.push(DealChange { amount_before_cents: Some(line.amount_cents), ..DealChange::of(line, kind) });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(month: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2027, month, d)
    }

    fn line(opportunity: i64, amount_cents: i64, category: Category, close: Option<NaiveDate>) -> SnapshotLine {
        SnapshotLine { opportunity, owner: 7, amount_cents, stage: "proposal".into(), category, expected_close: close }
    }

    #[test]
    fn a_week_of_changes_is_classified_deal_by_deal() {
        use Category::*;
        let before = [
            line(1, 1_000, Pipeline, day(3, 1)),
            line(2, 2_000, Commit, day(3, 1)),
            line(3, 3_000, BestCase, day(3, 15)),
            line(4, 500, Commit, day(2, 1)),
            line(5, 600, Pipeline, day(2, 1)),
            line(6, 700, Pipeline, day(2, 1)),
        ];
        let after = [
            // 1: amount up 1,000 → 1,500 and moved to best case.
            line(1, 1_500, BestCase, day(3, 1)),
            // 2: amount down and pushed from 1 March to 1 April, its second push.
            line(2, 1_800, Commit, day(4, 1)),
            // 3: pulled in from 15 to 10 March.
            line(3, 3_000, BestCase, day(3, 10)),
            line(8, 900, Pipeline, day(5, 1)),
        ];
        // 4 won, 5 lost, 6 still open (reassigned away): left out.
        let outcomes = HashMap::from([(4, StageOutcome::Won), (5, StageOutcome::Lost), (6, StageOutcome::Open)]);
        let pushes = HashMap::from([(2, 2)]);
        let found: Vec<(i64, ChangeKind)> =
            changes_between(&before, &after, &outcomes, &pushes).iter().map(|c| (c.opportunity, c.kind)).collect();
        use ChangeKind as K;
        assert_eq!(
            found,
            [
                (1, K::AmountUp),
                (1, K::CategoryChanged),
                (2, K::AmountDown),
                (2, K::Pushed),
                (2, K::PushedRepeatedly),
                (3, K::PulledIn),
                (8, K::New),
                (4, K::Won),
                (5, K::Lost),
            ]
        );
    }

    #[test]
    fn only_moves_later_count_as_pushes() {
        // 1 Mar → 1 Apr (push) → 15 Mar (pulled in) → none → 1 May (no push from none) → 1 Jun (push).
        let closes = [day(3, 1), day(4, 1), day(3, 15), None, day(5, 1), day(6, 1)];
        assert_eq!(pushes(&closes), 2);
        assert_eq!(pushes(&closes[..3]), 1);
        // A first push alone is pushed, not pushed repeatedly.
        let before = [line(1, 10, Category::Commit, day(3, 1))];
        let after = [line(1, 10, Category::Commit, day(3, 8))];
        let once = changes_between(&before, &after, &HashMap::new(), &HashMap::from([(1, 1)]));
        assert_eq!(once.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::Pushed]);
    }
}

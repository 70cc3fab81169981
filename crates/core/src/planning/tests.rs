//! Hand-computed cases for the allocation, the seasonality, the percentiles and the suggestions.

use super::*;
use chrono::NaiveDate;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn an_allocation_sums_to_the_plan_with_the_largest_remainders_rounded_up() {
    // 10,000 ÷ 3 = 3,333 r 1 each: one unit left, to the first of the equal remainders.
    assert_eq!(allocate(10_000, &[1, 1, 1]), [3_334, 3_333, 3_333]);
    // Exact shares need no rounding.
    assert_eq!(allocate(1_000, &[2, 3, 5]), [200, 300, 500]);
    // 1,001 × 2/10 = 200 r 2, × 3/10 = 300 r 3, × 5/10 = 500 r 5: the unit left goes to r 5.
    assert_eq!(allocate(1_001, &[2, 3, 5]), [200, 300, 501]);
    // No weights: an equal split, 7 = 4 + 3.
    assert_eq!(allocate(7, &[0, 0]), [4, 3]);
    // A negative amount splits as its magnitude does: 10 × 1/3 = 3 r 1, 10 × 2/3 = 6 r 2.
    assert_eq!(allocate(-10, &[1, 2]), [-3, -7]);
    assert_eq!(allocate(5, &[]), Vec::<i64>::new());
}

#[test]
fn allocations_always_sum_exactly() {
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    for _ in 0..500 {
        let total = (next() % 10_000_000_000) as i64;
        let weights: Vec<u64> = (0..1 + next() % 40).map(|_| next() % 1_000_000).collect();
        let parts = allocate(total, &weights);
        assert_eq!(parts.iter().sum::<i64>(), total, "{total} over {weights:?}");
        assert!(parts.iter().all(|&p| p >= 0));
    }
}

#[test]
fn seasonality_is_each_months_share_of_the_trailing_years() {
    let month = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
    let mut history = vec![(month(2023, 12), 9_999), (month(2026, 1), 9_999)]; // outside the two years
    for year in [2024, 2025] {
        for m in 1..=12 {
            let value = match (year, m) {
                (2024, 12) => 300,
                (2025, 7) => 0,
                _ => 100,
            };
            history.push((month(year, m), value));
        }
    }
    let index = monthly_index(&history, month(2026, 1), 2);
    // Ten months of 100 + 100, July 100 + 0, December 300 + 100: 2,500 in all.
    assert_eq!(index.totals, [200, 200, 200, 200, 200, 200, 100, 200, 200, 200, 200, 400]);
    assert!(close(index.shares[0], 0.08) && close(index.shares[6], 0.04) && close(index.shares[11], 0.16));
    assert!(close(index.factor(12), 1.92));
    // $12,000.00 phased: January 1,200,000 × 200/2,500 = 96,000 cents, July 48,000, December 192,000.
    let months = phase(1_200_000, &index.weights());
    assert_eq!((months[0], months[6], months[11]), (96_000, 48_000, 192_000));
    assert_eq!(months.iter().sum::<i64>(), 1_200_000);
}

/// Two months of history (November and December 2025, 300 and 100) before a 2026 plan: the
/// other ten months are not months that sell nothing but months the history does not reach, so
/// each takes the average of the two known ones, 200; the year's weights are 300 + 100 + 10 × 200.
#[test]
fn months_the_history_does_not_reach_take_the_average_of_those_it_does() {
    let month = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
    let history = [(month(2025, 11), 300), (month(2025, 12), 100)];
    let index = monthly_index(&history, month(2026, 1), 3);
    assert_eq!(index.totals, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 300, 100]);
    // $24,000.00 phased: 2,400,000 × 200 / 2,400 = 200,000 cents in January, 300,000 in November.
    let months = phase(2_400_000, &index.weights());
    assert_eq!((months[0], months[10], months[11]), (200_000, 300_000, 100_000));
    // Fourteen months from November 2024: November and December are reached twice, the rest once;
    // as averages over a common multiple (2): January 2 × 120, November (300 + 500) ÷ 2 × 2.
    let longer = [
        (month(2024, 11), 500),
        (month(2024, 12), 100),
        (month(2025, 1), 120),
        (month(2025, 11), 300),
        (month(2025, 12), 100),
    ];
    let index = monthly_index(&longer, month(2026, 1), 3);
    assert_eq!((index.totals[0], index.totals[1], index.totals[10], index.totals[11]), (240, 0, 800, 200));
}

#[test]
fn without_history_the_months_are_equal() {
    let index = monthly_index(&[], NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(), 3);
    assert!(close(index.factor(5), 1.0));
    // 100 ÷ 12 = 8 r 4: the first four months take the four units left.
    assert_eq!(phase(100, &index.weights()), [9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]);
}

#[test]
fn percentiles_interpolate_between_ranks() {
    let values = [4.0, 1.0, 3.0, 2.0];
    // Sorted 1, 2, 3, 4: p50 at rank 1.5 → 2.5; p75 at rank 2.25 → 3 + 0.25 × (4 − 3).
    assert_eq!(percentile(&values, 50.0), Some(2.5));
    assert_eq!(percentile(&values, 75.0), Some(3.25));
    assert_eq!(percentile(&values, 0.0), Some(1.0));
    assert_eq!(percentile(&values, 100.0), Some(4.0));
    assert_eq!(percentile(&[5.0], 75.0), Some(5.0));
    assert_eq!(percentile(&[], 50.0), None);
    let spread = Distribution::of(&values).unwrap_or_else(|| panic!("values"));
    assert_eq!((spread.bottom, spread.median, spread.p75, spread.top), (1.0, 2.5, 3.25, 4.0));
}

#[test]
fn suggestions_start_from_the_reps_median_and_stop_at_the_teams_75th_percentile() {
    let history = vec![vec![10.0, 14.0, 12.0], vec![20.0, 26.0, 20.0], vec![30.0, 34.0, 40.0], vec![]];
    // Medians 12, 20, 34; × 1.5 (seasonality) × 1.1 (10% growth) = 19.8, 33, 56.1.
    // The team's p75 of those: rank 1.5 → 33 + 0.5 × (56.1 − 33) = 44.55, which caps the third.
    let goals = suggest_goals(&history, 1.5, 0.1);
    let expected = [Some(19.8), Some(33.0), Some(44.55), None];
    for (goal, expected) in goals.iter().zip(expected) {
        match (goal, expected) {
            (Some(g), Some(e)) => assert!(close(*g, e), "{g} vs {e}"),
            (g, e) => assert_eq!(*g, e),
        }
    }
    // A plan of 120 against 19.8 + 33 + 44.55 = 97.35: 22.65 at risk, 18.875% of the plan.
    let risk = plan_risk(120.0, &[19.8, 33.0, 44.55]);
    assert!(close(risk.realistic, 97.35) && close(risk.gap, 22.65));
    assert!(risk.share.is_some_and(|s| close(s, 0.188_75)));
    // A plan the goals cover carries no risk; a plan of 0 has no share.
    assert_eq!(plan_risk(50.0, &[60.0]).gap, 0.0);
    assert_eq!(plan_risk(0.0, &[]).share, None);
}

#[test]
fn a_plan_is_allocated_by_realistic_goals_and_phased_exactly() {
    let rep = |rep: &'static str, team: &'static str, months: &[f64]| RepHistory {
        rep,
        team,
        territory: None,
        months: months.to_vec(),
    };
    // Team A: medians 100 and 300 a month → 1,200 and 3,600 a year (no growth); the p75 of the two,
    // 1,200 + 0.75 × 2,400 = 3,000, caps the second. Team B: one rep at 200 → 2,400; a newcomer
    // without history starts at the team's lowest goal, 2,400.
    let reps = [
        rep("a1", "A", &[100.0, 90.0, 110.0]),
        rep("a2", "A", &[300.0, 300.0, 310.0]),
        rep("b1", "B", &[200.0, 200.0, 200.0]),
        rep("b2", "B", &[]),
    ];
    let even = monthly_index(&[], NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default(), 3);
    let plan = allocate_plan(900_001, &reps, 0.0, &even, &Basis::Goals);
    let realistic: Vec<f64> = plan.reps.iter().map(|q| q.realistic).collect();
    assert_eq!(realistic, [1_200.0, 3_000.0, 2_400.0, 2_400.0]);
    // 900,001 over weights 1,200 : 3,000 : 2,400 : 2,400 (9,000): 120,000.13…, 300,000.33…,
    // 240,000.26…, 240,000.26…: floors 900,000, the 1 left to the largest remainder (a2's .33).
    let yearly: Vec<i64> = plan.reps.iter().map(|q| q.yearly).collect();
    assert_eq!(yearly, [120_000, 300_001, 240_000, 240_000]);
    for quota in &plan.reps {
        assert_eq!(quota.monthly.iter().sum::<i64>(), quota.yearly);
    }
    // 120,000 ÷ 12 = 10,000 a month exactly.
    assert_eq!(plan.reps[0].monthly, [10_000; 12]);
    // The plan asks 900,001 of goals adding to 9,000: the gap is 891,001.
    assert!(close(plan.total.gap, 891_001.0));
    assert_eq!(plan.teams.iter().map(|(t, _)| *t).collect::<Vec<_>>(), ["A", "B"]);
    assert!(close(plan.teams[0].1.plan, 420_001.0) && close(plan.teams[0].1.realistic, 4_200.0));
}

#[test]
fn the_goal_sheet_starts_each_reps_history_at_their_first_month() {
    // A rep who started three months ago: 0, 0, 0, 30, 40, 50 → active 30, 40, 50, median 40 (not 15).
    let history = vec![vec![0.0, 0.0, 0.0, 30.0, 40.0, 50.0], vec![20.0, 0.0, 20.0, 20.0, 20.0, 20.0], vec![0.0; 6]];
    assert_eq!(active_months(&history[0]), [30.0, 40.0, 50.0]);
    assert_eq!(active_months(&history[1]).len(), 6, "a month without sales after the start counts");
    let (rows, spread) = goal_sheet(&history, 1.0, 0.0);
    assert_eq!(rows.iter().map(|r| r.median).collect::<Vec<_>>(), [Some(40.0), Some(20.0), None]);
    assert_eq!(rows[0].last_12_months, 120.0);
    // Medians 40 and 20: the cap is 20 + 0.75 × 20 = 35, so the newcomer's 40 becomes 35; 12 × for the year.
    assert_eq!(rows.iter().map(|r| r.next_month).collect::<Vec<_>>(), [Some(35.0), Some(20.0), None]);
    // The year: 12 × 40 = 480 and 12 × 20 = 240, capped at 240 + 0.75 × 240 = 420.
    assert_eq!(rows.iter().map(|r| r.next_12_months).collect::<Vec<_>>(), [Some(420.0), Some(240.0), None]);
    let spread = spread.unwrap_or_else(|| panic!("medians"));
    assert_eq!((spread.bottom, spread.median, spread.top), (20.0, 30.0, 40.0));
}

#[test]
fn territory_weights_split_the_plan_before_the_goals_do() {
    let rep = |rep: &'static str, territory: Option<&'static str>, median: f64| RepHistory {
        rep,
        team: "A",
        territory,
        months: vec![median; 3],
    };
    // North weighs 3, South 1, East 5 but has no rep (it takes no part); the rep without a
    // territory gets nothing. North's 750,000.75 → 750,001 (the larger remainder, .75 against .25),
    // South's 250,000. Within North, goals 1,200 : 2,400 (the team's p75, 2,700, caps only s1):
    // 250,000.33… and 500,000.66… → 250,000 and 500,001.
    let reps = [rep("n1", Some("north"), 100.0), rep("n2", Some("north"), 200.0), rep("s1", Some("south"), 300.0)];
    let mut reps = reps.to_vec();
    reps.push(rep("x", None, 100.0));
    let even = MonthlyIndex::from_weights([1; 12]);
    let basis = Basis::Territories(vec![("north", 3), ("south", 1), ("east", 5)]);
    let plan = allocate_plan(1_000_001, &reps, 0.0, &even, &basis);
    let yearly: Vec<i64> = plan.reps.iter().map(|q| q.yearly).collect();
    assert_eq!(yearly, [250_000, 500_001, 250_000, 0]);
    assert_eq!(yearly.iter().sum::<i64>(), 1_000_001);
    // A hand-set seasonality phases by its own weights: 2 parts in December, 1 in every other month
    // (13 parts): 13,000 → 1,000 a month and 2,000 in December.
    let december = MonthlyIndex::from_weights([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    assert!(close(december.factor(12), 24.0 / 13.0));
    assert_eq!(
        phase(13_000, &december.weights()),
        [1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 2_000]
    );
    // Weights on territories without reps only: the goals place the plan instead.
    let nobody = Basis::Territories(vec![("east", 1)]);
    assert_eq!(allocate_plan(100, &reps[..1], 0.0, &even, &nobody).reps[0].yearly, 100);
}

#[test]
fn raising_a_quota_in_august_changes_only_the_months_to_come() {
    // Made on a day of August 2026: January to August keep their quotas, September is the first
    // open month (index 8). A year to come is all open; a year gone has none.
    assert_eq!(first_open_month(2026, 2026, 8), 8);
    assert_eq!(first_open_month(2027, 2026, 8), 0);
    assert_eq!(first_open_month(2025, 2026, 8), 12);
    // 1,200 a month held from January to August (9,600); the year raised from 14,400 to 16,000:
    // 16,000 − 9,600 = 6,400 over September–December, equal weights: 1,600 each.
    let kept = [1_200; 12];
    let months = change_from(&kept, 8, 16_000, &[1; 12]).unwrap_or_default();
    assert_eq!(months, [1_200, 1_200, 1_200, 1_200, 1_200, 1_200, 1_200, 1_200, 1_600, 1_600, 1_600, 1_600]);
    // By the same phasing: December weighing 2 of the 5 left takes 6,400 × 2/5 = 2,560, the others 1,280.
    let weights = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2];
    let months = change_from(&kept, 8, 16_000, &weights).unwrap_or_default();
    assert_eq!(months[8..], [1_280, 1_280, 1_280, 2_560]);
    // Lowered below what January–August already hold (9,600): refused, as is a year with no month left.
    assert_eq!(change_from(&kept, 8, 9_599, &weights), Err(FutureError::BelowMonthsPast { kept: 9_600 }));
    assert_eq!(change_from(&kept, 12, 20_000, &weights), Err(FutureError::NoMonthsLeft));
    // 1 cent over three open months of equal weight: to the earliest.
    assert_eq!(phase_from(1, &[0; 12], 9)[9..], [1, 0, 0]);
}

#[test]
fn a_reallocation_keeps_the_months_past_and_still_sums_to_the_plan() {
    let reps = [history(1, 10, &[100.0; 12]), history(2, 20, &[300.0; 12])];
    // 4,800 split 1:3 → 1,200 and 3,600, phased 100 and 300 a month.
    let mut allocation = allocate_plan(4_800, &reps, 0.0, &MonthlyIndex::from_weights([1; 12]), &Basis::Goals);
    assert_eq!(allocation.reps[1].yearly, 3_600);
    // Re-allocated in October (first open month: November, index 10): rep 1 held 50 a month so far
    // (500), rep 2 held 200 (2,000). What is left, 4,800 − 2,500 = 2,300, splits 1:3 by the shares:
    // 575 and 1,725, over November and December: 288 + 287 and 863 + 862.
    let kept = |rep: &i64| if *rep == 1 { [50; 12] } else { [200; 12] };
    keep_months_past(&mut allocation, kept, 10, &[1; 12]).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(allocation.reps[0].monthly[9..], [50, 288, 287]);
    assert_eq!(allocation.reps[1].monthly[9..], [200, 863, 862]);
    assert_eq!((allocation.reps[0].yearly, allocation.reps[1].yearly), (1_075, 3_725));
    assert_eq!(allocation.reps.iter().map(|q| q.yearly).sum::<i64>(), 4_800);
    // The months past already hold more than a plan of 2,000: refused.
    let mut small = allocate_plan(2_000, &reps, 0.0, &MonthlyIndex::from_weights([1; 12]), &Basis::Goals);
    assert_eq!(keep_months_past(&mut small, kept, 10, &[1; 12]), Err(FutureError::BelowMonthsPast { kept: 2_500 }));
}

#[test]
fn a_plan_beyond_history_may_keep_the_realistic_goals() {
    // Two teams of one (no cap below their own): goals 12 × 100 = 1,200 and 12 × 300 = 3,600 (4,800); a plan of 6,000 has a gap of 1,200.
    let reps = [history(1, 10, &[100.0; 12]), history(2, 20, &[300.0; 12])];
    let mut allocation = allocate_plan(6_000, &reps, 0.0, &MonthlyIndex::from_weights([1; 12]), &Basis::Goals);
    assert_eq!(allocation.total.gap, 1_200.0);
    assert_eq!(unallocated(6_000, &allocation), 0);
    keep_realistic_goals(&mut allocation, &[1; 12]);
    assert_eq!((allocation.reps[0].yearly, allocation.reps[1].yearly), (1_200, 3_600));
    assert_eq!(allocation.reps[1].monthly, [300; 12]);
    assert_eq!(unallocated(6_000, &allocation), 1_200);
}

/// A rep of `team` with the trailing months given.
fn history(rep: i64, team: i64, months: &[f64]) -> RepHistory<i64> {
    RepHistory { rep, team, territory: None, months: months.to_vec() }
}

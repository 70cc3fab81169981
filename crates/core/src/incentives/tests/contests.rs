//! Contest awards: per unit above a threshold, ranking with ties.

use super::*;

fn contest(award: &str) -> Contest {
    serde_json::from_str(&format!(
        r#"{{ "name": "Sprint", "start": "2027-03-01", "end": "2027-03-31", "participants": "organisation",
            "measure": {{ "kpi": "deals_won" }}, "award": {award} }}"#
    ))
    .unwrap_or_else(|error| panic!("contest JSON: {error}"))
}

fn standing(rep_id: i64, value: &str) -> Standing {
    Standing { rep_id, value: dec(value) }
}

#[test]
fn per_unit_pays_each_unit_above_the_threshold() {
    let sprint = contest(r#"{ "per_unit_cents": 15000, "threshold": 2 }"#);
    let awards = decide_awards(&sprint, &[standing(1, "5"), standing(2, "2"), standing(3, "2.5")]);
    // Rep 1: (5 − 2) × 150.00 = 450.00; rep 2 is not above 2; rep 3: 0.5 × 150.00 = 75.00.
    let paid: Vec<(i64, i64)> = awards.iter().map(|award| (award.rep_id, award.amount_cents)).collect();
    assert_eq!(paid, [(1, 45_000), (3, 7_500)]);
}

#[test]
fn tied_reps_share_the_place_and_pool_its_prizes() {
    let sprint = contest(r#"{ "prizes": [ 10001, 5000, "a day off", 1000 ] }"#);
    let awards = decide_awards(&sprint, &[standing(9, "0"), standing(7, "5"), standing(2, "3"), standing(3, "5")]);
    let got: Vec<(i64, Option<u32>, i64, Vec<String>)> =
        awards.iter().map(|award| (award.rep_id, award.place, award.amount_cents, award.prizes.clone())).collect();
    // Reps 3 and 7 tie for first and hold places 1 and 2: 100.01 + 50.00 = 150.01 pooled, 75.00
    // each and the remaining cent to the earlier id, 3. Rep 2 is third: a day off. Rep 9 won nothing
    // to rank (0), so the fourth prize is not given.
    assert_eq!(
        got,
        [(3, Some(1), 7_501, vec![]), (7, Some(1), 7_500, vec![]), (2, Some(3), 0, vec!["a day off".to_string()])]
    );
}

#[test]
fn a_tie_across_money_and_words_gets_both() {
    let sprint = contest(r#"{ "prizes": [ 1000, "dinner with the CEO" ] }"#);
    let awards = decide_awards(&sprint, &[standing(5, "4"), standing(4, "4"), standing(6, "4")]);
    // Three tie for first over places 1–2 (there are only two prizes): 10.00 ÷ 3 = 3.33, one cent
    // left to rep 4; each also gets the dinner.
    let got: Vec<(i64, i64, usize)> =
        awards.iter().map(|award| (award.rep_id, award.amount_cents, award.prizes.len())).collect();
    assert_eq!(got, [(4, 334, 1), (5, 333, 1), (6, 333, 1)]);
}

#[test]
fn standings_rank_by_value_then_the_earlier_id() {
    let order: Vec<i64> =
        ranked(&[standing(3, "1"), standing(1, "2"), standing(2, "2")]).iter().map(|s| s.rep_id).collect();
    assert_eq!(order, [1, 2, 3]);
}

#[test]
fn a_contest_is_decided_in_the_month_of_its_end() {
    let sprint = contest(r#"{ "per_unit_cents": 100 }"#);
    assert!(sprint.decided_in(period("2027-03")));
    assert!(!sprint.decided_in(period("2027-04")));
    let days = sprint.days().expect("days");
    assert_eq!((days.start(), days.end()), (day(2027, 3, 1), day(2027, 4, 1)));
}

#[test]
fn a_standing_far_below_the_threshold_wins_nothing() {
    let sprint = contest(r#"{ "per_unit_cents": 100, "threshold": 5 }"#);
    // The most negative decimal less 5 is beyond what a decimal holds: still nothing won.
    assert!(decide_awards(&sprint, &[standing(1, "-79228162514264337593543950335")]).is_empty());
}

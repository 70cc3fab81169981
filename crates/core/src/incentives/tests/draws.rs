//! Draws: a recoverable advance recovered across months, a guaranteed minimum, proration.

use super::*;

#[test]
fn a_recoverable_draw_is_recovered_from_later_months() {
    // Draw 3,000.00. January earns 1,000.00: 2,000.00 advanced, 3,000.00 paid, 2,000.00 owed.
    let january = settle_draw(DrawKind::Recoverable, 300_000, 100_000, 0);
    assert_eq!(
        (january.advanced_cents, january.payable(100_000), january.balance_after_cents),
        (200_000, 300_000, 200_000)
    );
    // February earns 4,000.00: 1,000.00 above the draw is recovered; 3,000.00 paid, 1,000.00 owed.
    let february = settle_draw(DrawKind::Recoverable, 300_000, 400_000, january.balance_after_cents);
    assert_eq!(
        (february.recovered_cents, february.payable(400_000), february.balance_after_cents),
        (100_000, 300_000, 100_000)
    );
    // March earns 6,000.00: the last 1,000.00 is recovered; 5,000.00 paid, nothing owed.
    let march = settle_draw(DrawKind::Recoverable, 300_000, 600_000, february.balance_after_cents);
    assert_eq!((march.recovered_cents, march.payable(600_000), march.balance_after_cents), (100_000, 500_000, 0));
}

#[test]
fn a_guaranteed_draw_pays_the_larger_and_recovers_nothing() {
    let low = settle_draw(DrawKind::Guaranteed, 300_000, 100_000, 0);
    assert_eq!((low.payable(100_000), low.balance_after_cents), (300_000, 0));
    let high = settle_draw(DrawKind::Guaranteed, 300_000, 400_000, 0);
    assert_eq!((high.payable(400_000), high.recovered_cents), (400_000, 0));
}

fn books_with_draw(kind: DrawKind, from: NaiveDate) -> Books {
    let mut books =
        Books::new(&[r#"{ "key": "m", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
        "tier_mode": "retroactive", "tiers": [ { "from": 0, "rate": "0.1" } ] }"#]);
    let in_force = Period::range(from, day(2028, 1, 1)).expect("range");
    books.in_force = vec![in_force];
    books.draws = vec![DrawSpan { draw: Draw { kind, amount_cents: 310_000 }, in_force }];
    books.quotas = (1..=12).map(|month| quota(Metric::Revenue, &format!("2027-{month:02}"), 1_000_000)).collect();
    books
}

#[test]
fn statements_carry_the_recoverable_balance_across_months() {
    let mut books = books_with_draw(DrawKind::Recoverable, day(2027, 1, 1));
    // 10% commission: January 10,000.00 → 1,000.00; February 50,000.00 → 5,000.00; March 40,000.00 → 4,000.00.
    books.deals =
        vec![deal(1, day(2027, 1, 5), 10_000), deal(2, day(2027, 2, 5), 50_000), deal(3, day(2027, 3, 5), 40_000)];
    let payable: Vec<(i64, i64)> =
        books.year(3).iter().map(|s| (s.payable_cents, s.draw.map_or(0, |d| d.balance_after_cents))).collect();
    // Draw 3,100.00. January: 2,100.00 advanced → 3,100.00 paid, owed 2,100.00. February: 1,900.00
    // above the draw is recovered → 3,100.00 paid, owed 200.00. March: 900.00 above, 200.00
    // recovered → 3,800.00 paid, owed 0.
    assert_eq!(payable, [(310_000, 210_000), (310_000, 20_000), (380_000, 0)]);
}

#[test]
fn a_draw_from_mid_month_is_prorated_by_days() {
    // In force from 11 March: 21 of 31 days of 3,100.00 = 2,100.00; nothing earned.
    let books = books_with_draw(DrawKind::Guaranteed, day(2027, 3, 11));
    let draw = books.statement("2027-03", &PriorStatements::default()).draw.expect("a draw");
    assert_eq!((draw.amount_cents, draw.advanced_cents), (210_000, 210_000));
}

#[test]
fn advances_left_after_the_draw_ends_are_recovered_from_earnings() {
    let mut books = books_with_draw(DrawKind::Recoverable, day(2027, 1, 1));
    books.draws[0].in_force = Period::range(day(2027, 1, 1), day(2027, 2, 1)).expect("range");
    // January: nothing earned, 3,100.00 advanced. February: no draw; 10% of 20,000.00 = 2,000.00,
    // all of it recovered → 0 paid, 1,100.00 still owed.
    books.deals = vec![deal(1, day(2027, 2, 5), 20_000)];
    let statements = books.year(2);
    let february = statements[1].draw.expect("a recovery line");
    assert_eq!(
        (statements[1].payable_cents, february.recovered_cents, february.balance_after_cents),
        (0, 200_000, 110_000)
    );
}

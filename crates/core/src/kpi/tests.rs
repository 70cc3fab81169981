//! Hand-computed cases for the outcome and funnel KPIs.

use super::*;
use crate::Money;
use crate::model::OpportunityStatus::{Lost, Open, Won};
use crate::period::Period;
use chrono::NaiveDate;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap_or(NaiveDate::MIN)
}

fn opportunity(
    status: crate::model::OpportunityStatus,
    amount: i64,
    created: &str,
    first_appointment: Option<&str>,
    gateway: Option<&str>,
    proposal: Option<&str>,
    closed: Option<&str>,
) -> OpportunityFacts {
    OpportunityFacts {
        status,
        amount: Money::from_units(amount),
        margin: Money::from_units(amount / 4),
        created_on: day(created),
        first_appointment_on: first_appointment.map(day),
        gateway_on: gateway.map(day),
        proposal_on: proposal.map(day),
        closed_on: closed.map(day),
    }
}

/// The tally of `opportunities` over `period`: the sum of the cells whose day falls in it.
fn tally(opportunities: &[OpportunityFacts], period: &str) -> Tally {
    let period: Period = period.parse().unwrap_or_else(|e| panic!("{e}"));
    opportunities.iter().flat_map(contribution).filter(|(d, _)| period.contains(*d)).map(|(_, t)| t).sum()
}

/// Five opportunities of one rep in Q1 2026:
/// - A won 31 Mar (created 1 Jan, 89 days), 10,000, with first appointment, gateway and proposal in Q1;
/// - B won 15 Feb (created 5 Jan, 41 days), 2,000, no proposal recorded;
/// - C lost 20 Mar after a proposal, first appointment 10 Jan, no gateway date (proposal implies it);
/// - D lost 1 Apr (Q2), first appointment 1 Feb, nothing after;
/// - E open, first appointment 15 Mar, gateway 25 Mar.
fn sample() -> Vec<OpportunityFacts> {
    vec![
        opportunity(
            Won,
            10_000,
            "2026-01-01",
            Some("2026-01-10"),
            Some("2026-02-01"),
            Some("2026-03-01"),
            Some("2026-03-31"),
        ),
        opportunity(Won, 2_000, "2026-01-05", Some("2026-01-20"), None, None, Some("2026-02-15")),
        opportunity(Lost, 7_000, "2026-01-02", Some("2026-01-10"), None, Some("2026-02-20"), Some("2026-03-20")),
        opportunity(Lost, 3_000, "2026-01-03", Some("2026-02-01"), None, None, Some("2026-04-01")),
        opportunity(Open, 5_000, "2026-03-01", Some("2026-03-15"), Some("2026-03-25"), None, None),
    ]
}

#[test]
fn outcome_of_a_quarter() {
    let outcome = Outcome::of(&tally(&sample(), "2026-Q1"));
    // Won in Q1: A and B. Revenue 10,000 + 2,000 = 12,000; margin 2,500 + 500 = 3,000.
    assert_eq!(outcome.revenue, Money::from_units(12_000));
    assert_eq!(outcome.margin, Money::from_units(3_000));
    assert_eq!(outcome.deals, 2);
    // Closed in Q1: A, B won and C lost (D closes in Q2): 2 ÷ 3.
    assert_eq!(outcome.win_rate, Some(2.0 / 3.0));
    // 12,000 ÷ 2 = 6,000 per sale, i.e. 600,000 cents.
    assert_eq!(outcome.average_revenue_per_sale, Some(600_000.0));
    // Cycle: A 1 Jan → 31 Mar = 89 days, B 5 Jan → 15 Feb = 41 days; mean 65.
    assert_eq!(outcome.mean_cycle_days, Some(65.0));
}

#[test]
fn funnel_of_a_quarter() {
    let funnel = Funnel::of(&tally(&sample(), "2026-Q1"));
    // A(Q1) = all five (first appointments 10 Jan, 20 Jan, 10 Jan, 1 Feb, 15 Mar).
    assert_eq!(funnel.new_first_appointments, 5);
    // Reached the gateway: A (gateway), C (proposal implies it), E (gateway) = 3 of 5.
    assert_eq!(funnel.first_appointment_to_next_step, Some(3.0 / 5.0));
    // Reached the proposal: A and C = 2 of 5.
    assert_eq!(funnel.first_appointment_to_proposal, Some(2.0 / 5.0));
    // Closed in Q1 after a proposal: A (won) and C (lost); B had no proposal. 1 of 2.
    assert_eq!(funnel.closing_ratio, Some(0.5));
}

#[test]
fn ratios_without_a_denominator_are_undefined_not_zero() {
    // February: B won (no proposal); first appointment of D on 1 Feb only.
    let february = tally(&sample(), "2026-02");
    let funnel = Funnel::of(&february);
    assert_eq!(funnel.new_first_appointments, 1);
    assert_eq!(funnel.first_appointment_to_proposal, Some(0.0), "a real zero: D never reached the proposal");
    assert_eq!(funnel.closing_ratio, None, "nothing closed in February after a proposal");
    // A week with no activity at all: every ratio undefined, every sum zero.
    let empty = tally(&sample(), "2026-W10");
    let outcome = Outcome::of(&empty);
    assert_eq!((outcome.deals, outcome.win_rate, outcome.average_revenue_per_sale), (0, None, None));
    assert_eq!(Funnel::of(&empty).first_appointment_to_next_step, None);
}

#[test]
fn a_deal_closed_at_the_last_day_of_a_quarter_counts_in_that_quarter() {
    // A closes on 31 March: in Q1, not in Q2.
    assert_eq!(Outcome::of(&tally(&sample()[..1], "2026-Q1")).deals, 1);
    assert_eq!(Outcome::of(&tally(&sample()[..1], "2026-Q2")).deals, 0);
}

#[test]
fn a_change_is_the_difference_of_contributions() {
    // C turns out won, not lost, on the same day (20 March): old contribution out, new in.
    let mut cells = tally(&sample(), "2026-Q1");
    let old = sample()[2];
    let new = OpportunityFacts { status: Won, ..old };
    cells -= contribution(&old).into_iter().map(|(_, t)| t).sum();
    cells += contribution(&new).into_iter().map(|(_, t)| t).sum();
    let mut expected = sample();
    expected[2] = new;
    assert_eq!(cells, tally(&expected, "2026-Q1"));
    assert_eq!(Outcome::of(&cells).win_rate, Some(1.0), "A, B and C won; D closes in Q2");
}

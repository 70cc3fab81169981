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
        first_appointment_top_level: false,
        expected_close_on: None,
        last_activity_on: None,
        probability_bp: 0,
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

#[test]
fn gateway_to_won_counts_the_closes_after_the_gateway() {
    // Closed in Q1: A won (gateway and proposal), B won (neither), C lost (proposal implies the
    // gateway). After the gateway: A and C, of them won: A.
    let q1 = tally(&sample(), "2026-Q1");
    assert_eq!((q1.closed_after_gateway, q1.won_after_gateway), (2, 1));
    // D lost in Q2 without reaching the gateway; E is open.
    let q2 = tally(&sample(), "2026-Q2");
    assert_eq!((q2.closed_after_gateway, q2.won_after_gateway), (0, 0));
}

#[test]
fn an_open_opportunity_stands_by_its_last_activity_and_expected_close() {
    let e = OpportunityFacts {
        last_activity_on: Some(day("2026-03-20")),
        expected_close_on: Some(day("2026-04-30")),
        amount: Money::from_cents(12_345),
        probability_bp: 1_250,
        ..sample()[4]
    };
    let standing = open_contribution(&e).unwrap_or_else(|| panic!("E is open"));
    assert_eq!(standing.last_activity_on, Some(day("2026-03-20")));
    assert_eq!(standing.expected_close_on, Some(day("2026-04-30")));
    // 123.45 × 12.5 % = 15.43125: 15.43, rounded to the cent.
    let open = Tally { open_opportunities: 1, open_amount: 12_345, open_weighted: 1_543, ..Tally::default() };
    assert_eq!(standing.tally, open);
    // By its last activity it counts itself, by its expected close its amount too.
    assert_eq!(standing.by_last_activity(), Tally { open_opportunities: 1, ..Tally::default() });
    assert_eq!(standing.by_expected_close(), Tally { open_weighted: 0, ..open });
    // Half a cent rounds away from zero: 0.01 × 50 % = 0.005, 0.01.
    let half = OpportunityFacts { amount: Money::from_cents(1), probability_bp: 5_000, ..e };
    assert_eq!(open_contribution(&half).map(|s| s.tally.open_weighted), Some(1));
    // Won, lost: no standing; nor do they add to open opportunities in their day cells.
    assert!(sample()[..4].iter().all(|o| open_contribution(o).is_none()));
    assert_eq!(tally(&sample(), "2026").open_opportunities, 0);
}

mod activity_and_leads {
    use super::super::*;
    use crate::model::{ActivityOutcome as O, ActivityType as T, LeadSource};
    use chrono::{DateTime, Duration, Utc};

    #[test]
    fn conversations_are_calls_that_reached_someone() {
        let tally: Tally = [
            activity_contribution(T::ColdCall, Some(O::NoAnswer)),
            activity_contribution(T::ColdCall, Some(O::Connected)),
            activity_contribution(T::ColdCall, Some(O::AppointmentSet)),
            activity_contribution(T::CallBack, Some(O::Connected)),
            // An email that set an appointment is an appointment set, not a conversation.
            activity_contribution(T::Email, Some(O::AppointmentSet)),
            activity_contribution(T::Appointment, Some(O::Completed)),
            activity_contribution(T::Demo, None),
        ]
        .into_iter()
        .sum();
        let activity = Activity::of(&tally);
        assert_eq!((activity.cold_calls, activity.call_backs, activity.emails), (3, 1, 1));
        assert_eq!((activity.appointments, activity.demos, activity.meetings), (1, 1, 0));
        // Conversations: cold call connected, cold call appointment set, call-back connected = 3.
        assert_eq!(activity.conversations, 3);
        // Appointments set: the cold call and the email = 2; 2 ÷ 3.
        assert_eq!(activity.appointments_set, 2);
        assert_eq!(activity.conversation_to_appointment, Some(2.0 / 3.0));
        assert_eq!(Activity::of(&Tally::default()).conversation_to_appointment, None);
    }

    #[test]
    fn a_lead_touched_at_exactly_48_hours_is_in_time() {
        let created = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default();
        let at = |hours: i64, seconds: i64| Some(created + Duration::hours(hours) + Duration::seconds(seconds));
        let hours = LEAD_FOLLOW_UP_HOURS;
        assert_eq!(lead_contribution(LeadSource::Company, created, at(48, 0), hours).company_leads_touched_in_time, 1);
        let late = lead_contribution(LeadSource::Company, created, at(48, 1), hours);
        assert_eq!((late.company_leads, late.company_leads_touched_in_time, late.company_leads_untouched), (1, 0, 0));
        let never = lead_contribution(LeadSource::Company, created, None, hours);
        assert_eq!((never.company_leads_touched_in_time, never.company_leads_untouched), (0, 1));
        assert!(
            lead_contribution(LeadSource::SelfGenerated, created, None, hours).is_zero(),
            "only company leads count"
        );
    }

    #[test]
    fn the_follow_up_window_is_the_organisations() {
        // A 24-hour window: touched after 24 h exactly is in time, after 30 h is late.
        let created = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default();
        let touched =
            |hours| lead_contribution(LeadSource::Company, created, Some(created + Duration::hours(hours)), 24);
        assert_eq!((touched(24).company_leads_touched_in_time, touched(30).company_leads_touched_in_time), (1, 0));
    }

    #[test]
    fn tally_fields_round_trip_through_values() {
        let tally = Tally { won: 1, estimates: 7, company_leads_untouched: 3, ..Tally::default() };
        assert_eq!(Tally::from_values(&tally.values()), tally);
        assert_eq!(Tally::FIELDS.len(), tally.values().len());
    }
}

mod pipeline_and_magic {
    use super::super::*;
    use crate::settings::Method;
    use crate::{Money, Period};

    fn open(amount: i64, probability_bp: u32, due_in_period: bool) -> OpenPipeline {
        OpenPipeline::one(Money::from_units(amount), probability_bp, due_in_period)
    }

    #[test]
    fn pipeline_weighs_by_stage_and_covers_the_remaining_quota() {
        // 10,000 at proposal (60%), 5,000 at first appointment (20%) due after the period.
        let opportunities: OpenPipeline = [open(10_000, 6_000, true), open(5_000, 2_000, false)].into_iter().sum();
        let rates = VelocityRates {
            win_rate: Some(0.25),
            average_revenue_per_sale: Some(800_000.0),
            mean_cycle_days: Some(40.0),
        };
        let pipeline = Pipeline::of(&opportunities, Some(Money::from_units(20_000)), rates);
        assert_eq!(pipeline.pipeline, Money::from_units(15_000));
        // 6,000 + 1,000.
        assert_eq!(pipeline.weighted, Money::from_units(7_000));
        // Due in the period: 10,000 of a remaining 20,000.
        assert_eq!(pipeline.coverage, Some(0.5));
        // 2 open × 0.25 × 800,000 cents ÷ 40 days = 10,000 cents a day.
        assert_eq!(pipeline.velocity_cents_per_day, Some(10_000.0));
        assert_eq!(weighted_amount(Money::from_cents(5), 500), Money::ZERO);
        assert_eq!(weighted_amount(Money::from_cents(10), 5_000), Money::from_cents(5));
        assert_eq!(weighted_amount(Money::from_cents(1), 5_000), Money::from_cents(1), "half a cent rounds up");
        // Nothing remains to sell: coverage is undefined, not infinite.
        assert_eq!(Pipeline::of(&opportunities, Some(Money::ZERO), rates).coverage, None);
        assert_eq!(Pipeline::of(&OpenPipeline::default(), None, rates).velocity_cents_per_day, Some(0.0));
    }

    /// A trailing year with 4 deals won at 10,000 each (40,000), 4 lost; of 16 first appointments
    /// 8 reached the proposal; of 8 closed after a proposal, 4 were won; 30 conversations set 6
    /// appointments.
    fn trailing() -> Tally {
        Tally {
            won: 4,
            won_amount: 4 * 1_000_000,
            lost: 4,
            closed_after_proposal: 8,
            won_after_proposal: 4,
            first_appointments: 16,
            first_appointments_to_proposal: 8,
            conversations: 30,
            appointments_set: 6,
            ..Tally::default()
        }
    }

    #[test]
    fn the_magic_number_works_back_from_the_remaining_quota() {
        let own = trailing();
        let magic = MagicNumber::of(MagicInputs {
            revenue_quota: Some(Money::from_units(120_000)),
            revenue_so_far: Money::from_units(20_000),
            days_remaining: 28,
            own_trailing: &own,
            team_trailing: &Tally::default(),
            method: &Method::default(),
        });
        // 8 closed (≥ 5): the rep's own rates. Remaining 100,000 ÷ 10,000 per sale = 10 deals;
        // ÷ (8/16 to proposal × 4/8 closing = 0.25) = 40 first appointments; ÷ 4 weeks = 10 a week.
        assert_eq!(magic.rate_source, RateSource::Own);
        assert_eq!(magic.remaining_quota, Some(Money::from_units(100_000)));
        assert_eq!(magic.per_week, Some(10.0));
        // 10 ÷ (6/30 = 0.2) ÷ 5 days = 10 conversations a day.
        assert_eq!(magic.daily_conversations, Some(10.0));
        // A four-day week: 10 ÷ 0.2 ÷ 4 = 12.5 a day. Own rates from 9 closed deals: 8 < 9 falls
        // back to the team's (none here: undefined).
        let method = Method { working_days_per_week: 4, min_closed_deals_for_own_rates: 9, ..Method::default() };
        let four_days = Method { working_days_per_week: 4, ..Method::default() };
        let inputs = MagicInputs {
            revenue_quota: Some(Money::from_units(120_000)),
            revenue_so_far: Money::from_units(20_000),
            days_remaining: 28,
            own_trailing: &own,
            team_trailing: &Tally::default(),
            method: &four_days,
        };
        assert_eq!(MagicNumber::of(inputs).daily_conversations, Some(12.5));
        let team = MagicNumber::of(MagicInputs { method: &method, ..inputs });
        assert_eq!((team.rate_source, team.per_week), (RateSource::Team, None));
    }

    #[test]
    fn too_few_closed_deals_fall_back_to_the_team() {
        let own = Tally { won: 2, won_amount: 2 * 5_000_000, lost: 2, ..Tally::default() };
        let team = trailing();
        let magic = MagicNumber::of(MagicInputs {
            revenue_quota: Some(Money::from_units(50_000)),
            revenue_so_far: Money::ZERO,
            // Fewer than 7 days left: at least one week.
            days_remaining: 3,
            own_trailing: &own,
            team_trailing: &team,
            method: &Method::default(),
        });
        // 4 closed < 5: the team's rates. 50,000 ÷ 10,000 = 5 deals ÷ 0.25 = 20 a week.
        assert_eq!((magic.rate_source, magic.weeks_remaining, magic.per_week), (RateSource::Team, 1.0, Some(20.0)));
    }

    #[test]
    fn without_rates_or_quota_the_magic_number_is_undefined() {
        let none = Tally::default();
        let inputs = MagicInputs {
            revenue_quota: None,
            revenue_so_far: Money::ZERO,
            days_remaining: 70,
            own_trailing: &none,
            team_trailing: &none,
            method: &Method::default(),
        };
        assert_eq!(MagicNumber::of(inputs).per_week, None, "no quota");
        let reached = MagicInputs {
            revenue_quota: Some(Money::from_units(10)),
            revenue_so_far: Money::from_units(20),
            own_trailing: &trailing(),
            ..inputs
        };
        // The quota is reached: nothing more is needed, and the barometer has nothing to divide by.
        assert_eq!(MagicNumber::of(reached).per_week, Some(0.0));
        let no_rates = MagicInputs { revenue_quota: Some(Money::from_units(10)), ..inputs };
        assert_eq!(MagicNumber::of(no_rates).per_week, None, "no deals anywhere: no rates");
    }

    fn day(text: &str) -> chrono::NaiveDate {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Rates of 10,000 per sale, first appointment → proposal 50%, closing 50%: a deal takes four
    /// first appointments.
    fn even_rates() -> Tally {
        Tally {
            won: 5,
            won_amount: 5_000_000,
            lost: 5,
            first_appointments: 40,
            first_appointments_to_proposal: 20,
            closed_after_proposal: 10,
            won_after_proposal: 5,
            ..Tally::default()
        }
    }

    fn week(start: &str, first_appointments: i64, revenue_before: i64) -> WeekFacts {
        WeekFacts { start: day(start), first_appointments, revenue_before: Money::from_units(revenue_before) }
    }

    #[test]
    fn each_week_is_judged_against_the_goal_that_applied_in_it() {
        // Four weeks from Monday 1 June 2026 with a revenue quota of 160,000, evaluated on
        // Wednesday 17 June.
        let rates = even_rates();
        let inputs = BarometerInputs {
            period: Period::range(day("2026-06-01"), day("2026-06-29")).expect("a range"),
            as_of: day("2026-06-17"),
            revenue_quota: Some(Money::from_units(160_000)),
            own_trailing: &rates,
            team_trailing: &rates,
            method: &Method::default(),
        };
        let weeks = barometer_weeks(
            &[week("2026-06-01", 16, 0), week("2026-06-08", 10, 60_000), week("2026-06-15", 6, 100_000)],
            inputs,
        );
        let goals: Vec<Option<f64>> = weeks.iter().map(|w| w.goal).collect();
        // 1 June: 160,000 ÷ 10,000 = 16 deals × 4 = 64 first appointments over 28 days (4 weeks):
        // 16 a week. 16 held: 100%.
        // 8 June: 100,000 left: 10 deals × 4 = 40 over 21 days (3 weeks): 13.33. 10 held: 75%.
        // 15 June, in progress: 60,000 left: 6 × 4 = 24 over 2 weeks = 12 a week, of which Monday
        // to Wednesday, 3 of 5 working days: 7.2. 6 held: 83.33%.
        let expected = [16.0, 40.0 / 3.0, 12.0 * 3.0 / 5.0];
        for (goal, expected) in goals.iter().zip(expected) {
            assert!((goal.unwrap_or_default() - expected).abs() < 1e-9, "{goal:?} against {expected}");
        }
        // The mean of 100%, 75% and 83.33%: 86.11%. Judged against the magic number of 17 June
        // (60,000 left over the 11 days after it, 24 ÷ 1.571 = 15.3 a week) every week would have
        // been held to it, and the week in progress as a whole week: 6 ÷ 15.3 = 39%.
        let pct = barometer(&weeks).unwrap_or_default();
        assert!((pct - (100.0 + 75.0 + 250.0 / 3.0) / 3.0).abs() < 1e-9, "{pct}");
    }

    #[test]
    fn a_rep_on_pace_on_wednesday_is_at_100_percent() {
        // One week from Monday 1 June, quota 40,000: 4 deals × 4 = 16 first appointments over
        // 7 days (1 week). On Wednesday 3 of 5 working days are gone: goal 16 × 3/5 = 9.6, and
        // 9.6 ≈ 10 held is on pace; counted as a whole week it would read 62.5%.
        let rates = even_rates();
        let inputs = BarometerInputs {
            period: Period::iso_week(2026, 23).expect("2026-W23"),
            as_of: day("2026-06-03"),
            revenue_quota: Some(Money::from_units(40_000)),
            own_trailing: &rates,
            team_trailing: &rates,
            method: &Method::default(),
        };
        let weeks = barometer_weeks(&[week("2026-06-01", 10, 0)], inputs);
        let pct = barometer(&weeks).unwrap_or_default();
        assert!((pct - 10.0 / 9.6 * 100.0).abs() < 1e-9, "{pct}");
        assert!(pct >= 100.0);
    }

    #[test]
    fn the_working_days_elapsed_of_a_week() {
        let monday = day("2026-06-01");
        assert_eq!(working_share(monday, day("2026-06-01"), 5), 1.0 / 5.0, "Monday: 1 of 5");
        assert_eq!(working_share(monday, day("2026-06-05"), 5), 1.0, "Friday: 5 of 5");
        assert_eq!(working_share(monday, day("2026-06-06"), 5), 1.0, "the weekend adds none");
        assert_eq!(working_share(monday, day("2026-07-01"), 5), 1.0, "a past week");
        // A six-day week: Friday is 5 of 6, Saturday all of it; a four-day week is over on Thursday.
        assert_eq!(working_share(monday, day("2026-06-05"), 6), 5.0 / 6.0, "Friday: 5 of 6");
        assert_eq!(working_share(monday, day("2026-06-06"), 6), 1.0, "Saturday: 6 of 6");
        assert_eq!(working_share(monday, day("2026-06-04"), 4), 1.0, "Thursday: 4 of 4");
    }

    #[test]
    fn weeks_without_a_goal_are_left_out() {
        let rates = even_rates();
        let inputs = BarometerInputs {
            period: Period::range(day("2026-06-01"), day("2026-06-15")).expect("a range"),
            as_of: day("2026-06-14"),
            revenue_quota: Some(Money::from_units(20_000)),
            own_trailing: &rates,
            team_trailing: &rates,
            method: &Method::default(),
        };
        // Week one: 20,000 left, 2 × 4 = 8 over 2 weeks: 4, and 2 held: 50%. Week two: the quota was
        // reached in week one, nothing left to chase: no goal, left out of the mean.
        let weeks = barometer_weeks(&[week("2026-06-01", 2, 0), week("2026-06-08", 0, 25_000)], inputs);
        assert_eq!(weeks[1].goal, None);
        assert_eq!(barometer(&weeks), Some(50.0));
        assert_eq!(barometer(&[]), None);
        let no_quota = BarometerInputs { revenue_quota: None, ..inputs };
        assert_eq!(barometer(&barometer_weeks(&[week("2026-06-01", 2, 0)], no_quota)), None);
    }

    #[test]
    fn peers_pool_and_compare() {
        // Rep: 2 deals, 10,000 (5,000 each), cycles 20 days each.
        let rep = Tally { won: 2, won_amount: 1_000_000, won_cycle_days: 40, lost: 2, ..Tally::default() };
        // Peers pooled: 3 deals, 30,000 (10,000 each), cycles 40 days each.
        let peers = Tally { won: 3, won_amount: 3_000_000, won_cycle_days: 120, lost: 1, ..Tally::default() };
        let comparison = PeerComparison::of(&rep, &peers);
        assert_eq!(comparison.peers_average_revenue_per_sale_cents, Some(1_000_000.0));
        assert_eq!(comparison.average_revenue_per_sale_vs_peers, Some(-0.5));
        assert_eq!(comparison.cycle_days_vs_peers, Some(-0.5));
        assert_eq!(comparison.closing_ratio_points, None, "neither closed anything after a proposal");
    }

    #[test]
    fn the_median_takes_the_middle() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[40, 10, 30]), Some(30.0));
        assert_eq!(median(&[40, 10, 30, 20]), Some(25.0));
        assert_eq!(median(&[7]), Some(7.0));
        assert_eq!(median(&[9, 4]), Some(6.5));
        assert_eq!(median(&[9, 1, 9, 2, 9, 2]), Some(5.5), "the two middle ones of 1 2 2 9 9 9");
        assert_eq!(median(&[5, 5, 5, 5]), Some(5.0));
    }
}

mod scorecard {
    use super::super::*;
    use crate::Money;
    use crate::diagnostics::{FlagKind, Thresholds};
    use chrono::NaiveDate;

    /// Q1 2026 evaluated on 14 Feb: 45 of 90 days elapsed, 45 days (6.43 weeks) remaining.
    #[test]
    fn a_rep_behind_plan_with_a_weak_closing_ratio() {
        let tally = Tally {
            won: 1,
            won_amount: 1_000_000,
            won_cycle_days: 30,
            lost: 3,
            closed_after_proposal: 4,
            won_after_proposal: 1,
            first_appointments: 10,
            first_appointments_to_gateway: 7,
            first_appointments_to_proposal: 6,
            ..Tally::default()
        };
        let facts = ScorecardFacts {
            period: "2026-Q1".parse().unwrap_or_else(|e| panic!("{e}")),
            as_of: NaiveDate::from_ymd_opt(2026, 2, 14).unwrap_or_default(),
            tally,
            revenue_so_far: Money::from_units(10_000),
            // The seven weeks begun by 14 February (from Monday 29 December), nothing won before
            // 9 February.
            weeks: [1, 2, 1, 2, 1, 1, 2]
                .iter()
                .enumerate()
                .map(|(i, &first_appointments)| WeekFacts {
                    start: NaiveDate::from_ymd_opt(2025, 12, 29).unwrap_or_default()
                        + chrono::Duration::weeks(i as i64),
                    first_appointments,
                    revenue_before: Money::from_units(if i == 6 { 10_000 } else { 0 }),
                })
                .collect(),
            trailing: tally,
            team_trailing: tally,
            peers: None,
            quotas: Quotas { revenue: Some(Money::from_units(90_000)), deals: Some(9.0), ..Quotas::default() },
            open: OpenPipeline::default(),
            won_cycle_days: vec![30],
        };
        let card = Scorecard::of(&facts, &Thresholds::default());
        // 10,000 of 90,000.
        assert_eq!(card.attainment.revenue, Some(10_000.0 / 90_000.0));
        assert_eq!(card.attainment.deals, Some(1.0 / 9.0));
        assert_eq!(card.attainment.expected, 0.5);
        // Remaining 80,000 ÷ 10,000 per sale = 8 deals ÷ (0.6 × 0.25) = 53.3 first appointments
        // over 45 days = 45/7 weeks: 8.296… a week.
        let per_week = 80_000.0 * 100.0 / 1_000_000.0 / (0.6 * 0.25) / (45.0 / 7.0);
        assert_eq!(card.magic_number.per_week, Some(per_week));
        let kinds: Vec<FlagKind> = card.flags.iter().map(|f| f.kind).collect();
        // 7/10 ≥ 65% and 6/10 ≥ 60% raise nothing; closing 1/4 < 65%; barometer ~ 17% < 100%;
        // 10,000 so far against 45,000 on pace: behind plan; none of the 10 first appointments at
        // the top: 0% < 50%; no conversations: conversation → appointment undefined, no flag.
        assert_eq!(
            kinds,
            [
                FlagKind::ClosingRatioLow,
                FlagKind::BarometerLow,
                FlagKind::BehindPlan,
                FlagKind::TopLevelContactShareLow
            ]
        );
        assert_eq!(card.median_cycle_days, Some(30.0));
    }
}

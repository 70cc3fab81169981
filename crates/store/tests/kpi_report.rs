//! The KPI engine on the store: a report on the fixture bundle with every figure worked out by
//! hand, on SQLite and PostgreSQL.

mod common;

use chrono::NaiveDate;
use common::{TestDb, fixture};
use quotient_core::kpi::RateSource;
use quotient_core::{Lang, Money};
use quotient_store::bundle::{self, Silent};
use quotient_store::ids::RepId;
use quotient_store::kpi::{self, Card, Report, ReportRequest, Subject};

fn report(test: &mut TestDb, subject: Subject, period: &str, as_of: &str) -> Report {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    report_on(test, org.id, subject, period, as_of)
}

fn card<'r>(report: &'r Report, rep: &str) -> &'r Card {
    report.reps.iter().find(|c| c.rep_id.as_deref() == Some(rep)).unwrap_or_else(|| panic!("no card for {rep}"))
}

fn estimates(card: &Card) -> Vec<&str> {
    card.standards
        .iter()
        .filter(|e| e.standard.key() == "estimates_per_product_line")
        .map(|e| e.text.as_str())
        .collect()
}

fn flags(card: &Card) -> Vec<String> {
    card.scorecard.flags.iter().map(|f| format!("{:?}", f.kind)).collect()
}

/// Team M1 (reps R1 and R2) in Q1 2026, evaluated at the quarter's last day.
fn team_quarter(test: &mut TestDb) {
    let report = report(test, Subject::Team("M1".into()), "2026-Q1", "2026-03-31");
    assert_eq!(report.reps.iter().map(|c| c.rep_id.clone().unwrap_or_default()).collect::<Vec<_>>(), ["R1", "R2"]);

    let r1 = card(&report, "R1");
    let s = &r1.scorecard;
    // O1 won at 23:59 on 31 March counts in Q1: 12,000 revenue, 3,000.50 margin, 1 deal.
    assert_eq!(
        (s.outcome.revenue, s.outcome.margin, s.outcome.deals),
        (Money::from_units(12_000), Money::from_cents(300_050), 1)
    );
    assert_eq!(s.outcome.win_rate, Some(1.0));
    // Created 6 Jan, closed 31 Mar: 84 days.
    assert_eq!((s.outcome.mean_cycle_days, s.median_cycle_days), (Some(84.0), Some(84.0)));
    // First appointments: O1 (10 Jan: gateway and proposal) and O3 (4 Mar: gateway only).
    assert_eq!(s.funnel.new_first_appointments, 2);
    assert_eq!(s.funnel.first_appointment_to_next_step, Some(1.0));
    assert_eq!(s.funnel.first_appointment_to_proposal, Some(0.5));
    assert_eq!(s.funnel.closing_ratio, Some(1.0));
    // Revenue quota 10,000 (March), deal quota 3 (Q1): 120% and 1 of 3.
    assert_eq!(s.quotas.revenue, Some(Money::from_units(10_000)));
    assert_eq!((s.attainment.revenue, s.attainment.deals), (Some(1.2), Some(1.0 / 3.0)));
    // One cold call that set an appointment: 1 conversation, 1 appointment set.
    assert_eq!((s.activity.cold_calls, s.activity.appointments, s.activity.conversations), (1, 1, 1));
    assert_eq!(s.activity.conversation_to_appointment, Some(1.0));
    // Open at the end of 31 March: O3 (4,500, at the gateway since 20 March: 40% = 1,800).
    assert_eq!((s.pipeline.open_opportunities, s.pipeline.pipeline), (1, Money::from_units(4_500)));
    assert_eq!(s.pipeline.weighted, Money::from_units(1_800));
    // The quota is reached: nothing remains, so coverage is undefined and the magic number 0. R1
    // closed one deal in the trailing year (< 5): the team's rates.
    assert_eq!(s.pipeline.coverage, None);
    assert_eq!((s.magic_number.rate_source, s.magic_number.per_week), (RateSource::Team, Some(0.0)));
    // Each week is held to the magic number as of its start, when nothing had been won yet: the
    // team's rates ask 10,000 ÷ 12,000 ÷ (1/3 × 1) = 2.5 first appointments over the days left
    // (from 1 January for the week of 29 December). Of the 14 weeks begun, the week of 5 January
    // (86 days left: 2.5 × 7/86 = 0.203 a week) held O1's first appointment, 491%; the week of 2
    // March (30 days left: 0.583) O3's, 171%; the others none: (491.4 + 171.4) ÷ 14 = 47.3%.
    let expected = (100.0 / (2.5 * 7.0 / 86.0) + 100.0 / (2.5 * 7.0 / 30.0)) / 14.0;
    assert!((s.barometer_pct.unwrap_or_default() - expected).abs() < 1e-9, "{:?}", s.barometer_pct);
    // The 50% first-appointment → proposal ratio is below its threshold (60%), the barometer below
    // 100%.
    assert_eq!(flags(r1), ["FirstAppointmentToProposalLow", "BarometerLow"]);
    // 1 of 2 first appointments at the top (O1 with C1, authority 5) is not below 50%.
    assert_eq!(r1.top_level_contact_share, Some(0.5));
    // L1, a company lead, was touched 6.5 hours after it came in.
    assert_eq!((r1.lead_follow_up.company_leads, r1.lead_follow_up.touched_within_48h_share), (1, Some(1.0)));
    // Estimates, judged in January, February and March, on both lines R1 sells (O1 and E1 on
    // Storage, O3 and E2 on Networking). Storage: no deal quota in January or February, 1 needed in
    // each (0 and E1 issued); a deal quota of 1 in March: 3 × 1 needed, none issued. 1 of 5, 1 + 3
    // short. Networking has no deal quota: 1 needed a month, E2 in February alone.
    assert_eq!(
        estimates(r1),
        [
            "estimates for Storage: 1 of 5 — short by 4 in 2026-01, 2026-03",
            "estimates for Networking, wireless: 1 of 3 — short by 2 in 2026-01, 2026-03",
        ]
    );
    // Gateway → won: O1 reached the gateway and was won in Q1; O3 is still open.
    assert_eq!((r1.gateway_to_won.closed_after_gateway, r1.gateway_to_won.share), (1, Some(1.0)));

    let r2 = card(&report, "R2");
    // O2 was lost without reaching the gateway: gateway → won is undefined.
    assert_eq!((r2.gateway_to_won.closed_after_gateway, r2.gateway_to_won.share), (0, None));
    let s = &r2.scorecard;
    // O2 lost on 1 March without a proposal: win rate 0 of 1, nothing to average, no closing ratio.
    assert_eq!((s.outcome.deals, s.outcome.win_rate, s.outcome.average_revenue_per_sale), (0, Some(0.0), None));
    assert_eq!(s.funnel.closing_ratio, None);
    assert_eq!(
        (s.funnel.first_appointment_to_next_step, s.funnel.first_appointment_to_proposal),
        (Some(0.0), Some(0.0))
    );
    // Margin quota 25,000.50 for 2026, prorated to Q1's 90 of 365 days: 616,450.68… → 616,451 cents.
    assert_eq!(s.quotas.margin, Some(Money::from_cents(616_451)));
    // O2's first appointment has no appointment logged with a contact: 0 of 1 at the top, below
    // 50%. R2's one call was not answered: no conversation, no conversation → appointment flag.
    assert_eq!(r2.top_level_contact_share, Some(0.0));
    assert_eq!(s.activity.conversation_to_appointment, None);
    assert_eq!(
        flags(r2),
        ["FirstAppointmentToNextStepLow", "FirstAppointmentToProposalLow", "TopLevelContactShareLow"]
    );
    // L2 (company) was never touched; L3 is self-generated and does not count.
    assert_eq!((r2.lead_follow_up.company_leads, r2.lead_follow_up.never_touched_share), (1, Some(1.0)));
    // R1's peers are R2 alone, who sold nothing: no comparison of revenue per sale.
    assert_eq!(card(&report, "R1").scorecard.peers.as_ref().and_then(|p| p.average_revenue_per_sale_vs_peers), None);

    let total = &report.total.scorecard;
    assert_eq!(
        (total.outcome.revenue, total.outcome.deals, total.outcome.win_rate),
        (Money::from_units(12_000), 1, Some(0.5))
    );
    assert_eq!(total.funnel.new_first_appointments, 3);
    assert_eq!(total.funnel.first_appointment_to_next_step, Some(2.0 / 3.0));
    assert_eq!(total.funnel.first_appointment_to_proposal, Some(1.0 / 3.0));
}

/// The next quarter holds none of Q1's closes; the subject can be a single rep or a territory.
fn other_periods_and_subjects(test: &mut TestDb) {
    let q2 = report(test, Subject::Rep("R1".into()), "2026-Q2", "2026-06-30");
    let s = &q2.reps[0].scorecard;
    assert_eq!((s.outcome.deals, s.outcome.win_rate, s.funnel.new_first_appointments), (0, None, 0));
    let org = test_org(test);
    let march = kpi::report(
        &mut test.db,
        org,
        &ReportRequest {
            subject: Subject::Territory("T1".into()),
            period: "2026-03-31..2026-04-01".parse().unwrap_or_else(|e| panic!("{e}")),
            as_of: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(),
            lang: Lang::from_tag("de").expect("German"),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Territory T1 is R1's; the single day 31 March holds O1's close.
    assert_eq!(march.reps.len(), 1);
    assert_eq!(march.total.scorecard.outcome.deals, 1);
    let missing = kpi::report(
        &mut test.db,
        org,
        &ReportRequest { subject: Subject::Team("NOPE".into()), ..request_like(&march) },
    );
    assert!(missing.is_err_and(|e| e.to_string().contains("'NOPE'")));
}

fn test_org(test: &mut TestDb) -> quotient_store::orgs::OrgId {
    test.org("acme").id
}

fn request_like(report: &Report) -> ReportRequest {
    ReportRequest {
        subject: Subject::Organisation,
        period: report.period.parse().unwrap_or_else(|e| panic!("{e}")),
        as_of: report.as_of,
        lang: Lang::ENGLISH,
    }
}

/// The one rule of a report's subject: each role's default, and what is out of reach refused
/// alike, whether named by id or by external id, or naming no one.
fn a_report_is_on_a_subject_within_reach(test: &mut TestDb) {
    use quotient_core::model::UserRole;
    use quotient_store::ops::reports::{self, Named, ReportOn, SubjectRequest};
    use quotient_store::{Code, StoreError};
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let directory = kpi::Directory::load(&mut test.db, org.id).unwrap_or_else(|e| panic!("{e}"));
    let operator = quotient_store::access::Viewer::operator(org.id, &directory);
    let manager = common::viewer_of(test, &org, "M1", UserRole::Manager);
    let rep = common::viewer_of(test, &org, "R1", UserRole::Rep);
    let subject = |scope, asked: SubjectRequest| reports::subject(scope, &directory, &asked);
    assert_eq!(subject(&operator, SubjectRequest::Own).ok(), Some(Subject::Organisation));
    assert_eq!(subject(&manager, SubjectRequest::Own).ok(), Some(Subject::Team("M1".into())));
    assert_eq!(subject(&rep, SubjectRequest::Own).ok(), Some(Subject::Rep("R1".into())));
    assert_eq!(subject(&rep, SubjectRequest::Peers).ok(), Some(Subject::Team("M1".into())));
    let r2 = directory.people.iter().find(|p| p.external_id == "R2").map(|p| p.id).unwrap_or(-1);
    assert_eq!(subject(&manager, SubjectRequest::Rep(Named::Id(RepId(r2)))).ok(), Some(Subject::Rep("R2".into())));
    assert_eq!(subject(&operator, SubjectRequest::Territory("T1".into())).ok(), Some(Subject::Territory("T1".into())));
    let refused = |result: Result<Subject, StoreError>| -> Vec<(&str, Code)> {
        match result {
            Err(StoreError::Refused(refusals)) => refusals.iter().map(|r| (r.field, r.code)).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    let out_of_reach = vec![("subject", Code::SubjectOutOfReach)];
    for (scope, asked) in [
        (&rep, SubjectRequest::Rep(Named::Id(RepId(r2)))),
        (&rep, SubjectRequest::Rep(Named::Key("R2".into()))),
        (&manager, SubjectRequest::Team(Named::Key("E1".into()))),
        (&manager, SubjectRequest::Organisation),
        (&manager, SubjectRequest::ProductLine("PL1".into())),
        (&operator, SubjectRequest::Rep(Named::Key("R9".into()))),
        (&operator, SubjectRequest::Team(Named::Id(RepId(999_999)))),
    ] {
        assert_eq!(refused(subject(scope, asked.clone())), out_of_reach, "{asked:?}");
    }
    // The report is the subject's.
    let request = ReportOn {
        subject: SubjectRequest::Own,
        period: "2026-Q1".parse().unwrap_or_else(|e| panic!("{e}")),
        as_of: "2026-03-31".parse::<NaiveDate>().unwrap_or_else(|e| panic!("{e}")),
        lang: Lang::ENGLISH,
    };
    let report = reports::report(&mut test.db, &manager, &directory, &request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.reps.iter().map(|c| c.rep_id.clone().unwrap_or_default()).collect::<Vec<_>>(), ["R1", "R2"]);
}

/// The estimates standard asks a week for its share of the month, and judges only the months
/// begun.
fn estimates_month_by_month(test: &mut TestDb) {
    // 2026-W11 (9–15 March): Storage's March deal quota of 1 × 7/31 days = 0.23, × 3 = 0.68: 1
    // estimate (it asked 3, the whole month's, before). Networking has none: 1. None issued.
    let week = report(test, Subject::Rep("R1".into()), "2026-W11", "2026-03-15");
    assert_eq!(
        estimates(&week.reps[0]),
        [
            "estimates for Storage: 0 of 1 — short by 1 in 2026-03",
            "estimates for Networking, wireless: 0 of 1 — short by 1 in 2026-03",
        ]
    );
    // Q1 on 14 February: March has not begun, so its deal quota asks nothing yet. January lacks
    // one estimate on each line; February has E1 and E2.
    let quarter = report(test, Subject::Rep("R1".into()), "2026-Q1", "2026-02-14");
    assert_eq!(
        estimates(&quarter.reps[0]),
        [
            "estimates for Storage: 1 of 2 — short by 1 in 2026-01",
            "estimates for Networking, wireless: 1 of 2 — short by 1 in 2026-01",
        ]
    );
    // A product line report judges its own line only.
    let storage = report(test, Subject::ProductLine("PL1".into()), "2026-02", "2026-02-28");
    assert_eq!(estimates(&storage.total), ["estimates for Storage: 1 of 1"]);
}

/// Each week of the barometer is held to the magic number of its start, the week in progress to
/// the working days elapsed.
fn barometer_week_by_week(test: &mut TestDb) {
    // R1 in March 2026 on Tuesday 31 March: revenue quota 10,000, nothing won before O1 on 31
    // March. The team's trailing rates (R1 closed 1 deal, fewer than 5): 12,000 per sale,
    // first appointment → proposal 1 of 3 (O1 of O1, O2, O3), closing 1 of 1: 10,000 ÷ 12,000 ÷
    // (1/3 × 1) = 2.5 first appointments to find, spread over the weeks remaining at each
    // week's start.
    let march = report(test, Subject::Rep("R1".into()), "2026-03", "2026-03-31");
    let s = &march.reps[0].scorecard;
    let starts: Vec<String> = s.barometer_weeks.iter().map(|w| w.start.to_string()).collect();
    assert_eq!(starts, ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]);
    // Days from the week's start (the period's, for the week of 23 February) to 1 April: 31, 30,
    // 23, 16, 9; the last week has 2 days left, at least 1 week, and on Tuesday 2 of its 5
    // working days are gone: 2.5 × 2/5 = 1.
    let expected =
        [2.5 / (31.0 / 7.0), 2.5 / (30.0 / 7.0), 2.5 / (23.0 / 7.0), 2.5 / (16.0 / 7.0), 2.5 / (9.0 / 7.0), 1.0];
    for (week, goal) in s.barometer_weeks.iter().zip(expected) {
        assert!((week.goal.unwrap_or_default() - goal).abs() < 1e-9, "{week:?} against {goal}");
    }
    // O3's first appointment on 4 March is the only one: 1 ÷ 0.583 = 171.4% that week, 0% the
    // others; the mean of six weeks is 28.6%.
    let pct = s.barometer_pct.unwrap_or_default();
    assert!((pct - 100.0 / (2.5 / (30.0 / 7.0)) / 6.0).abs() < 1e-9, "{pct}");
    // 30 March – 13 April on Tuesday 7 April: March's quota prorated to 2 of its 31 days, 645.16;
    // O1's 12,000 won on 31 March leaves nothing for the week of 6 April, which has no goal and is
    // left out; the first week, with none of its goal held, reads 0%.
    let range = report(test, Subject::Rep("R1".into()), "2026-03-30..2026-04-14", "2026-04-07");
    let s = &range.reps[0].scorecard;
    assert_eq!(s.barometer_weeks.len(), 2);
    assert_eq!(s.barometer_weeks[1].goal, None);
    assert_eq!((s.barometer_weeks[0].pct, s.barometer_pct), (Some(0.0), Some(0.0)));
}

/// The breakdowns by gateway type, lead source and lost reason of the fixture's Q1.
fn breakdowns_by_segment(test: &mut TestDb) {
    use quotient_core::model::UserRole;
    use quotient_store::ops::reports::{self, SubjectRequest};
    use quotient_store::{Code, StoreError};
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let directory = kpi::Directory::load(&mut test.db, org.id).unwrap_or_else(|e| panic!("{e}"));
    let operator = quotient_store::access::Viewer::operator(org.id, &directory);
    let q1 = reports::BreakdownsOn {
        subject: SubjectRequest::Organisation,
        period: "2026-Q1".parse().unwrap_or_else(|e| panic!("{e}")),
    };
    let all = reports::breakdowns(&mut test.db, &operator, &directory, &q1).unwrap_or_else(|e| panic!("{e}"));
    fn row(s: &kpi::Segment) -> (&str, i64, i64, i64, i64, i64) {
        (s.key.as_str(), s.first_appointments, s.reached_gateway, s.reached_proposal, s.won, s.lost)
    }
    // O2 has no gateway type (first appointment 5 Feb, lost 1 Mar); O1 a demo (10 Jan, gateway,
    // proposal, won 31 Mar for 12,000); O3 a trial (4 Mar, gateway, open).
    assert_eq!(
        all.by_gateway_type.iter().map(row).collect::<Vec<_>>(),
        [("", 1, 0, 0, 0, 1), ("demo", 1, 1, 1, 1, 0), ("trial", 1, 1, 0, 0, 0)]
    );
    let demo = &all.by_gateway_type[1];
    assert_eq!(
        (demo.name.as_str(), demo.revenue, demo.win_rate),
        ("On-site demo", Money::from_units(12_000), Some(1.0))
    );
    assert_eq!(demo.average_revenue_per_sale_cents, Some(1_200_000.0));
    assert_eq!(all.by_gateway_type[2].win_rate, None, "nothing closed");
    // O1 came from L1, a company lead; O2 and O3 from no lead: 2 first appointments, O3 at the
    // gateway, O2 lost: win rate 0 of 1.
    assert_eq!(
        all.by_lead_source.iter().map(row).collect::<Vec<_>>(),
        [("", 2, 1, 0, 0, 1), ("company", 1, 1, 1, 1, 0)]
    );
    assert_eq!(all.by_lead_source[0].win_rate, Some(0.0));
    // O2 lost for "price": 8,000.25.
    assert_eq!(all.by_lost_reason.len(), 1);
    let price = &all.by_lost_reason[0];
    assert_eq!((price.reason.as_str(), price.lost, price.amount), ("price", 1, Money::from_cents(800_025)));
    // A rep's own: R1 has O1 and O3, nothing lost.
    let rep = common::viewer_of(test, &org, "R1", UserRole::Rep);
    let own = reports::BreakdownsOn { subject: SubjectRequest::Own, ..q1.clone() };
    let r1 = reports::breakdowns(&mut test.db, &rep, &directory, &own).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r1.by_gateway_type.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(), ["demo", "trial"]);
    assert!(r1.by_lost_reason.is_empty());
    // A rep may not break down the organisation.
    let refused = reports::breakdowns(&mut test.db, &rep, &directory, &q1);
    assert!(matches!(refused, Err(StoreError::Refused(r)) if r[0].code == Code::SubjectOutOfReach));
    // Q2 holds none of it.
    let q2 = reports::BreakdownsOn { period: "2026-Q2".parse().unwrap_or_else(|e| panic!("{e}")), ..q1 };
    let empty = reports::breakdowns(&mut test.db, &operator, &directory, &q2).unwrap_or_else(|e| panic!("{e}"));
    assert!(empty.by_gateway_type.is_empty() && empty.by_lead_source.is_empty() && empty.by_lost_reason.is_empty());
}

/// The report written card by card is the report: the same JSON, the cards in the same order.
fn cards_made_as_written_are_the_report(test: &mut TestDb) {
    let whole = report(test, Subject::Organisation, "2026-Q1", "2026-02-14");
    let org = test_org(test);
    let directory = kpi::Directory::load(&mut test.db, org).unwrap_or_else(|e| panic!("{e}"));
    let request = request_like(&whole);
    let scorecards = kpi::Scorecards::read(&mut test.db, org, &directory, &request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scorecards.reps().len(), 2, "R1 and R2");
    assert_eq!(json(&scorecards), json(&whole));
    let head = scorecards.head();
    assert!(head.reps.is_empty());
    assert_eq!(json(&head.total), json(&whole.total));
    let r2 = scorecards.card(scorecards.reps()[1]);
    assert_eq!(json(&r2), json(card(&whole, "R2")));
}

/// A report of many reps makes its cards on two threads: it is the cards made one at a time, in
/// the same order, with the same total.
fn a_large_report_is_its_cards_made_one_at_a_time(test: &mut TestDb) {
    let (mut reps, mut opportunities) = (String::new(), String::new());
    for n in 100..180 {
        reps.push_str(&format!("R{n},Rep {n},r{n}@example.com,M1,T1,rep,2024-01-01\n"));
        // Every other rep wins a deal of their own, of a size of their own.
        if n % 2 == 0 {
            opportunities.push_str(&format!(
                "O{n},A1,R{n},PL1,Deal {n},{n}00,,2026-01-05T10:00:00Z,2026-02-27,2026-01-08T10:00:00Z,,,,\
                 2026-02-02T10:00:00Z,won,won,,\n"
            ));
        }
    }
    let org = import_valid_with(test, &reps, &opportunities);
    let request = ReportRequest {
        subject: Subject::Organisation,
        period: "2026-Q1".parse().unwrap_or_else(|e| panic!("{e}")),
        as_of: "2026-03-14".parse().unwrap_or_else(|e| panic!("{e}")),
        lang: Lang::ENGLISH,
    };
    let directory = kpi::Directory::load(&mut test.db, org).unwrap_or_else(|e| panic!("{e}"));
    let whole = kpi::report_with(&mut test.db, org, &directory, &request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(whole.reps.len(), 82, "R1, R2 and 80 more");
    let added_winners = whole
        .reps
        .iter()
        .filter(|card| card.rep_id.as_deref().is_some_and(|id| id.len() == 4) && card.scorecard.outcome.deals == 1);
    assert_eq!(added_winners.count(), 40);
    let scorecards = kpi::Scorecards::read(&mut test.db, org, &directory, &request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json(&scorecards), json(&whole));
}

/// The pipeline is summed per rep by the database, each opportunity weighted to the cent as core's
/// `weighted_amount` weighs it (half a cent up), as of today and as of a past day.
fn the_pipeline_weighs_each_opportunity_to_the_cent(test: &mut TestDb) {
    let mut opportunities = String::new();
    // (amount, stage, expected close): prospect weighs 5 %, qualified 10 %.
    let open = [
        ("0.10", "prospect", "2026-03-20"),
        ("0.30", "prospect", "2026-03-20"),
        ("0.09", "prospect", "2026-03-20"),
        ("0.05", "qualified", "2026-03-31"),
        ("0.15", "qualified", "2026-04-01"),
        ("0.04", "qualified", "2026-06-30"),
        ("123.45", "prospect", ""),
        // Its amount × probability is past 64 bits: the sum must not overflow.
        ("100000000000000.05", "qualified", ""),
    ];
    for (n, (amount, stage, close)) in open.iter().enumerate() {
        opportunities.push_str(&format!(
            "P{n},A1,R90,PL1,Deal {n},{amount},,2026-01-05T10:00:00Z,{close},,,,,,open,{stage},,\n"
        ));
    }
    let org = import_valid_with(test, "R90,Rep 90,r90@example.com,M1,T1,rep,2024-01-01\n", &opportunities);
    // Core's rule, one opportunity at a time: 0.5 → 1, 1.5 → 2, 0.45 → 0, 0.5 → 1, 1.5 → 2, 0.4 → 0,
    // 617.25 → 617 cents, and a tenth of 10,000,000,000,000,005 cents, 0.5 → 1.
    let huge = 10_000_000_000_000_005;
    let core: Money =
        [(10, 500), (30, 500), (9, 500), (5, 1_000), (15, 1_000), (4, 1_000), (12_345, 500), (huge, 1_000)]
            .into_iter()
            .map(|(cents, bp)| quotient_core::kpi::weighted_amount(Money::from_cents(cents), bp))
            .sum();
    assert_eq!(core, Money::from_cents(623 + 1_000_000_000_000_001));
    let today = chrono::Utc::now().date_naive().to_string();
    for as_of in ["2026-03-14", today.as_str()] {
        let whole = report_on(test, org, Subject::Rep("R90".into()), "2026-Q1", as_of);
        let pipeline = &card(&whole, "R90").scorecard.pipeline;
        assert_eq!((pipeline.open_opportunities, pipeline.pipeline), (8, Money::from_cents(12_418 + huge)), "{as_of}");
        assert_eq!(pipeline.weighted, core, "{as_of}");
        // Expected to close by 31 March, the quarter's last day: 10 + 30 + 9 + 5 cents.
        assert_eq!(pipeline.due_in_period, Money::from_cents(54), "{as_of}");
    }
    // Prospect to 15 %: the open opportunities at it weigh 1.5 → 2, 4.5 → 5, 1.35 → 1 and
    // 1,851.75 → 1,852 cents, now and on the past day (weighed with the probabilities of today);
    // the rollups moved are what a rebuild makes of them.
    let directory = kpi::Directory::load(&mut test.db, org).unwrap_or_else(|e| panic!("{e}"));
    let admin = quotient_store::access::Viewer::operator(org, &directory);
    let prospect = quotient_store::crm::pipeline_config::StageInput {
        key: "prospect".into(),
        name: "Prospect".into(),
        probability_pct: "15".into(),
        ..Default::default()
    };
    quotient_store::ops::settings::save_stage(&mut test.db, &admin, &prospect).unwrap_or_else(|e| panic!("{e}"));
    let qualified = [(5, 1_000), (15, 1_000), (4, 1_000), (huge, 1_000)]
        .into_iter()
        .map(|(cents, bp)| quotient_core::kpi::weighted_amount(Money::from_cents(cents), bp))
        .sum::<Money>();
    let prospects = Money::from_cents(2 + 5 + 1 + 1_852);
    for as_of in ["2026-03-14", today.as_str()] {
        let whole = report_on(test, org, Subject::Rep("R90".into()), "2026-Q1", as_of);
        assert_eq!(card(&whole, "R90").scorecard.pipeline.weighted, qualified + prospects, "{as_of}");
    }
    let moved = kpi::snapshot(&mut test.db, org).unwrap_or_else(|e| panic!("{e}"));
    kpi::rebuild(&mut test.db, org).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kpi::snapshot(&mut test.db, org).unwrap_or_else(|e| panic!("{e}")), moved);
}

/// A deal's cycle days are calendar days (UTC), as the rollups count them: an hour across
/// midnight is a day, a day's 23 hours and 40 minutes within it none.
fn cycle_days_are_calendar_days(test: &mut TestDb) {
    let mut opportunities = String::new();
    for (n, (created, closed)) in
        [("2026-02-01T23:30:00Z", "2026-02-02T00:30:00Z"), ("2026-02-03T00:10:00Z", "2026-02-03T23:50:00Z")]
            .iter()
            .enumerate()
    {
        opportunities.push_str(&format!("W{n},A1,R91,PL1,Won {n},100,,{created},,,,,,{closed},won,won,,\n"));
    }
    let org = import_valid_with(test, "R91,Rep 91,r91@example.com,M1,T1,rep,2024-01-01\n", &opportunities);
    // 1 and 0 days: the median and the mean (from the rollups) both 0.5.
    let whole = report_on(test, org, Subject::Rep("R91".into()), "2026-Q1", "2026-03-31");
    let s = &card(&whole, "R91").scorecard;
    assert_eq!((s.median_cycle_days, s.outcome.mean_cycle_days), (Some(0.5), Some(0.5)));
}

/// The valid fixture with `reps` and `opportunities` (CSV lines) added to its files, imported
/// into a new organisation.
fn import_valid_with(test: &mut TestDb, reps: &str, opportunities: &str) -> quotient_store::orgs::OrgId {
    let bundle = common::fixture_copy("valid");
    for (file, added) in [("reps.csv", reps), ("opportunities.csv", opportunities)] {
        let path = bundle.path().join(file);
        let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        text.push_str(added);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    let org = test_org(test);
    bundle::import(&mut test.db, org, bundle.path(), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    org
}

fn report_on(
    test: &mut TestDb,
    org: quotient_store::orgs::OrgId,
    subject: Subject,
    period: &str,
    as_of: &str,
) -> Report {
    let request = ReportRequest {
        subject,
        period: period.parse().unwrap_or_else(|e| panic!("{e}")),
        as_of: as_of.parse::<NaiveDate>().unwrap_or_else(|e| panic!("{e}")),
        lang: Lang::ENGLISH,
    };
    kpi::report(&mut test.db, org, &request).unwrap_or_else(|e| panic!("{e}"))
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| panic!("{e}"))
}

on_both_backends!(
    cycle_days_are_calendar_days,
    cards_made_as_written_are_the_report,
    a_large_report_is_its_cards_made_one_at_a_time,
    team_quarter,
    other_periods_and_subjects,
    a_report_is_on_a_subject_within_reach,
    estimates_month_by_month,
    barometer_week_by_week,
    breakdowns_by_segment,
    the_pipeline_weighs_each_opportunity_to_the_cent
);

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
    let request = ReportRequest {
        subject,
        period: period.parse().unwrap_or_else(|e| panic!("{e}")),
        as_of: as_of.parse::<NaiveDate>().unwrap_or_else(|e| panic!("{e}")),
        lang: Lang::ENGLISH,
    };
    kpi::report(&mut test.db, org.id, &request).unwrap_or_else(|e| panic!("{e}"))
}

fn card<'r>(report: &'r Report, rep: &str) -> &'r Card {
    report.reps.iter().find(|c| c.rep_id.as_deref() == Some(rep)).unwrap_or_else(|| panic!("no card for {rep}"))
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
    assert_eq!(s.barometer_pct, None);
    // Only the 50% first-appointment → proposal ratio is below its threshold (60%); 1 of 2 first
    // appointments at the top (O1 with C1, authority 5) is not below 50%.
    assert_eq!(flags(r1), ["FirstAppointmentToProposalLow"]);
    assert_eq!(r1.top_level_contact_share, Some(0.5));
    // L1, a company lead, was touched 6.5 hours after it came in.
    assert_eq!((r1.lead_follow_up.company_leads, r1.lead_follow_up.touched_within_48h_share), (1, Some(1.0)));
    // Estimates: PL1 has a deal quota of 1 in March: 3 × 1 required, 1 issued.
    let estimates: Vec<&str> = r1
        .standards
        .iter()
        .filter(|e| e.standard.key() == "estimates_per_product_line")
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(estimates, ["estimates for Storage: 1 of 3"]);

    let r2 = card(&report, "R2");
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

on_both_backends!(team_quarter, other_periods_and_subjects, a_report_is_on_a_subject_within_reach);

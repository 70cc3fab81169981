//! Standards at team level: satisfaction scores entered by hand and judged per account, demos per
//! product line, and a report broken down by teams — on SQLite and PostgreSQL.

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::{TestDb, fixture, refused, viewer_of};
use quotient_core::model::{ActivityType, UserRole};
use quotient_core::period::PeriodKind;
use quotient_core::{Lang, Period};
use quotient_store::access::Viewer;
use quotient_store::bundle::{self, Silent};
use quotient_store::crm::forms;
use quotient_store::crm::values::Values;
use quotient_store::ids::{AccountId, OpportunityId, RecordId};
use quotient_store::kpi::{self, Card, Report, ReportRequest, Subject};
use quotient_store::ops::activities::{self, LogActivity};
use quotient_store::ops::feedback::{self, COMMENT_MAX, EnterFeedback};
use quotient_store::ops::records::{self, Unsent, UpdateRecord};
use quotient_store::{Code, StoreError, Value, audit};

fn imported(test: &mut TestDb) -> quotient_store::orgs::Organisation {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    org
}

fn id_of(test: &mut TestDb, table: &str, key: &str) -> i64 {
    test.db
        .query_i64(&format!("SELECT id FROM {table} WHERE external_id = ?"), &[Value::text(key)])
        .unwrap_or_else(|e| panic!("{e}"))
}

fn report(test: &mut TestDb, org: &quotient_store::orgs::Organisation, subject: Subject, period: Period) -> Report {
    let request = ReportRequest { subject, period, as_of: period.end() - Duration::days(1), lang: Lang::ENGLISH };
    kpi::report(&mut test.db, org.id, &request).unwrap_or_else(|e| panic!("{e}"))
}

fn this_month() -> Period {
    Period::containing(PeriodKind::Month, Utc::now().date_naive())
}

fn satisfaction(card: &Card) -> Option<(bool, Vec<String>, String)> {
    card.standards
        .iter()
        .find(|e| e.standard.key() == "customer_satisfaction")
        .map(|e| (e.passed, e.accounts.clone(), e.text.clone()))
}

fn score(account: i64, score: i64, on: NaiveDate) -> EnterFeedback {
    EnterFeedback { account: AccountId(account), received_on: on, score, comment: Some("  said so  ".into()) }
}

fn feedback_entered_by_hand_names_an_unhappy_account_at_the_next_read(test: &mut TestDb) {
    let org = imported(test);
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let a1 = id_of(test, "accounts", "A1");
    let today = Utc::now().date_naive();
    // Nothing this month yet: the standard has nothing to judge.
    let before = report(test, &org, Subject::Rep("R1".into()), this_month());
    assert_eq!(satisfaction(&before.reps[0]), None);

    let id = feedback::enter_feedback(&mut test.db, &r1, &score(a1, 5, today)).unwrap_or_else(|e| panic!("{e}"));
    // One score of 5 on Acme: the mean 5 < 8, and Acme is named.
    let after = report(test, &org, Subject::Rep("R1".into()), this_month());
    assert_eq!(after.reps[0].customer_satisfaction.mean_score, Some(5.0));
    assert_eq!(
        satisfaction(&after.reps[0]),
        Some((false, vec!["Acme, Inc.".to_string()], "customer satisfaction: 5 of 8; below target: Acme, Inc.".into()))
    );
    // A second score of the same account, rep and day replaces the first: 9 alone, met.
    let again = feedback::enter_feedback(&mut test.db, &r1, &score(a1, 9, today)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, id);
    let replaced = report(test, &org, Subject::Rep("R1".into()), this_month());
    assert_eq!(replaced.reps[0].customer_satisfaction.responses, 1);
    assert_eq!(satisfaction(&replaced.reps[0]).map(|s| (s.0, s.1)), Some((true, vec![])));
    // Filed under the account's rep, the comment trimmed; both writes audited with the caller.
    let row = test
        .db
        .query_map("SELECT rep_id, score, comment FROM feedback WHERE id = ?", &[Value::Int(id.get())], |row| {
            Ok((row.int(0)?, row.int(1)?, row.text(2)?.map(str::to_string)))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(row, [(Some(id_of(test, "reps", "R1")), Some(9), Some("said so".to_string()))]);
    let history = audit::history(&mut test.db, org.id, "feedback", id.get()).unwrap_or_else(|e| panic!("{e}"));
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    assert!(history.iter().all(|e| e.user == Some(r1.user)));
}

/// The responses and unhappy accounts of each rep's card, by rep.
fn satisfaction_by_rep(report: &Report) -> Vec<(String, usize, Vec<String>)> {
    let unhappy = |card: &Card| satisfaction(card).map(|s| s.1).unwrap_or_default();
    report
        .reps
        .iter()
        .map(|card| (card.rep_id.clone().unwrap_or_default(), card.customer_satisfaction.responses, unhappy(card)))
        .collect()
}

fn an_account_handed_to_another_rep_takes_its_scores_with_it(test: &mut TestDb) {
    let org = imported(test);
    // feedback.csv: Acme (R1's) scored 9 and 6 on 2 April, a mean of 7.5 below the target of 8;
    // Globex (R2's) 0 in March, another quarter.
    let q2 = Period::containing(PeriodKind::Quarter, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default());
    let acme = || vec!["Acme, Inc.".to_string()];
    let by_rep = |test: &mut TestDb| {
        let report = report(test, &org, Subject::Team("M1".into()), q2);
        let total = satisfaction(&report.total).map(|s| s.1);
        (satisfaction_by_rep(&report), report.total.customer_satisfaction.responses, total)
    };
    let (r1, r2) = ("R1".to_string(), "R2".to_string());
    assert_eq!(by_rep(test), (vec![(r1.clone(), 2, acme()), (r2.clone(), 0, vec![])], 2, Some(acme())));

    // Their manager hands Acme to R2: its scores are R2's now, in the team's total once still.
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let a1 = id_of(test, "accounts", "A1");
    let owner: Values = [("owner".to_string(), id_of(test, "reps", "R2").to_string())].into();
    let command = UpdateRecord {
        form: forms::form("accounts").unwrap_or_else(|| panic!("the accounts' form")),
        id: RecordId(a1),
        values: owner,
        unsent: Unsent::Kept,
        lang: Lang::ENGLISH,
    };
    records::update(&mut test.db, &m1, &command).unwrap_or_else(|e| panic!("{e}"));
    let handed = (vec![(r1.clone(), 0, vec![]), (r2.clone(), 2, acme())], 2, Some(acme()));
    assert_eq!(by_rep(test), handed);

    // The rebuild sets each score's owner from its account as well (as after an import).
    test.db.execute("UPDATE feedback SET account_owner_id = NULL", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_rep(test).1, 0, "no score has an owner");
    test.db.transaction(|db| kpi::rebuild(db, org.id)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_rep(test), handed);
}

fn bad_feedback_is_refused_field_by_field_and_nothing_is_written(test: &mut TestDb) {
    let org = imported(test);
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let a1 = id_of(test, "accounts", "A1");
    let tomorrow = Utc::now().date_naive() + Duration::days(1);
    let rows = test.count("feedback", &org);
    let audited = test.count("audit_log", &org);
    let bad = EnterFeedback {
        account: AccountId(a1),
        received_on: tomorrow,
        score: 11,
        comment: Some("x".repeat(COMMENT_MAX + 1)),
    };
    assert_eq!(
        refused(feedback::enter_feedback(&mut test.db, &m1, &bad)),
        [("score", Code::NumberOutOfRange), ("received_on", Code::DateInFuture), ("comment", Code::TooLong)]
    );
    let negative = score(a1, -1, Utc::now().date_naive());
    assert_eq!(refused(feedback::enter_feedback(&mut test.db, &m1, &negative)), [("score", Code::NumberOutOfRange)]);
    assert_eq!((test.count("feedback", &org), test.count("audit_log", &org)), (rows, audited));
}

fn the_accounts_rep_their_managers_and_admins_enter_feedback(test: &mut TestDb) {
    let org = imported(test);
    let a1 = id_of(test, "accounts", "A1");
    let today = Utc::now().date_naive();
    let enter = |test: &mut TestDb, who: &Viewer, account: i64| {
        feedback::enter_feedback(&mut test.db, who, &score(account, 7, today)).map(|_| ())
    };
    let r2 = viewer_of(test, &org, "R2", UserRole::Rep);
    assert_eq!(refused(enter(test, &r2, a1)), [("account_id", Code::AccountOutOfReach)], "R1's account");
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    assert!(enter(test, &m1, a1).is_ok(), "R1's manager");
    assert_eq!(refused(enter(test, &m1, 999_999)), [("account_id", Code::AccountOutOfReach)], "no such account");
    let e1 = viewer_of(test, &org, "E1", UserRole::Executive);
    assert!(matches!(enter(test, &e1, a1), Err(StoreError::NotPermitted)), "an executive reads scores");
    let admin = viewer_of(test, &org, "R1", UserRole::Admin);
    assert!(enter(test, &admin, a1).is_ok(), "an admin");
    // Another organisation's callers: the web's access matrix.
}

fn demos_are_counted_per_product_line_the_rep_sells(test: &mut TestDb) {
    let org = imported(test);
    // 2026-Q1: R1 sells Storage (a March deal quota, O1) and Networking (O3, created in March),
    // with no demo: 1 a month × 3 months = 3 required of each, 0 given.
    let q1 = "2026-Q1".parse().unwrap_or_else(|e| panic!("{e}"));
    let quarter = report(test, &org, Subject::Rep("R1".into()), q1);
    let demos = |card: &Card| -> Vec<(String, bool)> {
        card.standards
            .iter()
            .filter(|e| e.standard.key() == "demos_per_product_line")
            .map(|e| (e.text.clone(), e.passed))
            .collect()
    };
    assert_eq!(
        demos(&quarter.reps[0]),
        [("demos of Networking, wireless: 0 of 3".to_string(), false), ("demos of Storage: 0 of 3".to_string(), false)]
    );
    // A demo on O3 now: this month R1 still sells both lines (Storage from Q1's O1 and E1, within
    // the trailing 12 months), 1 demo required of each: Networking's (the demo's line) is met,
    // Storage's is not.
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let o3 = id_of(test, "opportunities", "O3");
    let demo = LogActivity {
        rep: None,
        kind: ActivityType::Demo,
        occurred_at: Utc::now() - Duration::minutes(5),
        opportunity: Some(OpportunityId(o3)),
        outcome: None,
    };
    activities::log(&mut test.db, &r1, &demo).unwrap_or_else(|e| panic!("{e}"));
    let month = report(test, &org, Subject::Rep("R1".into()), this_month());
    assert_eq!(
        demos(&month.reps[0]),
        [("demos of Networking, wireless: 1 of 1".to_string(), true), ("demos of Storage: 0 of 1".to_string(), false)]
    );
}

fn a_report_breaks_down_by_teams_one_level_at_a_time(test: &mut TestDb) {
    let org = imported(test);
    let q1: Period = "2026-Q1".parse().unwrap_or_else(|e| panic!("{e}"));
    let request =
        |subject| ReportRequest { subject, period: q1, as_of: q1.end() - Duration::days(1), lang: Lang::ENGLISH };
    let teams = |test: &mut TestDb, subject| {
        let directory = kpi::Directory::load(&mut test.db, org.id).unwrap_or_else(|e| panic!("{e}"));
        kpi::teams_report(&mut test.db, org.id, &directory, &request(subject)).unwrap_or_else(|e| panic!("{e}"))
    };
    let flat = report(test, &org, Subject::Organisation, q1);
    let names = |cards: &[Card]| cards.iter().map(|c| c.name.clone()).collect::<Vec<_>>();

    // The organisation: E1 is the top (M1 reports to E1; R1 and R2 to M1): one team of 2 reps,
    // no rep reporting directly, the total the organisation's.
    let top = teams(test, Subject::Organisation);
    let team_names: Vec<&str> = top.teams.iter().map(|t| t.card.name.as_str()).collect();
    assert_eq!(team_names, ["Eva Lund"]);
    assert_eq!(top.teams[0].reps, 2);
    assert!(top.report.reps.is_empty() && top.path.is_empty());
    // Revenue: O1's 12,000 won on 31 March, the team's as the organisation's.
    assert_eq!(top.teams[0].card.scorecard.outcome.revenue, flat.total.scorecard.outcome.revenue);
    assert_eq!(top.report.total.scorecard.outcome.revenue, quotient_core::Money::from_units(12_000));
    // Flags and standards summed over the reps: R1 two flags (first appointment → proposal, the
    // barometer), R2 three (its funnel, the barometer, the top-level-contact share).
    let flags: usize = flat.reps.iter().map(|c| c.scorecard.flags.len()).sum();
    let met: usize = flat.reps.iter().map(|c| c.standards_met().0).sum();
    let evaluated: usize = flat.reps.iter().map(|c| c.standards_met().1).sum();
    assert_eq!(flags, 5);
    assert_eq!((top.teams[0].flags, top.teams[0].standards_met, top.teams[0].standards), (flags, met, evaluated));
    assert_eq!((top.flags, top.standards_met, top.standards), (flags, met, evaluated));

    // E1's team: M1's team under it, the way back up through E1.
    let e1 = teams(test, Subject::Team("E1".into()));
    let team_names: Vec<&str> = e1.teams.iter().map(|t| t.card.name.as_str()).collect();
    assert_eq!(team_names, ["Max Weber"]);
    let path: Vec<&str> = e1.path.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(path, ["Eva Lund"]);

    // M1's team: no team under it, its two reps directly, their figures as in the flat report.
    let m1 = teams(test, Subject::Team("M1".into()));
    assert!(m1.teams.is_empty());
    assert_eq!(names(&m1.report.reps), names(&flat.reps));
    assert_eq!(m1.report.reps[0].scorecard.outcome.revenue, flat.reps[0].scorecard.outcome.revenue);
    let path: Vec<&str> = m1.path.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(path, ["Eva Lund", "Max Weber"]);
}

on_both_backends!(
    feedback_entered_by_hand_names_an_unhappy_account_at_the_next_read,
    an_account_handed_to_another_rep_takes_its_scores_with_it,
    bad_feedback_is_refused_field_by_field_and_nothing_is_written,
    the_accounts_rep_their_managers_and_admins_enter_feedback,
    demos_are_counted_per_product_line_the_rep_sells,
    a_report_breaks_down_by_teams_one_level_at_a_time,
);

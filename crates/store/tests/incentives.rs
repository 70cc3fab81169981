//! Incentives on SQLite and PostgreSQL: a year's plans saved and replaced (refused with the JSON
//! path of every problem), the statements of a small organisation computed by hand, the approve →
//! lock lifecycle by role, locked statements that never change (in the operations and in the
//! database), a deal lost after a lock charged back on the next statement, disputes accepted and
//! rejected, earnings with what-ifs, the preview over the previous year, and the splits file.

mod common;

use common::{TestDb, ok, refused, viewer_of};
use quotient_core::Period;
use quotient_core::model::UserRole;
use quotient_store::access::Viewer;
use quotient_store::bundle::{self, ImportError};
use quotient_store::ids::RepId;
use quotient_store::incentives::inputs;
use quotient_store::incentives::sheet::{StatementSheet, StatementState};
use quotient_store::kpi::Directory;
use quotient_store::ops::incentives::{
    self, DisputeLine, Resolution, ResolveDispute, SavePlans, StatementRef, StatementsOf,
};
use quotient_store::ops::reports::{Named, SubjectRequest};
use quotient_store::orgs::Organisation;
use quotient_store::{Code, StoreError, Value};
use std::path::Path;

/// E1 leads M1, who manages R1 and R2. Quotas: R1 10,000.00 revenue in January and in February,
/// R2 20,000.00 in January. Won: O1 and O2 (R1, 6,000.00 each, January), O3 (R2's, 10,000.00 in
/// January, split 50/50 with R1), O4 (R1, 5,000.00, February); O5 is R1's open deal of 4,000.00.
const REPS: &str = "rep_id,name,email,manager_id,territory_id,role,hired_on
E1,Eve Exec,e1@example.com,,,executive,
M1,Max Manager,m1@example.com,E1,,manager,
R1,Ana Rep,r1@example.com,M1,,rep,
R2,Bo Rep,r2@example.com,M1,,rep,
";
const OPPORTUNITIES: &str = "opportunity_id,owner_id,product_line_id,name,amount,created_at,closed_at,status
O1,R1,PL1,Acme,6000,2025-01-02T09:00:00Z,2025-01-10T12:00:00Z,won
O2,R1,PL1,Globex,6000,2025-01-02T09:00:00Z,2025-01-20T12:00:00Z,won
O3,R2,PL1,Initech,10000,2025-01-02T09:00:00Z,2025-01-15T12:00:00Z,won
O4,R1,PL1,Umbrella,5000,2025-01-02T09:00:00Z,2025-02-10T12:00:00Z,won
O5,R1,PL1,Hooli,4000,2025-01-02T09:00:00Z,,open
";
const QUOTAS: &str = "rep_id,period,metric,product_line_id,target
R1,2025-01,revenue,,10000
R1,2025-02,revenue,,10000
R2,2025-01,revenue,,20000
";
const SPLITS: &str = "opportunity_id,rep_id,share_pct
O3,R2,50
O3,R1,50
";

/// A monthly commission: 5% below quota, 8% on everything from 100% attainment.
fn plans_file(year: i32, reps: &[&str]) -> String {
    let assignments: Vec<String> =
        reps.iter().map(|rep| format!(r#"{{ "rep_id": "{rep}", "from": "{year}-01-01" }}"#)).collect();
    format!(
        r#"{{ "fiscal_year": {year}, "plans": [ {{ "name": "AE {year}", "assignments": [ {} ],
          "components": [ {{ "key": "bookings", "metric": "revenue", "credit": "own", "period": "month",
            "kind": "commission", "tier_mode": "retroactive",
            "tiers": [ {{ "from": 0, "rate": "0.05" }}, {{ "from": 1, "rate": "0.08" }} ] }} ] }} ] }}"#,
        assignments.join(", ")
    )
}

fn write_bundle(dir: &Path, splits: &str) {
    let files = [
        ("reps.csv", REPS),
        ("product_lines.csv", "product_line_id,name\nPL1,Storage\n"),
        ("opportunities.csv", OPPORTUNITIES),
        ("quotas.csv", QUOTAS),
        ("opportunity_splits.csv", splits),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

struct Org {
    org: Organisation,
    operator: Viewer,
}

fn setup(test: &mut TestDb) -> Org {
    let org = test.org("acme");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_bundle(dir.path(), SPLITS);
    bundle::import(&mut test.db, org.id, dir.path(), &mut bundle::Silent).unwrap_or_else(|e| panic!("{e}"));
    let directory = ok(Directory::load(&mut test.db, org.id));
    let operator = Viewer::operator(org.id, &directory);
    Org { org, operator }
}

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn month(text: &str) -> Period {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

fn save(test: &mut TestDb, who: &Viewer, year: i32, file: &str) -> quotient_store::Result<incentives::PlansChecked> {
    incentives::save_plans(&mut test.db, who, &SavePlans { fiscal_year: year, file: file.to_string() })
}

fn rep_id(test: &mut TestDb, org: &Organisation, external: &str) -> RepId {
    let id = test
        .db
        .query_i64("SELECT id FROM reps WHERE org_id = ? AND external_id = ?", &[org.id.value(), Value::text(external)])
        .unwrap_or_else(|e| panic!("{e}"));
    RepId(id)
}

fn statements_of(
    test: &mut TestDb,
    who: &Viewer,
    period: &str,
    subject: SubjectRequest,
    today: &str,
) -> Vec<StatementSheet> {
    let query = StatementsOf { period: month(period), subject, today: day(today) };
    ok(incentives::statements(&mut test.db, who, &query))
}

fn statement(test: &mut TestDb, who: &Viewer, rep: &str, period: &str, today: &str) -> StatementSheet {
    let found = statements_of(test, who, period, SubjectRequest::Rep(Named::Key(rep.into())), today);
    assert_eq!(found.len(), 1, "{rep} {period}: {found:?}");
    found.into_iter().next().unwrap_or_else(|| unreachable!())
}

fn at(test: &mut TestDb, org: &Organisation, rep: &str, period: &str, today: &str) -> StatementRef {
    StatementRef { rep: rep_id(test, org, rep), period: month(period), today: day(today) }
}

fn saves_and_replaces_a_years_plans_audited(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    let checked = ok(save(test, &operator, 2025, &plans_file(2025, &["R1", "R2"])));
    assert_eq!((checked.plans, checked.assignments, checked.contests), (1, 2, 0));
    assert_eq!(test.count("plan_assignments", &org), 2);
    // A second file replaces the year as a whole.
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1"]).replace("AE 2025", "AE new")));
    assert_eq!(test.count("incentive_plans", &org), 1);
    assert_eq!(test.count("plan_assignments", &org), 1);
    let name = test
        .db
        .query_opt("SELECT name FROM incentive_plans WHERE org_id = ?", &[org.id.value()], |row| {
            Ok(row.text(0)?.map(str::to_string))
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten();
    assert_eq!(name.as_deref(), Some("AE new"));
    let saved = ok(incentives::plans_file(&mut test.db, &operator, 2025)).unwrap_or_default();
    assert!(saved.contains("AE new"), "{saved}");
    let audit = ok(quotient_store::audit::history(&mut test.db, org.id, "incentive_plans", 2025));
    assert_eq!(audit.len(), 2, "each save is audited");
    assert!(audit[1].before.is_some() && audit[1].after.is_some());
}

fn plans_are_refused_with_the_json_path_and_nothing_is_saved(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    let unknown = plans_file(2025, &["R1", "R9"]);
    match save(test, &operator, 2025, &unknown) {
        Err(StoreError::Refused(refusals)) => {
            assert_eq!(refusals.len(), 1, "{refusals:?}");
            assert_eq!(refusals[0].code, Code::PlansUnknownRep);
            let text = refusals[0].to_string();
            assert!(text.contains("plans[0].assignments[1].rep_id") && text.contains("R9"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        refused(save(test, &operator, 2026, &plans_file(2025, &["R1"]))),
        vec![("fiscal_year", Code::PlansYear)]
    );
    let bad_rate = plans_file(2025, &["R1"]).replace(r#""rate": "0.08""#, r#""rate": "eight""#);
    match save(test, &operator, 2025, &bad_rate) {
        Err(StoreError::Refused(refusals)) => {
            assert_eq!(refusals[0].code, Code::PlansFile);
            let text = refusals[0].to_string();
            assert!(text.contains("plans[0].components[0].tiers[1].rate") && text.contains("'eight'"), "{text}");
            assert!(text.contains("(line 4, column "), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(test.count("incentive_years", &org), 0, "nothing is saved");
    // Only executives and admins save plans; a manager may only try one.
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    assert!(matches!(save(test, &manager, 2025, &plans_file(2025, &["R1"])), Err(StoreError::NotPermitted)));
    let tried = incentives::check_plans(
        &mut test.db,
        &manager,
        &SavePlans { fiscal_year: 2025, file: plans_file(2025, &["R1"]) },
    );
    assert!(tried.is_ok(), "{tried:?}");
    assert_eq!(test.count("incentive_years", &org), 0);
}

fn statements_of_a_small_org_are_computed_by_hand(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1", "R2"])));
    // R1 in January: O1 6,000 + O2 6,000 + half of O3 5,000 = 17,000.00 against 10,000.00: 170%,
    // so 8% on all of it = 1,360.00; lines 480.00, 480.00 and 400.00.
    let r1 = statement(test, &operator, "R1", "2025-01", "2025-02-15");
    assert_eq!(r1.state, StatementState::Provisional);
    assert!(r1.month_ended);
    let bookings = &r1.components[0];
    assert_eq!((bookings.credited.as_str(), bookings.quota.as_deref()), ("1700000", Some("1000000")));
    assert_eq!(bookings.attainment.as_deref(), Some("1.7"));
    assert_eq!(bookings.earnings_cents, 136_000);
    let lines: Vec<(&str, i64)> =
        bookings.lines.iter().map(|l| (l.opportunity_external_id.as_str(), l.earnings_cents)).collect();
    assert_eq!(lines, vec![("O1", 48_000), ("O3", 40_000), ("O2", 48_000)]);
    assert_eq!(r1.payable_cents, 136_000);
    // R2: half of O3, 5,000.00 against 20,000.00: 25%, 5% = 250.00.
    let r2 = statement(test, &operator, "R2", "2025-01", "2025-02-15");
    assert_eq!(r2.payable_cents, 25_000);
    // February, before it ends: O4 5,000.00 of 10,000.00 at 5% = 250.00 so far.
    let february = statement(test, &operator, "R1", "2025-02", "2025-02-15");
    assert!(!february.month_ended);
    assert_eq!(february.payable_cents, 25_000);
    // The team holds both reps (the manager has no plan); a rep sees only their own.
    let team = statements_of(test, &operator, "2025-01", SubjectRequest::Team(Named::Key("M1".into())), "2025-02-15");
    assert_eq!(team.iter().map(|s| s.rep_external_id.as_str()).collect::<Vec<_>>(), vec!["R1", "R2"]);
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let own = statements_of(test, &rep, "2025-01", SubjectRequest::Own, "2025-02-15");
    assert_eq!(own.iter().map(|s| s.rep_external_id.as_str()).collect::<Vec<_>>(), vec!["R1"]);
    let query = StatementsOf {
        period: month("2025-01"),
        subject: SubjectRequest::Team(Named::Key("M1".into())),
        today: day("2025-02-15"),
    };
    assert_eq!(refused(incentives::statements(&mut test.db, &rep, &query)), vec![("subject", Code::SubjectOutOfReach)]);
    let quarter = StatementsOf { period: "2025-Q1".parse().unwrap_or_else(|e| panic!("{e:?}")), ..query };
    assert_eq!(
        refused(incentives::statements(&mut test.db, &operator, &quarter)),
        vec![("period", Code::StatementPeriod)]
    );
}

fn approve_then_lock_by_role_and_a_locked_statement_never_changes(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1", "R2"])));
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let executive = viewer_of(test, &org, "E1", UserRole::Executive);
    let january = at(test, &org, "R1", "2025-01", "2025-02-15");
    let open = at(test, &org, "R1", "2025-02", "2025-02-15");
    assert!(matches!(incentives::approve_statement(&mut test.db, &rep, &january), Err(StoreError::NotPermitted)));
    assert_eq!(
        refused(incentives::approve_statement(&mut test.db, &manager, &open)),
        vec![("period", Code::StatementMonthOpen)]
    );
    assert_eq!(
        refused(incentives::lock_statement(&mut test.db, &executive, &january)),
        vec![("period", Code::StatementNotApproved)]
    );
    let approved = ok(incentives::approve_statement(&mut test.db, &manager, &january));
    assert_eq!((approved.state, approved.payable_cents), (StatementState::Approved, 136_000));
    assert!(matches!(incentives::lock_statement(&mut test.db, &manager, &january), Err(StoreError::NotPermitted)));
    let locked = ok(incentives::lock_statement(&mut test.db, &executive, &january));
    assert_eq!(locked.state, StatementState::Locked);
    assert_eq!(
        refused(incentives::approve_statement(&mut test.db, &manager, &january)),
        vec![("period", Code::StatementLocked)]
    );
    assert_eq!(
        refused(incentives::lock_statement(&mut test.db, &executive, &january)),
        vec![("period", Code::StatementLocked)]
    );
    // The database itself refuses to change or remove a locked statement.
    let rep_id = january.rep.get();
    let update = test.db.execute(
        "UPDATE statements SET payable_cents = 0 WHERE org_id = ? AND rep_id = ?",
        &[org.id.value(), Value::Int(rep_id)],
    );
    assert!(update.is_err(), "{update:?}");
    let delete = test
        .db
        .execute("DELETE FROM statements WHERE org_id = ? AND rep_id = ?", &[org.id.value(), Value::Int(rep_id)]);
    assert!(delete.is_err(), "{delete:?}");
    let shown = statement(test, &operator, "R1", "2025-01", "2025-02-15");
    assert_eq!((shown.state, shown.payable_cents), (StatementState::Locked, 136_000));
    let audit = ok(quotient_store::audit::history(&mut test.db, org.id, "statement", rep_id));
    assert_eq!(audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["approve", "lock"]);
}

fn a_deal_lost_after_the_lock_is_charged_back_on_the_next_statement(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1", "R2"])));
    let january = at(test, &org, "R1", "2025-01", "2025-02-15");
    ok(incentives::approve_statement(&mut test.db, &operator, &january));
    ok(incentives::lock_statement(&mut test.db, &operator, &january));
    // O2 (480.00 on the locked January) is lost in March.
    ok(test.db.execute(
        "UPDATE opportunities SET status = 'lost', stage = 'lost' WHERE org_id = ? AND external_id = 'O2'",
        &[org.id.value()],
    ));
    let locked = statement(test, &operator, "R1", "2025-01", "2025-03-05");
    assert_eq!(locked.payable_cents, 136_000, "the locked statement stands");
    // February: 250.00 for O4, less 480.00 charged back for O2 = −230.00.
    let february = statement(test, &operator, "R1", "2025-02", "2025-03-05");
    assert_eq!(february.adjustments.len(), 1, "{:?}", february.adjustments);
    let clawback = &february.adjustments[0];
    assert_eq!(clawback.opportunity_external_id.as_deref(), Some("O2"));
    assert_eq!((clawback.cause.as_str(), clawback.amount_cents), ("clawback", -48_000));
    assert_eq!(february.payable_cents, 25_000 - 48_000);
    // Only the next unlocked statement carries it.
    let march = statement(test, &operator, "R1", "2025-03", "2025-03-05");
    assert!(march.adjustments.is_empty(), "{:?}", march.adjustments);
}

/// Approves and locks a rep's statement of `period` as of `today`.
fn lock(test: &mut TestDb, org: &Organisation, operator: &Viewer, rep: &str, period: &str, today: &str) {
    let statement = at(test, org, rep, period, today);
    ok(incentives::approve_statement(&mut test.db, operator, &statement));
    ok(incentives::lock_statement(&mut test.db, operator, &statement));
}

/// Runs `sql` with the organisation's id as its only parameter.
fn change(test: &mut TestDb, org: &Organisation, sql: &str) {
    ok(test.db.execute(sql, &[org.id.value()]));
}

/// Runs `sql` with the time `when` (RFC 3339) and the organisation's id as its parameters.
fn change_at(test: &mut TestDb, org: &Organisation, sql: &str, when: &str) {
    let when = chrono::DateTime::parse_from_rfc3339(when).unwrap_or_else(|e| panic!("{when}: {e}")).to_utc();
    ok(test.db.execute(sql, &[Value::Timestamp(when), org.id.value()]));
}

/// The adjustments of a statement: (deal, cause, cents).
fn adjustments(sheet: &StatementSheet) -> Vec<(String, String, i64)> {
    sheet
        .adjustments
        .iter()
        .map(|a| (a.opportunity_external_id.clone().unwrap_or_default(), a.cause.clone(), a.amount_cents))
        .collect()
}

fn rises_after_a_lock_are_paid_and_every_change_converges_once(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1", "R2"])));
    // Locked January of R1: O1 6,000.00 + O2 6,000.00 + half of O3 5,000.00 = 17,000.00 of
    // 10,000.00, 8% = 1,360.00 (O1 480.00, O2 480.00, O3 400.00); of R2: half of O3 5,000.00 of
    // 20,000.00, 5% = 250.00.
    lock(test, &org, &operator, "R1", "2025-01", "2025-02-15");
    lock(test, &org, &operator, "R2", "2025-01", "2025-02-15");
    // O1 raised to 9,000.00: 20,000.00 × 8% = 1,600.00, O1's line 9/20 = 720.00, +240.00.
    change(test, &org, "UPDATE opportunities SET amount_cents = 900000 WHERE org_id = ? AND external_id = 'O1'");
    // O5 (4,000.00) won on 25 January: 24,000.00 × 8% = 1,920.00, O5's line 4/24 = 320.00, and
    // O1's 9/24 = 720.00, O2's 6/24 = 480.00, O3's 5/24 = 400.00 as before.
    change_at(
        test,
        &org,
        "UPDATE opportunities SET status = 'won', stage = 'won', closed_at = ? WHERE org_id = ? AND external_id = 'O5'",
        "2025-01-25T12:00:00Z",
    );
    let february = statement(test, &operator, "R1", "2025-02", "2025-03-05");
    let changed = |deal: &str, cents| (deal.to_string(), "deal_changed".to_string(), cents);
    assert_eq!(adjustments(&february), [changed("O1", 24_000), changed("O5", 32_000)]);
    assert_eq!(february.adjustments[0].note, "AE 2025 bookings: credited amount rose");
    // February: O4 5,000.00 of 10,000.00 × 5% = 250.00, + 240.00 + 320.00.
    assert_eq!(february.payable_cents, 25_000 + 24_000 + 32_000);
    // The split of O3 dropped: R2 is credited all of it in January, 10,000.00 of 20,000.00 × 5% =
    // 500.00, +250.00; R1 loses its half, 19,000.00 × 8% = 1,520.00 with O3's line 0: −400.00.
    change_at(test, &org, "UPDATE opportunity_splits SET deleted_at = ? WHERE org_id = ?", "2025-03-01T00:00:00Z");
    let february = statement(test, &operator, "R2", "2025-02", "2025-03-05");
    assert_eq!(adjustments(&february), [changed("O3", 25_000)]);
    lock(test, &org, &operator, "R1", "2025-02", "2025-03-05");
    let locked = statement(test, &operator, "R1", "2025-02", "2025-03-05");
    let clawback = |deal: &str, cents| (deal.to_string(), "clawback".to_string(), cents);
    assert_eq!(adjustments(&locked), [changed("O1", 24_000), clawback("O3", -40_000), changed("O5", 32_000)]);
    // Nothing changed since February was locked: March adjusts nothing again.
    let march = statement(test, &operator, "R1", "2025-03", "2025-04-02");
    assert!(march.adjustments.is_empty(), "{:?}", march.adjustments);
    // O1 lowered to 7,000.00: 17,000.00 × 8% = 1,360.00, O1's line 7/17 = 560.00, less 480.00
    // locked and 240.00 adjusted = −160.00. O3 re-split: its 400.00 back.
    change(test, &org, "UPDATE opportunities SET amount_cents = 700000 WHERE org_id = ? AND external_id = 'O1'");
    change(test, &org, "UPDATE opportunity_splits SET deleted_at = NULL WHERE org_id = ?");
    let march = statement(test, &operator, "R1", "2025-03", "2025-04-02");
    // With O3 back: 22,000.00 × 8% = 1,760.00: O1 7/22 = 560.00, O3 5/22 = 400.00, O5 320.00.
    assert_eq!(adjustments(&march), [clawback("O1", -16_000), changed("O3", 40_000)]);
    // January paid in all: 1,360.00 locked + 160.00 on February − 160.00 + 400.00 on March =
    // 1,760.00, what January pays today.
    let total = |sheet: &StatementSheet| sheet.adjustments.iter().map(|a| a.amount_cents).sum::<i64>();
    assert_eq!(136_000 + total(&locked) + total(&march), 176_000);
}

fn the_clawback_window_counts_to_the_day_the_deal_changed(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    let windowed = plans_file(2025, &["R1"]).replace(r#""tier_mode""#, r#""clawback_days": 30, "tier_mode""#);
    ok(save(test, &operator, 2025, &windowed));
    lock(test, &org, &operator, "R1", "2025-01", "2025-02-15");
    // O2 (closed 20 January, 480.00) lost on 10 February, as an import records it: 21 days, inside,
    // even computed on 20 April.
    change_at(
        test,
        &org,
        "UPDATE opportunities SET status = 'lost', stage = 'lost', closed_at = ? WHERE org_id = ? AND external_id = 'O2'",
        "2025-02-10T09:00:00Z",
    );
    let february = statement(test, &operator, "R1", "2025-02", "2025-04-20");
    assert_eq!(adjustments(&february), [("O2".to_string(), "clawback".to_string(), -48_000)]);
    // Lost on 10 March instead: 49 days, outside, so nothing, even computed on 15 February.
    change_at(
        test,
        &org,
        "UPDATE opportunities SET closed_at = ? WHERE org_id = ? AND external_id = 'O2'",
        "2025-03-10T09:00:00Z",
    );
    assert!(statement(test, &operator, "R1", "2025-02", "2025-02-15").adjustments.is_empty());
    // O2 won again; O1 (closed 10 January) cut to 3,000.00: 14,000.00 × 8% = 1,120.00, O1's line
    // 3/14 = 240.00, −240.00. Undated, the change is the day the statement is computed: 5 March,
    // 54 days after the close, outside.
    change_at(
        test,
        &org,
        "UPDATE opportunities SET status = 'won', stage = 'won', closed_at = ? WHERE org_id = ? AND external_id = 'O2'",
        "2025-01-20T12:00:00Z",
    );
    change(test, &org, "UPDATE opportunities SET amount_cents = 300000 WHERE org_id = ? AND external_id = 'O1'");
    assert!(statement(test, &operator, "R1", "2025-02", "2025-03-05").adjustments.is_empty());
    // The audit log dates the edit 1 February, 22 days after the close: charged.
    let o1 = test
        .db
        .query_i64("SELECT id FROM opportunities WHERE org_id = ? AND external_id = 'O1'", &[org.id.value()])
        .unwrap_or_else(|e| panic!("{e}"));
    let edit = quotient_store::audit::Change {
        user: None,
        action: "update",
        entity: "opportunities",
        entity_id: Some(o1),
        before: Some(serde_json::json!({ "amount_cents": 600_000, "name": "Acme" })),
        after: Some(serde_json::json!({ "amount_cents": 300_000, "name": "Acme" })),
    };
    let entry = ok(quotient_store::audit::record(&mut test.db, org.id, edit));
    let first_february = day("2025-02-01").and_hms_opt(10, 0, 0).unwrap_or_default().and_utc();
    ok(test.db.execute(
        "UPDATE audit_log SET at = ? WHERE org_id = ? AND id = ?",
        &[Value::Timestamp(first_february), org.id.value(), Value::Int(entry)],
    ));
    let february = statement(test, &operator, "R1", "2025-02", "2025-03-05");
    assert_eq!(adjustments(&february), [("O1".to_string(), "clawback".to_string(), -24_000)]);
}

fn an_import_dates_the_credit_change_it_brings_for_the_clawback_window(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    let windowed = plans_file(2025, &["R1"]).replace(r#""tier_mode""#, r#""clawback_days": 30, "tier_mode""#);
    ok(save(test, &operator, 2025, &windowed));
    let o1 = test
        .db
        .query_i64("SELECT id FROM opportunities WHERE org_id = ? AND external_id = 'O1'", &[org.id.value()])
        .unwrap_or_else(|e| panic!("{e}"));
    let imports = |test: &mut TestDb| {
        let history = ok(quotient_store::audit::history(&mut test.db, org.id, "opportunities", o1));
        history.into_iter().filter(|e| e.action == "import").collect::<Vec<_>>()
    };
    // O1 cut to 3,000.00 by an import before any lock: nothing to date.
    let cut = OPPORTUNITIES.replace("O1,R1,PL1,Acme,6000,", "O1,R1,PL1,Acme,3000,");
    let reimport = |test: &mut TestDb, opportunities: &str| {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write_bundle(dir.path(), SPLITS);
        std::fs::write(dir.path().join("opportunities.csv"), opportunities).unwrap_or_else(|e| panic!("{e}"));
        bundle::import(&mut test.db, org.id, dir.path(), &mut bundle::Silent).unwrap_or_else(|e| panic!("{e}"));
    };
    reimport(test, &cut);
    assert!(imports(test).is_empty());
    // Back to 6,000.00, January locked, then the cut imported again: recorded on the import's day.
    reimport(test, OPPORTUNITIES);
    lock(test, &org, &operator, "R1", "2025-01", "2025-02-15");
    reimport(test, &cut);
    let recorded = imports(test);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].before, Some(serde_json::json!({ "amount_cents": 600_000 })));
    assert_eq!(recorded[0].after, Some(serde_json::json!({ "amount_cents": 300_000 })));
    // Computed on 1 February, 22 days after O1's close (10 January): the change is the import's
    // day, long after the 30 days, so nothing — undated, it was the 1st and charged.
    assert!(statement(test, &operator, "R1", "2025-02", "2025-02-01").adjustments.is_empty());
    // The import dated 1 February instead: charged even on 20 April, 14,000.00 × 8% = 1,120.00,
    // O1's line 3/14 = 240.00 against 480.00 locked: −240.00.
    let first_february = day("2025-02-01").and_hms_opt(10, 0, 0).unwrap_or_default().and_utc();
    ok(test.db.execute(
        "UPDATE audit_log SET at = ? WHERE org_id = ? AND id = ?",
        &[Value::Timestamp(first_february), org.id.value(), Value::Int(recorded[0].id)],
    ));
    let february = statement(test, &operator, "R1", "2025-02", "2025-04-20");
    assert_eq!(adjustments(&february), [("O1".to_string(), "clawback".to_string(), -24_000)]);
}

fn many_reps_read_the_same_credited_deals_as_a_few(test: &mut TestDb) {
    let Org { org, .. } = setup(test);
    let (r1, r2) = (rep_id(test, &org, "R1").get(), rep_id(test, &org, "R2").get());
    let span = Period::range(day("2025-01-01"), day("2026-01-01")).unwrap_or_else(|| month("2025-01"));
    let few: std::collections::HashSet<i64> = [r1, r2].into();
    // Past 200 reps the organisation's deals are read in one range, the splits apart.
    let many: std::collections::HashSet<i64> = few.iter().copied().chain(-250..-1).collect();
    let listed = ok(inputs::credited_deals(&mut test.db, org.id, &few, span));
    let ranged = ok(inputs::credited_deals(&mut test.db, org.id, &many, span));
    assert_eq!(listed, ranged);
    // O1, O2, O4 of R1, O3 split 50/50: 5 credits, O3's twice (R1 and R2, by rep id).
    let credits: Vec<(String, i64)> = ranged.iter().map(|d| (d.external_id.clone(), d.share_pct)).collect();
    let o3 = ("O3".to_string(), 50);
    assert_eq!(credits, [("O1".to_string(), 100), o3.clone(), o3, ("O2".to_string(), 100), ("O4".to_string(), 100)]);
}

fn disputes_are_accepted_with_an_adjustment_or_rejected_with_a_note(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1", "R2"])));
    let rep = viewer_of(test, &org, "R1", UserRole::Rep);
    let manager = viewer_of(test, &org, "M1", UserRole::Manager);
    let r1 = rep_id(test, &org, "R1");
    let line = |line: &str, comment: &str| DisputeLine {
        rep: r1,
        period: month("2025-02"),
        line: line.to_string(),
        comment: comment.to_string(),
        today: day("2025-03-05"),
    };
    assert_eq!(
        refused(incentives::dispute_line(&mut test.db, &rep, &line("O4", "  "))),
        vec![("comment", Code::Required)]
    );
    assert_eq!(
        refused(incentives::dispute_line(&mut test.db, &rep, &line("O1", "not on February"))),
        vec![("line", Code::DisputeLineUnknown)]
    );
    assert!(matches!(
        incentives::dispute_line(&mut test.db, &manager, &line("O4", "for the rep")),
        Err(StoreError::NotPermitted)
    ));
    let first = ok(incentives::dispute_line(&mut test.db, &rep, &line("O4", "O4 was 6,000.00")));
    let second = ok(incentives::dispute_line(&mut test.db, &rep, &line("bookings", "rate too low")));
    let resolve = |dispute: i64, resolution, note: &str| ResolveDispute {
        dispute,
        resolution,
        note: note.to_string(),
        today: day("2025-03-05"),
    };
    assert!(matches!(
        incentives::resolve_dispute(&mut test.db, &rep, &resolve(first.id, Resolution::Reject, "no")),
        Err(StoreError::NotPermitted)
    ));
    assert_eq!(
        refused(incentives::resolve_dispute(&mut test.db, &manager, &resolve(first.id, Resolution::Reject, ""))),
        vec![("note", Code::Required)]
    );
    // An adjustment beyond any pay (i64::MIN cents has no size) is refused before it is summed.
    for amount_cents in [i64::MIN, 10_000_000_000_001] {
        let huge = resolve(first.id, Resolution::Accept { amount_cents }, "typo");
        assert_eq!(
            refused(incentives::resolve_dispute(&mut test.db, &manager, &huge)),
            vec![("amount_cents", Code::Amount)]
        );
    }
    let accepted = ok(incentives::resolve_dispute(
        &mut test.db,
        &manager,
        &resolve(first.id, Resolution::Accept { amount_cents: 5_000 }, "amount corrected"),
    ));
    assert_eq!((accepted.adjustment_cents, accepted.adjustment_period.as_deref()), (Some(5_000), Some("2025-03")));
    let rejected =
        ok(incentives::resolve_dispute(&mut test.db, &manager, &resolve(second.id, Resolution::Reject, "as agreed")));
    assert_eq!(rejected.resolution_note.as_deref(), Some("as agreed"));
    assert_eq!(rejected.adjustment_cents, None);
    assert_eq!(
        refused(incentives::resolve_dispute(&mut test.db, &manager, &resolve(second.id, Resolution::Reject, "again"))),
        vec![("dispute", Code::DisputeResolved)]
    );
    // The accepted dispute lands on March, the next unlocked statement as of the resolution.
    let march = statement(test, &operator, "R1", "2025-03", "2025-03-05");
    let found: Vec<(&str, i64, Option<&str>)> = march
        .adjustments
        .iter()
        .map(|a| (a.cause.as_str(), a.amount_cents, a.opportunity_external_id.as_deref()))
        .collect();
    assert_eq!(found, vec![("dispute", 5_000, Some("O4"))]);
    assert_eq!(march.payable_cents, 5_000);
    let listed = ok(incentives::disputes_of(&mut test.db, &rep, month("2025-02")));
    assert_eq!(listed.len(), 2);
}

fn earnings_show_the_month_the_year_and_what_each_open_deal_adds(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1", "R2"])));
    let r1 = rep_id(test, &org, "R1");
    let earnings = ok(incentives::earnings(&mut test.db, &operator, r1, day("2025-02-20")));
    // January 1,360.00 + February so far 250.00.
    assert_eq!(earnings.month.payable_cents, 25_000);
    assert_eq!(earnings.year_to_date_cents, 161_000);
    // O5 (4,000.00) closing today: 9,000.00 of 10,000.00, still 5%: 450.00 − 250.00 = 200.00.
    let what_if: Vec<(&str, i64)> =
        earnings.what_ifs.iter().map(|w| (w.opportunity_external_id.as_str(), w.adds_cents)).collect();
    assert_eq!(what_if, vec![("O5", 20_000)]);
    // The next tier is 100%: 5,000.00 more, then 8% of 10,000.00 = 800.00, worth 550.00 more.
    let next: Vec<(&str, &str, i64)> = earnings
        .next_steps
        .iter()
        .map(|n| (n.attainment.as_str(), n.credited_needed.as_str(), n.worth_cents))
        .collect();
    assert_eq!(next, vec![("1", "500000", 55_000)]);
    let other = viewer_of(test, &org, "R2", UserRole::Rep);
    assert_eq!(
        refused(incentives::earnings(&mut test.db, &other, r1, day("2025-02-20"))),
        vec![("rep_id", Code::RepOutOfReach)]
    );
}

fn the_preview_replays_a_draft_on_the_previous_year(test: &mut TestDb) {
    let Org { operator, .. } = setup(test);
    let command = SavePlans { fiscal_year: 2026, file: plans_file(2026, &["R1", "R2"]) };
    let checked = ok(incentives::check_plans(&mut test.db, &operator, &command));
    let preview = checked.preview;
    assert_eq!(preview.year, 2025);
    let reps: Vec<(&str, i64, i64)> =
        preview.reps.iter().map(|r| (r.rep_external_id.as_str(), r.earnings_cents, r.revenue_cents)).collect();
    // R1: 1,360.00 + 250.00 on 22,000.00 won; R2: 250.00 on 5,000.00.
    assert_eq!(reps, vec![("R1", 161_000, 2_200_000), ("R2", 25_000, 500_000)]);
    assert_eq!(preview.teams.len(), 1);
    // 1,860.00 ÷ 27,000.00 = 0.06888… → 0.0689.
    assert_eq!(preview.teams[0].cost_share.as_deref(), Some("0.0689"));
    assert_eq!((preview.total.earnings_cents, preview.total.cost_share.as_deref()), (186_000, Some("0.0689")));
}

fn split_shares_must_add_to_100_and_name_known_rows(test: &mut TestDb) {
    let org = test.org("acme");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_bundle(dir.path(), "opportunity_id,rep_id,share_pct\nO3,R2,50\nO3,R1,40\nO1,R9,100\n");
    match bundle::import(&mut test.db, org.id, dir.path(), &mut bundle::Silent) {
        Err(ImportError::Invalid(problems)) => {
            let found: Vec<String> = problems.list().iter().map(ToString::to_string).collect();
            assert!(
                found
                    .iter()
                    .any(|p| p.starts_with("opportunity_splits.csv:2:3: share_pct:") && p.contains("add to 90")),
                "{found:?}"
            );
            assert!(found.iter().any(|p| p.starts_with("opportunity_splits.csv:4:2: rep_id:")), "{found:?}");
        }
        other => panic!("expected problems, got {other:?}"),
    }
    assert_eq!(test.count("opportunities", &org), 0, "nothing is imported");
}

fn export_writes_the_splits_and_the_years_plans(test: &mut TestDb) {
    let Org { org, operator } = setup(test);
    ok(save(test, &operator, 2025, &plans_file(2025, &["R1"])));
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    ok(bundle::export(&mut test.db, org.id, out.path(), &mut bundle::Silent));
    let splits = std::fs::read_to_string(out.path().join("opportunity_splits.csv")).unwrap_or_default();
    assert_eq!(splits, SPLITS);
    let plans = std::fs::read_to_string(out.path().join("plans-2025.json")).unwrap_or_default();
    assert!(plans.contains("AE 2025"), "{plans}");
}

on_both_backends!(
    saves_and_replaces_a_years_plans_audited,
    plans_are_refused_with_the_json_path_and_nothing_is_saved,
    statements_of_a_small_org_are_computed_by_hand,
    approve_then_lock_by_role_and_a_locked_statement_never_changes,
    a_deal_lost_after_the_lock_is_charged_back_on_the_next_statement,
    rises_after_a_lock_are_paid_and_every_change_converges_once,
    the_clawback_window_counts_to_the_day_the_deal_changed,
    an_import_dates_the_credit_change_it_brings_for_the_clawback_window,
    many_reps_read_the_same_credited_deals_as_a_few,
    disputes_are_accepted_with_an_adjustment_or_rejected_with_a_note,
    earnings_show_the_month_the_year_and_what_each_open_deal_adds,
    the_preview_replays_a_draft_on_the_previous_year,
    split_shares_must_add_to_100_and_name_known_rows,
    export_writes_the_splits_and_the_years_plans,
);

//! Changes after a lock across fiscal years, on SQLite and PostgreSQL: a deal of a locked
//! December statement lowered, raised, lost or moved into the next year in January is adjusted on
//! the first statement of the next year computed live, with the plan and quota December was locked
//! under; a second change adjusts only the remainder; `clawback_days` counts from the change; and
//! the December statement shows what it was locked with.

mod common;

use common::{TestDb, ok};
use quotient_core::Period;
use quotient_store::access::Viewer;
use quotient_store::bundle;
use quotient_store::ids::RepId;
use quotient_store::incentives::sheet::{StatementSheet, StatementState};
use quotient_store::kpi::Directory;
use quotient_store::ops::incentives::{self, SavePlans, StatementRef, StatementsOf};
use quotient_store::ops::reports::{Named, SubjectRequest};
use quotient_store::orgs::Organisation;
use quotient_store::{Dialect, Value};

/// M1 manages R1. Quotas of R1: 10,000.00 revenue in November and December 2025 and in January
/// and February 2026. Won: O9 (12,000.00, November 2025), O6 and O7 (6,000.00 each, December
/// 2025), O8 (2,000.00, January 2026).
const REPS: &str = "rep_id,name,email,manager_id,territory_id,role,hired_on
M1,Max Manager,m1@example.com,,,manager,
R1,Ana Rep,r1@example.com,M1,,rep,
";
const OPPORTUNITIES: &str = "opportunity_id,owner_id,product_line_id,name,amount,created_at,closed_at,status
O6,R1,PL1,Acme,6000,2025-11-02T09:00:00Z,2025-12-05T12:00:00Z,won
O7,R1,PL1,Globex,6000,2025-11-02T09:00:00Z,2025-12-15T12:00:00Z,won
O8,R1,PL1,Initech,2000,2025-11-02T09:00:00Z,2026-01-10T12:00:00Z,won
O9,R1,PL1,Hooli,12000,2025-10-02T09:00:00Z,2025-11-10T12:00:00Z,won
";
const QUOTAS: &str = "rep_id,period,metric,product_line_id,target
R1,2025-11,revenue,,10000
R1,2025-12,revenue,,10000
R1,2026-01,revenue,,10000
R1,2026-02,revenue,,10000
";

/// A monthly commission on plan `name` for R1 all year: 5% below quota, 8% on everything from
/// 100% attainment; `extra` is added to the component (e.g. a clawback window).
fn plans_file(year: i32, name: &str, extra: &str) -> String {
    format!(
        r#"{{ "fiscal_year": {year}, "plans": [ {{ "name": "{name}",
          "assignments": [ {{ "rep_id": "R1", "from": "{year}-01-01" }} ],
          "components": [ {{ "key": "bookings", "metric": "revenue", "credit": "own", "period": "month",
            "kind": "commission", "tier_mode": "retroactive", {extra}
            "tiers": [ {{ "from": 0, "rate": "0.05" }}, {{ "from": 1, "rate": "0.08" }} ] }} ] }} ] }}"#
    )
}

struct Org {
    org: Organisation,
    operator: Viewer,
}

/// The organisation with plans for 2025 and 2026, and R1's December 2025 locked on 5 January: 12,000.00
/// of 10,000.00 × 8% = 960.00 (O6 480.00, O7 480.00).
fn setup(test: &mut TestDb, plan_2025: &str, plan_2026: &str) -> Org {
    let Org { org, operator } = import_and_plan(test, plan_2025, plan_2026);
    lock(test, &org, &operator, "2025-12", "2026-01-05");
    let december = statement(test, &operator, "2025-12", "2026-01-05");
    assert_eq!((december.state, december.payable_cents), (StatementState::Locked, 96_000));
    Org { org, operator }
}

/// The organisation with plans for 2025 and 2026, nothing kept.
fn import_and_plan(test: &mut TestDb, plan_2025: &str, plan_2026: &str) -> Org {
    let org = test.org("acme");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let files = [
        ("reps.csv", REPS),
        ("product_lines.csv", "product_line_id,name\nPL1,Storage\n"),
        ("opportunities.csv", OPPORTUNITIES),
        ("quotas.csv", QUOTAS),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    bundle::import(&mut test.db, org.id, dir.path(), &mut bundle::Silent).unwrap_or_else(|e| panic!("{e}"));
    let directory = ok(Directory::load(&mut test.db, org.id));
    let operator = Viewer::operator(org.id, &directory);
    for (year, file) in [(2025, plan_2025), (2026, plan_2026)] {
        ok(incentives::save_plans(&mut test.db, &operator, &SavePlans { fiscal_year: year, file: file.to_string() }));
    }
    Org { org, operator }
}

fn month(text: &str) -> Period {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// R1's statement of `period` as of `today`.
fn statement(test: &mut TestDb, who: &Viewer, period: &str, today: &str) -> StatementSheet {
    let query = StatementsOf {
        period: month(period),
        subject: SubjectRequest::Rep(Named::Key("R1".into())),
        today: day(today),
    };
    let found = ok(incentives::statements(&mut test.db, who, &query));
    assert_eq!(found.len(), 1, "{period}: {found:?}");
    found.into_iter().next().unwrap_or_else(|| unreachable!())
}

/// Approves and locks R1's statement of `period` as of `today`.
fn lock(test: &mut TestDb, org: &Organisation, operator: &Viewer, period: &str, today: &str) {
    let rep = test
        .db
        .query_i64("SELECT id FROM reps WHERE org_id = ? AND external_id = 'R1'", &[org.id.value()])
        .unwrap_or_else(|e| panic!("{e}"));
    let statement = StatementRef { rep: RepId(rep), period: month(period), today: day(today) };
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

fn clawback(deal: &str, cents: i64) -> (String, String, i64) {
    (deal.to_string(), "clawback".to_string(), cents)
}

fn changed(deal: &str, cents: i64) -> (String, String, i64) {
    (deal.to_string(), "deal_changed".to_string(), cents)
}

/// January 2026 pays O8: 2,000.00 of 10,000.00 × 5% = 100.00.
const JANUARY_DUE: i64 = 10_000;

fn a_deal_of_a_locked_december_lowered_raised_or_lost_in_january_is_adjusted_in_january(test: &mut TestDb) {
    let Org { org, operator } = setup(test, &plans_file(2025, "AE 2025", ""), &plans_file(2026, "AE 2026", ""));
    // Nothing changed: January pays its own deal only.
    let january = statement(test, &operator, "2026-01", "2026-01-20");
    assert!(january.adjustments.is_empty(), "{:?}", january.adjustments);
    assert_eq!(january.payable_cents, JANUARY_DUE);
    // O6 lowered to 5,000.00 in January: December 11,000.00 of 10,000.00 × 8% = 880.00, O6's line
    // 5/11 = 400.00 (O7's 6/11 = 480.00 as locked): −80.00.
    change(test, &org, "UPDATE opportunities SET amount_cents = 500000 WHERE org_id = ? AND external_id = 'O6'");
    let january = statement(test, &operator, "2026-01", "2026-01-20");
    assert_eq!(adjustments(&january), [clawback("O6", -8_000)]);
    let adjustment = &january.adjustments[0];
    assert_eq!(adjustment.note, "AE 2025 bookings: credited amount fell (fiscal year 2025)");
    assert_eq!((adjustment.plan.as_deref(), adjustment.fiscal_year), (Some("AE 2025"), Some(2025)));
    assert_eq!(january.payable_cents, JANUARY_DUE - 8_000);
    // O6 raised to 9,000.00 instead: 15,000.00 × 8% = 1,200.00, O6's line 9/15 = 720.00: +240.00;
    // O7's 6/15 = 480.00 as locked.
    change(test, &org, "UPDATE opportunities SET amount_cents = 900000 WHERE org_id = ? AND external_id = 'O6'");
    let january = statement(test, &operator, "2026-01", "2026-01-20");
    assert_eq!(adjustments(&january), [changed("O6", 24_000)]);
    assert_eq!(january.payable_cents, JANUARY_DUE + 24_000);
    // O6 back to 6,000.00 and O7 lost: 6,000.00 of 10,000.00 × 5% = 300.00, all O6's: −180.00
    // for O6 (its credit unchanged, below the tier now) and −480.00 for O7.
    change(test, &org, "UPDATE opportunities SET amount_cents = 600000 WHERE org_id = ? AND external_id = 'O6'");
    change(
        test,
        &org,
        "UPDATE opportunities SET status = 'lost', stage = 'lost' WHERE org_id = ? AND external_id = 'O7'",
    );
    let january = statement(test, &operator, "2026-01", "2026-01-20");
    assert_eq!(adjustments(&january), [clawback("O6", -18_000), clawback("O7", -48_000)]);
    assert_eq!(
        january.adjustments[0].note,
        "AE 2025 bookings: the period's earnings changed with another deal (fiscal year 2025)"
    );
    assert_eq!(january.adjustments[1].note, "AE 2025 bookings: deal no longer credited (fiscal year 2025)");
    assert_eq!(january.payable_cents, JANUARY_DUE - 18_000 - 48_000);
    // December stands as locked.
    let december = statement(test, &operator, "2025-12", "2026-01-20");
    assert_eq!((december.state, december.payable_cents), (StatementState::Locked, 96_000));
    assert!(december.adjustments.is_empty());
    // Only the first statement computed live carries it: February has nothing to adjust.
    let february = statement(test, &operator, "2026-02", "2026-02-20");
    assert!(february.adjustments.is_empty(), "{:?}", february.adjustments);
}

fn a_second_change_adjusts_only_the_remainder_and_nothing_is_paid_twice(test: &mut TestDb) {
    let Org { org, operator } = setup(test, &plans_file(2025, "AE 2025", ""), &plans_file(2026, "AE 2026", ""));
    // O6 lowered to 5,000.00: −80.00 on January (as above), which is locked with it.
    change(test, &org, "UPDATE opportunities SET amount_cents = 500000 WHERE org_id = ? AND external_id = 'O6'");
    lock(test, &org, &operator, "2026-01", "2026-02-02");
    let january = statement(test, &operator, "2026-01", "2026-02-02");
    assert_eq!((january.state, adjustments(&january)), (StatementState::Locked, vec![clawback("O6", -8_000)]));
    assert_eq!(january.payable_cents, JANUARY_DUE - 8_000);
    // Nothing changed since: February adjusts nothing.
    let february = statement(test, &operator, "2026-02", "2026-02-20");
    assert!(february.adjustments.is_empty(), "{:?}", february.adjustments);
    // O6 lowered again, to 3,000.00: December 9,000.00 of 10,000.00 × 5% = 450.00, O6's line 3/9 =
    // 150.00, less 480.00 locked and −80.00 adjusted: −250.00; O7's 6/9 = 300.00: −180.00.
    change(test, &org, "UPDATE opportunities SET amount_cents = 300000 WHERE org_id = ? AND external_id = 'O6'");
    let february = statement(test, &operator, "2026-02", "2026-02-20");
    assert_eq!(adjustments(&february), [clawback("O6", -25_000), clawback("O7", -18_000)]);
    // February has no deal of its own (0 of 10,000.00 pays 0).
    assert_eq!(february.payable_cents, -25_000 - 18_000);
    // January was locked before the second change: it stands.
    let january = statement(test, &operator, "2026-01", "2026-02-20");
    assert_eq!(january.payable_cents, JANUARY_DUE - 8_000);
    // December paid in all: 960.00 − 80.00 − 250.00 − 180.00 = 450.00, what it earns today.
    let december = statement(test, &operator, "2025-12", "2026-02-20");
    let adjusted = |sheet: &StatementSheet| sheet.adjustments.iter().map(|a| a.amount_cents).sum::<i64>();
    assert_eq!(december.payable_cents + adjusted(&january) + adjusted(&february), 45_000);
}

fn a_deal_moved_into_the_next_year_leaves_december_for_january_under_one_plan_name(test: &mut TestDb) {
    // Both years' plans are named "AE": the adjustment names December's year, so January's own
    // line of the deal and December's adjustment never mix.
    let Org { org, operator } = setup(test, &plans_file(2025, "AE", ""), &plans_file(2026, "AE", ""));
    // O7's close moved to 2 January 2026: December 6,000.00 of 10,000.00 × 5% = 300.00, all O6's:
    // −180.00 for O6, −480.00 for O7; January 2,000.00 + 6,000.00 = 8,000.00 × 5% = 400.00.
    change_at(
        test,
        &org,
        "UPDATE opportunities SET closed_at = ? WHERE org_id = ? AND external_id = 'O7'",
        "2026-01-02T12:00:00Z",
    );
    let january = statement(test, &operator, "2026-01", "2026-01-20");
    assert_eq!(adjustments(&january), [clawback("O6", -18_000), clawback("O7", -48_000)]);
    assert!(january.adjustments.iter().all(|a| a.fiscal_year == Some(2025)));
    assert_eq!(january.components[0].earnings_cents, 40_000);
    assert_eq!(january.payable_cents, 40_000 - 18_000 - 48_000);
    // January locked with them (O7's line 6/8 = 300.00, O8's 2/8 = 100.00); O7 raised to
    // 8,000.00 in February: January 10,000.00 of 10,000.00 × 8% = 800.00, O7's line 8/10 = 640.00
    // (+340.00) and O8's 2/10 = 160.00 (+60.00); December no longer holds O7: nothing for 2025.
    lock(test, &org, &operator, "2026-01", "2026-02-02");
    change(test, &org, "UPDATE opportunities SET amount_cents = 800000 WHERE org_id = ? AND external_id = 'O7'");
    let february = statement(test, &operator, "2026-02", "2026-02-20");
    let mut found = adjustments(&february);
    found.sort();
    assert_eq!(found, [changed("O7", 34_000), changed("O8", 6_000)]);
    assert!(february.adjustments.iter().all(|a| a.fiscal_year.is_none()));
}

fn the_clawback_window_of_the_december_plan_counts_from_the_change(test: &mut TestDb) {
    let windowed = plans_file(2025, "AE 2025", r#""clawback_days": 30,"#);
    let Org { org, operator } = setup(test, &windowed, &plans_file(2026, "AE 2026", ""));
    // O6 (closed 5 December) lowered to 5,000.00 by an import: undated, the change is the day the
    // statement is computed. On 2 January, 28 days after the close: inside, −80.00.
    change(test, &org, "UPDATE opportunities SET amount_cents = 500000 WHERE org_id = ? AND external_id = 'O6'");
    assert_eq!(adjustments(&statement(test, &operator, "2026-01", "2026-01-02")), [clawback("O6", -8_000)]);
    // On 20 January, 46 days after: outside the 2025 plan's window (the 2026 plan has none), nothing.
    assert!(statement(test, &operator, "2026-01", "2026-01-20").adjustments.is_empty());
    // A rise is paid whatever the day: O6 at 9,000.00 is +240.00 (see the first test).
    change(test, &org, "UPDATE opportunities SET amount_cents = 900000 WHERE org_id = ? AND external_id = 'O6'");
    assert_eq!(adjustments(&statement(test, &operator, "2026-01", "2026-01-20")), [changed("O6", 24_000)]);
    // O6 back to 6,000.00; O7 (closed 15 December) lost on 10 January as an import records it: 26
    // days, inside even on 20 February: December 300.00, O6 −180.00 and O7 −480.00.
    change(test, &org, "UPDATE opportunities SET amount_cents = 600000 WHERE org_id = ? AND external_id = 'O6'");
    change_at(
        test,
        &org,
        "UPDATE opportunities SET status = 'lost', stage = 'lost', closed_at = ? WHERE org_id = ? AND external_id = 'O7'",
        "2026-01-10T09:00:00Z",
    );
    let january = statement(test, &operator, "2026-01", "2026-02-20");
    assert_eq!(adjustments(&january), [clawback("O6", -18_000), clawback("O7", -48_000)]);
    // Lost on 20 January instead: 36 days, outside: O7 keeps its credit in the recomputation, so
    // nothing moves.
    change_at(
        test,
        &org,
        "UPDATE opportunities SET closed_at = ? WHERE org_id = ? AND external_id = 'O7'",
        "2026-01-20T09:00:00Z",
    );
    assert!(statement(test, &operator, "2026-01", "2026-02-20").adjustments.is_empty());
}

fn a_december_computed_live_adjusts_november_and_the_next_year_never_again(test: &mut TestDb) {
    let Org { org, operator } =
        import_and_plan(test, &plans_file(2025, "AE 2025", ""), &plans_file(2026, "AE 2026", ""));
    // November locked: O9 12,000.00 of 10,000.00 × 8% = 960.00.
    lock(test, &org, &operator, "2025-11", "2025-12-05");
    // O9 lowered to 6,000.00 in January: November 6,000.00 × 5% = 300.00, −660.00, on December
    // 2025, the next statement computed live (not locked yet); January 2026 has nothing of it.
    change(test, &org, "UPDATE opportunities SET amount_cents = 600000 WHERE org_id = ? AND external_id = 'O9'");
    let december = statement(test, &operator, "2025-12", "2026-01-20");
    assert_eq!(adjustments(&december), [clawback("O9", -66_000)]);
    assert_eq!(december.adjustments[0].fiscal_year, None);
    assert!(statement(test, &operator, "2026-01", "2026-01-20").adjustments.is_empty());
    // January 2026 locked while December 2025 is still computed live: February, the first
    // statement computed live after that lock, finds December's −660.00 already adjusted.
    lock(test, &org, &operator, "2026-01", "2026-02-02");
    let february = statement(test, &operator, "2026-02", "2026-02-20");
    assert!(february.adjustments.is_empty(), "{:?}", february.adjustments);
    // O9 lowered again, to 3,000.00: November 3,000.00 × 5% = 150.00, less 960.00 locked: December
    // 2025, still computed live, now carries −810.00, and February again nothing.
    change(test, &org, "UPDATE opportunities SET amount_cents = 300000 WHERE org_id = ? AND external_id = 'O9'");
    assert_eq!(adjustments(&statement(test, &operator, "2025-12", "2026-02-20")), [clawback("O9", -81_000)]);
    assert!(statement(test, &operator, "2026-02", "2026-02-20").adjustments.is_empty());
    // December locked with O9's −810.00 in all: February adjusts nothing more.
    lock(test, &org, &operator, "2025-12", "2026-02-20");
    assert!(statement(test, &operator, "2026-02", "2026-02-20").adjustments.is_empty());
    // O9 back to 6,000.00: +150.00 on February 2026, naming 2025.
    change(test, &org, "UPDATE opportunities SET amount_cents = 600000 WHERE org_id = ? AND external_id = 'O9'");
    let february = statement(test, &operator, "2026-02", "2026-02-20");
    assert_eq!(adjustments(&february), [changed("O9", 15_000)]);
    assert_eq!(february.adjustments[0].fiscal_year, Some(2025));
}

/// Plants `digest` on R1's kept statement of `period` past the lock's trigger, as a digest kept by
/// another version of Quotient would be there.
fn plant_digest(test: &mut TestDb, org: &Organisation, period: &str, digest: &str) {
    let update = "UPDATE statements SET digest = ? WHERE org_id = ? AND period = ?
                  AND rep_id = (SELECT id FROM reps WHERE org_id = statements.org_id AND external_id = 'R1')";
    let params = [Value::text(digest), org.id.value(), Value::text(period)];
    match test.db.dialect() {
        Dialect::Postgres => {
            ok(test.db.batch("ALTER TABLE statements DISABLE TRIGGER USER"));
            assert_eq!(ok(test.db.execute(update, &params)), 1);
            ok(test.db.batch("ALTER TABLE statements ENABLE TRIGGER USER"));
        }
        Dialect::Sqlite => {
            let triggers = ok(test.db.query_map(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'statements'",
                &[],
                |row| Ok((row.text(0)?.unwrap_or_default().to_string(), row.text(1)?.unwrap_or_default().to_string())),
            ));
            assert!(!triggers.is_empty());
            for (name, _) in &triggers {
                ok(test.db.batch(&format!("DROP TRIGGER {name}")));
            }
            assert_eq!(ok(test.db.execute(update, &params)), 1);
            for (_, sql) in &triggers {
                ok(test.db.batch(sql));
            }
        }
    }
}

/// A locked statement's digest that does not read (or does not add up to its payable amount) gives
/// way to the statement it was kept beside: the next year's adjustment is the same.
fn a_kept_digest_that_does_not_read_gives_way_to_its_statement(test: &mut TestDb) {
    let Org { org, operator } = setup(test, &plans_file(2025, "AE 2025", ""), &plans_file(2026, "AE 2026", ""));
    let kept = "SELECT COUNT(*) FROM statements WHERE org_id = ? AND period = '2025-12' AND digest IS NOT NULL";
    assert_eq!(ok(test.db.query_i64(kept, &[org.id.value()])), 1);
    change(test, &org, "UPDATE opportunities SET amount_cents = 500000 WHERE org_id = ? AND external_id = 'O6'");
    let expected = statement(test, &operator, "2026-01", "2026-01-20");
    assert_eq!(adjustments(&expected), [clawback("O6", -8_000)]);
    let digest = ok(test.db.query_map(
        "SELECT digest FROM statements WHERE org_id = ? AND period = '2025-12'",
        &[org.id.value()],
        |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
    ))
    .remove(0);
    assert!(digest.contains("\"p\":96000"), "{digest}");
    for planted in ["not a digest".to_string(), digest.replace("\"p\":96000", "\"p\":1")] {
        plant_digest(test, &org, "2025-12", &planted);
        assert_eq!(statement(test, &operator, "2026-01", "2026-01-20"), expected, "{planted}");
    }
}

on_both_backends!(
    a_kept_digest_that_does_not_read_gives_way_to_its_statement,
    a_december_computed_live_adjusts_november_and_the_next_year_never_again,
    a_deal_of_a_locked_december_lowered_raised_or_lost_in_january_is_adjusted_in_january,
    a_second_change_adjusts_only_the_remainder_and_nothing_is_paid_twice,
    a_deal_moved_into_the_next_year_leaves_december_for_january_under_one_plan_name,
    the_clawback_window_of_the_december_plan_counts_from_the_change,
);

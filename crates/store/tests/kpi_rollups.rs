//! The rollups are maintained with every write: after any sequence of writes (new and edited
//! opportunities, past ones included, owner changes, expected closes, stage moves, activities on
//! any opportunity, deletions and restores, refused writes) the cells — the open opportunities'
//! by last activity and by expected close among them — and each opportunity's last activity and
//! last stage change equal a rebuild from the base rows, on both backends.

mod common;

use chrono::{DateTime, Datelike, Duration, Utc};
use common::{TestDb, fixture};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use quotient_core::Money;
use quotient_core::model::{ActivityOutcome, ActivityType};
use quotient_store::bundle::{self, Silent};
use quotient_store::crm::activities::NewActivity;
use quotient_store::crm::opportunities::{NewOpportunity, OpportunityEdit};
use quotient_store::orgs::{self, Revision};
use quotient_store::testing::unscoped;
use quotient_store::{Value, kpi};

#[derive(Debug, Clone)]
enum Op {
    LogActivity {
        rep: usize,
        kind: usize,
        outcome: usize,
        day: i64,
        /// The opportunity it is on, if any.
        opportunity: Option<usize>,
    },
    Create {
        rep: usize,
        line: usize,
        amount: i64,
        day: i64,
        expected_close: Option<i64>,
    },
    Move {
        opportunity: usize,
        stage: usize,
        days_after: i64,
        gateway_type: bool,
    },
    Edit {
        opportunity: usize,
        owner: Option<usize>,
        amount: Option<i64>,
        created_day: Option<i64>,
        line: Option<usize>,
        expected_close: Option<Option<i64>>,
    },
    Delete {
        opportunity: bool,
        index: usize,
    },
    Restore {
        opportunity: bool,
        index: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 0..8usize, 0..6usize, 0..200i64, proptest::option::of(0..12usize)).prop_map(
            |(rep, kind, outcome, day, opportunity)| Op::LogActivity { rep, kind, outcome, day, opportunity }
        ),
        (0..3usize, 0..3usize, 0..50_000i64, 0..200i64, proptest::option::of(0..200i64))
            .prop_map(|(rep, line, amount, day, expected_close)| Op::Create { rep, line, amount, day, expected_close }),
        (0..12usize, 0..8usize, 0..120i64, any::<bool>()).prop_map(|(opportunity, stage, days_after, gateway_type)| {
            Op::Move { opportunity, stage, days_after, gateway_type }
        }),
        (
            0..12usize,
            proptest::option::of(0..3usize),
            proptest::option::of(0..90_000i64),
            proptest::option::of(0..200i64),
            proptest::option::of(0..3usize),
            proptest::option::of(proptest::option::of(0..200i64))
        )
            .prop_map(|(opportunity, owner, amount, created_day, line, expected_close)| Op::Edit {
                opportunity,
                owner,
                amount,
                created_day,
                line,
                expected_close
            }),
        (any::<bool>(), 0..12usize).prop_map(|(opportunity, index)| Op::Delete { opportunity, index }),
        (any::<bool>(), 0..12usize).prop_map(|(opportunity, index)| Op::Restore { opportunity, index }),
    ]
}

const STAGES: [&str; 8] =
    ["prospect", "qualified", "first_appointment", "gateway", "proposal", "negotiation", "won", "lost"];

fn day(offset: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600 + 3_600 * 9, 0).unwrap_or_default() + Duration::days(offset)
}

fn ids(test: &mut TestDb, sql: &str) -> Vec<i64> {
    test.db.query_map(sql, &[], |row| Ok(row.int(0)?.unwrap_or_default())).unwrap_or_else(|e| panic!("{e}"))
}

fn check(test: &mut TestDb, ops: &[Op]) {
    let org = test.org("acme").id;
    bundle::import(&mut test.db, org, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let reps = ids(test, "SELECT id FROM reps WHERE external_id IN ('R1', 'R2', 'M1') ORDER BY external_id");
    let mut lines: Vec<Option<i64>> =
        ids(test, "SELECT id FROM product_lines ORDER BY id").into_iter().map(Some).collect();
    lines.push(None);
    let mut opportunity_ids = ids(test, "SELECT id FROM opportunities ORDER BY id");
    let mut activity_ids = ids(test, "SELECT id FROM activities ORDER BY id");
    let db = &mut test.db;
    for op in ops {
        // A refused write (a stage before creation, the gateway without a next step, …) must
        // leave everything as it was: its error is part of the sequence, not a failure.
        let _ = match op {
            Op::LogActivity { rep, kind, outcome, day: offset, opportunity } => {
                let outcome = [
                    None,
                    Some(ActivityOutcome::Connected),
                    Some(ActivityOutcome::NoAnswer),
                    Some(ActivityOutcome::AppointmentSet),
                    Some(ActivityOutcome::Completed),
                    Some(ActivityOutcome::Cancelled),
                ][*outcome];
                let activity = NewActivity {
                    rep_id: reps[*rep],
                    kind: ActivityType::ALL[*kind],
                    occurred_at: day(*offset),
                    account_id: None,
                    contact_id: None,
                    opportunity_id: opportunity.map(|o| opportunity_ids[o % opportunity_ids.len()]),
                    outcome,
                };
                unscoped::log_activity(db, org, None, &activity).map(|id| activity_ids.push(id))
            }
            Op::Create { rep, line, amount, day: offset, expected_close } => {
                let new = NewOpportunity {
                    owner_id: reps[*rep],
                    account_id: None,
                    product_line_id: lines[*line],
                    name: "new".into(),
                    amount: Money::from_cents(*amount * 100),
                    margin: Some(Money::from_cents(*amount * 25)),
                    created_at: day(*offset),
                    expected_close_on: expected_close.map(|d| day(d).date_naive()),
                    stage: "prospect".into(),
                };
                unscoped::create_opportunity(db, org, None, &new).map(|id| opportunity_ids.push(id))
            }
            Op::Move { opportunity, stage, days_after, gateway_type } => {
                let id = opportunity_ids[opportunity % opportunity_ids.len()];
                let gateway = gateway_type.then_some("demo");
                unscoped::move_stage(db, org, None, id, STAGES[*stage], day(60 + days_after), gateway).map(drop)
            }
            Op::Edit { opportunity, owner, amount, created_day, line, expected_close } => {
                let id = opportunity_ids[opportunity % opportunity_ids.len()];
                let edit = OpportunityEdit {
                    owner_id: owner.map(|o| reps[o]),
                    amount: amount.map(|a| Money::from_cents(a * 100)),
                    created_at: created_day.map(day),
                    product_line_id: line.map(|l| lines[l]),
                    expected_close_on: expected_close.map(|close| close.map(|d| day(d).date_naive())),
                    ..OpportunityEdit::default()
                };
                unscoped::edit_opportunity(db, org, None, id, &edit).map(drop)
            }
            Op::Delete { opportunity, index } | Op::Restore { opportunity, index } => {
                let (table, list) =
                    if *opportunity { ("opportunities", &opportunity_ids) } else { ("activities", &activity_ids) };
                let id = list[index % list.len()];
                if matches!(op, Op::Delete { .. }) {
                    unscoped::soft_delete(db, org, table, id, None).map(drop)
                } else {
                    unscoped::restore(db, org, table, id, None).map(drop)
                }
            }
        };
    }
    let incremental = kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}"));
    let latest = latest_times(db, org);
    db.transaction(|db| kpi::rebuild(db, org)).unwrap_or_else(|e| panic!("{e}"));
    let rebuilt = kpi::snapshot(db, org).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(latest, latest_times(db, org), "after {ops:?}");
    assert_eq!(incremental.len(), rebuilt.len(), "after {ops:?}");
    for (a, b) in incremental.iter().zip(&rebuilt) {
        assert_eq!(a, b, "after {ops:?}");
    }
    // Sanity: the sequence really reached the rollups.
    let cells = db.query_i64("SELECT COUNT(*) FROM rollup_cells WHERE org_id = ?", &[Value::Int(org.0)]).unwrap_or(0);
    assert!(cells > 0);
}

/// An opportunity's id, last activity and last stage change.
type Latest = (i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Each opportunity's last activity and last stage change, as stored.
fn latest_times(db: &mut quotient_store::Db, org: orgs::OrgId) -> Vec<Latest> {
    db.query_map(
        "SELECT id, last_activity_at, last_stage_change_at FROM opportunities WHERE org_id = ? ORDER BY id",
        &[Value::Int(org.0)],
        |row| Ok((row.int(0)?.unwrap_or_default(), row.timestamp(1)?, row.timestamp(2)?)),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(make: impl Fn() -> Option<TestDb>) {
    let mut runner = TestRunner::new(Config { cases: 24, failure_persistence: None, ..Config::default() });
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        if let Some(mut test) = make() {
            check(&mut test, &ops);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn incremental_rollups_equal_a_rebuild_on_sqlite() {
    run(|| Some(TestDb::sqlite()));
}

#[test]
fn incremental_rollups_equal_a_rebuild_on_postgres() {
    run(TestDb::postgres);
}

/// The history revision moves with a write dated before the current month, and not with one of
/// today: what is learnt from whole past months is kept while reps log today's work.
fn history_revision_moves_only_with_past_months(test: &mut TestDb) {
    let org = test.org("acme").id;
    bundle::import(&mut test.db, org, &fixture("valid"), &mut Silent).unwrap_or_else(|e| panic!("{e}"));
    let rep = ids(test, "SELECT id FROM reps WHERE external_id = 'R1'")[0];
    let db = &mut test.db;
    let revisions = |db: &mut quotient_store::Db| {
        [Revision::Data, Revision::History].map(|kind| orgs::revision(db, org, kind).unwrap_or_else(|e| panic!("{e}")))
    };
    let log = |db: &mut quotient_store::Db, occurred_at: DateTime<Utc>| {
        let activity = NewActivity {
            rep_id: rep,
            kind: ActivityType::ColdCall,
            occurred_at,
            account_id: None,
            contact_id: None,
            opportunity_id: None,
            outcome: None,
        };
        unscoped::log_activity(db, org, None, &activity).unwrap_or_else(|e| panic!("{e}"));
    };
    let [data, history] = revisions(db);
    log(db, Utc::now());
    assert_eq!(revisions(db), [data + 1, history], "today's call leaves the history as it was");
    // The last day of the previous month.
    let this_month = Utc::now().date_naive().with_day(1).unwrap_or_default();
    log(db, (this_month - Duration::days(1)).and_hms_opt(12, 0, 0).unwrap_or_default().and_utc());
    assert_eq!(revisions(db), [data + 2, history + 1], "a call of last month changes the history");
    db.transaction(|db| kpi::rebuild(db, org)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(revisions(db), [data + 3, history + 2], "a rebuild may change anything");
}

#[test]
fn history_revision_moves_only_with_past_months_on_sqlite() {
    history_revision_moves_only_with_past_months(&mut TestDb::sqlite());
}

#[test]
fn history_revision_moves_only_with_past_months_on_postgres() {
    if let Some(mut test) = TestDb::postgres() {
        history_revision_moves_only_with_past_months(&mut test);
    }
}

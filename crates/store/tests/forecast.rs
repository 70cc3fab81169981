//! The forecast on SQLite and PostgreSQL: a deal's category overridden and audited, a stage's
//! default, calls and adjustments kept apart and rolled up the hierarchy with quota, the weekly
//! snapshot taken once per week, and what changed since the last one.
//!
//! The fixture: E1 (executive) over M1 (manager) over reps R1 and R2. R1's O3 (4,500.00, open,
//! expected 2026-06-30) is the one open deal; O1 (12,000.00) was won on 2026-03-31.

mod common;

use common::{TestDb, fixture, ok, refused, viewer_of};
use quotient_core::forecast::{Call, Category, ChangeKind, Coverage};
use quotient_core::model::UserRole;
use quotient_store::access::Viewer;
use quotient_store::audit;
use quotient_store::crm::pipeline_config::StageInput;
use quotient_store::ids::{OpportunityId, RepId};
use quotient_store::kpi::Directory;
use quotient_store::ops::forecast::{self, AdjustCall, ChangesQuery, ForecastQuery, SetCategory, SubmitCall};
use quotient_store::ops::settings;
use quotient_store::orgs::Organisation;
use quotient_store::{Code, Value, bundle};

/// The roll-up as `viewer` reads it, with the directory loaded as a request has it.
fn rollup(test: &mut TestDb, viewer: &Viewer, query: &ForecastQuery) -> quotient_store::Result<forecast::Forecast> {
    let directory = Directory::load(&mut test.db, viewer.org)?;
    forecast::forecast(&mut test.db, viewer, &directory, query)
}

/// The week's changes as `viewer` reads them.
fn week_changes(
    test: &mut TestDb,
    viewer: &Viewer,
    query: &ChangesQuery,
) -> quotient_store::Result<forecast::WeekChanges> {
    let directory = Directory::load(&mut test.db, viewer.org)?;
    forecast::changes(&mut test.db, viewer, &directory, query)
}

fn setup(test: &mut TestDb) -> (Organisation, Viewer) {
    let org = test.org("acme");
    bundle::import(&mut test.db, org.id, &fixture("valid"), &mut bundle::Silent).unwrap_or_else(|e| panic!("{e}"));
    let directory = Directory::load(&mut test.db, org.id).unwrap_or_else(|e| panic!("{e}"));
    (org.clone(), Viewer::operator(org.id, &directory))
}

fn id_of(test: &mut TestDb, org: &Organisation, table: &str, external_id: &str) -> i64 {
    test.db
        .query_i64(
            &format!("SELECT id FROM {table} WHERE org_id = ? AND external_id = ?"),
            &[org.id.value(), Value::text(external_id)],
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn set(o3: i64, category: &str) -> SetCategory {
    SetCategory { opportunity: OpportunityId(o3), category: category.into() }
}

fn an_override_is_the_owners_or_their_managers_and_audited(test: &mut TestDb) {
    let (org, admin) = setup(test);
    let o1 = id_of(test, &org, "opportunities", "O1");
    let o3 = id_of(test, &org, "opportunities", "O3");
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let r2 = viewer_of(test, &org, "R2", UserRole::Rep);
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    // No stage default: an open deal is pipeline, a won one closed.
    assert_eq!(ok(forecast::deal_category(&mut test.db, &r1, OpportunityId(o3))).category, Category::Pipeline);
    assert_eq!(ok(forecast::deal_category(&mut test.db, &r1, OpportunityId(o1))).category, Category::Closed);
    let after = ok(forecast::set_category(&mut test.db, &r1, &set(o3, "commit")));
    assert_eq!((after.category, after.overridden), (Category::Commit, Some(Category::Commit)));
    // R2 does not reach R1's deal; closed is no call; a won deal keeps its category.
    assert_eq!(
        refused(forecast::set_category(&mut test.db, &r2, &set(o3, "best_case"))),
        [("opportunity_id", Code::OpportunityOutOfReach)]
    );
    assert_eq!(
        refused(forecast::set_category(&mut test.db, &r1, &set(o3, "closed"))),
        [("category", Code::ForecastCategory)]
    );
    assert_eq!(
        refused(forecast::set_category(&mut test.db, &r1, &set(o1, "commit"))),
        [("opportunity_id", Code::OpportunityNotOpen)]
    );
    // The stage's default applies once the manager clears the override.
    let stage = test
        .db
        .query_opt(
            "SELECT stage FROM opportunities WHERE org_id = ? AND id = ?",
            &[org.id.value(), Value::Int(o3)],
            |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_default();
    let stages = ok(settings::pipeline_setup(&mut test.db, &admin)).stages;
    let stage_input = |key: &str, category: &str| {
        let current = stages.iter().find(|s| s.key == key).cloned();
        let current = current.unwrap_or_else(|| panic!("stage {key}"));
        StageInput {
            key: key.into(),
            name: current.name,
            probability_pct: (current.probability_bp / 100).to_string(),
            forecast_category: category.into(),
            ..StageInput::default()
        }
    };
    let input = stage_input(&stage, "best_case");
    let saved = ok(settings::save_stage(&mut test.db, &admin, &input));
    assert_eq!(saved.forecast_category, Some(Category::BestCase));
    let cleared = ok(forecast::set_category(&mut test.db, &m1, &set(o3, "")));
    assert_eq!((cleared.category, cleared.overridden), (Category::BestCase, None));
    let won = stage_input("won", "commit");
    assert_eq!(refused(settings::save_stage(&mut test.db, &admin, &won)), [("forecast_category", Code::StageNotOpen)]);
    let closed = stage_input(&input.key, "closed");
    assert_eq!(
        refused(settings::save_stage(&mut test.db, &admin, &closed)),
        [("forecast_category", Code::ForecastCategory)]
    );
    // Two entries: R1's commit, then M1's clearing, each with before and after.
    let history = ok(audit::history(&mut test.db, org.id, "forecast_overrides", o3));
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["update", "delete"]);
    assert_eq!(history[0].after, Some(serde_json::json!({ "forecast_category": "commit" })));
    assert_eq!(history[1].user, m1.actor());
}

/// R1's revenue quota for the second quarter of 2026: 5,000.00.
fn add_q2_quota(test: &mut TestDb, org: &Organisation) {
    let r1 = id_of(test, org, "reps", "R1");
    test.db
        .execute(
            "INSERT INTO quotas (org_id, id, external_id, rep_id, period, period_start, period_end, metric, target)
             VALUES (?, 900, 'Q-R1-2026-Q2', ?, '2026-Q2', ?, ?, 'revenue', 500000)",
            &[org.id.value(), Value::Int(r1), Value::Date(day("2026-04-01")), Value::Date(day("2026-07-01"))],
        )
        .unwrap_or_else(|e| panic!("{e}"));
}

fn q2(today: &str, team: Option<&str>) -> ForecastQuery {
    ForecastQuery { period: "2026-Q2".into(), team: team.map(str::to_string), today: day(today) }
}

fn calls_and_adjustments_roll_up_with_quota(test: &mut TestDb) {
    let (org, admin) = setup(test);
    add_q2_quota(test, &org);
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let r1_id = r1.rep_id.unwrap_or_default();
    let call = SubmitCall { period: "2026-Q2".into(), commit_cents: 300_000, best_case_cents: 450_000 };
    ok(forecast::submit_call(&mut test.db, &r1, &call));
    let adjust = |rep, note: &str| AdjustCall {
        period: "2026-Q2".into(),
        rep: RepId(rep),
        commit_cents: 200_000,
        best_case_cents: 450_000,
        note: note.into(),
    };
    ok(forecast::adjust_call(&mut test.db, &m1, &adjust(r1_id, "Procurement has not started")));
    // A rep adjusts nobody; a manager needs a note; a best case below the commit is no call.
    assert_eq!(
        refused(forecast::adjust_call(&mut test.db, &r1, &adjust(r1_id, "x"))),
        [("rep_id", Code::ForecastCallNotYours)]
    );
    assert_eq!(refused(forecast::adjust_call(&mut test.db, &m1, &adjust(r1_id, " "))), [("note", Code::Required)]);
    let low = SubmitCall { period: "2026-W14".into(), commit_cents: 10, best_case_cents: 5 };
    assert_eq!(
        refused(forecast::submit_call(&mut test.db, &r1, &low)),
        [("period", Code::ForecastPeriod), ("best_case_cents", Code::BestCaseBelowCommit)]
    );
    // A call beyond any sale (here i64::MAX cents) is refused, not summed up the hierarchy.
    let huge = SubmitCall { period: "2026-Q2".into(), commit_cents: i64::MAX, best_case_cents: i64::MAX };
    assert_eq!(
        refused(forecast::submit_call(&mut test.db, &r1, &huge)),
        [("commit_cents", Code::Amount), ("best_case_cents", Code::Amount)]
    );

    let whole = ok(rollup(test, &admin, &q2("2026-04-15", None)));
    let line = |external_id: &str| {
        whole.lines.iter().find(|l| l.external_id == external_id).unwrap_or_else(|| panic!("{external_id}")).clone()
    };
    let r1_line = line("R1");
    // O3 is pipeline (no override, no stage default): 4,500.00 against a gap of 5,000.00 → 90%.
    assert_eq!(r1_line.rolled.deals.pipeline, 450_000);
    assert_eq!((r1_line.rolled.quota_cents, r1_line.rolled.gap_cents), (Some(500_000), Some(500_000)));
    assert_eq!(r1_line.rolled.coverage, Some(Coverage { commit_bp: 0, best_case_bp: 0, pipeline_bp: 9_000 }));
    // R1's own call stays beside the manager's adjustment, which is what counts upwards.
    assert_eq!(r1_line.rolled.call, Some(Call { commit_cents: 300_000, best_case_cents: 450_000 }));
    assert_eq!(r1_line.rolled.effective_call, Call { commit_cents: 200_000, best_case_cents: 450_000 });
    assert_eq!(r1_line.adjustment_note.as_deref(), Some("Procurement has not started"));
    // M1: R1's 2,000.00 / 4,500.00 and R2's pre-fill of nothing; the quota is R1's alone.
    let m1_line = line("M1");
    assert_eq!(m1_line.rolled.rolled_call, Call { commit_cents: 200_000, best_case_cents: 450_000 });
    assert_eq!(m1_line.rolled.quota_cents, Some(500_000));
    let organisation = whole.organisation.unwrap_or_else(|| panic!("the organisation"));
    assert_eq!((organisation.quota_cents, organisation.deals.pipeline), (Some(500_000), 450_000));
    assert!(!r1_line.stale);

    // A rep sees their own line only, a manager their subtree; neither sees the organisation.
    let own = ok(rollup(test, &r1, &q2("2026-04-15", None)));
    assert_eq!(own.lines.iter().map(|l| l.external_id.as_str()).collect::<Vec<_>>(), ["R1"]);
    assert!(own.organisation.is_none());
    let team = ok(rollup(test, &m1, &q2("2026-04-15", Some("M1"))));
    assert_eq!(team.lines.iter().map(|l| l.external_id.as_str()).collect::<Vec<_>>(), ["M1", "R1", "R2"]);
    assert_eq!(refused(rollup(test, &m1, &q2("2026-04-15", Some("E1")))), [("team", Code::SubjectOutOfReach)]);
    // In Q1, O1's 12,000.00 won on 31 March is closed; R1's March quota of 10,000.00 counts whole
    // in the quarter, so the gap is 0 and there is nothing left to cover.
    let q1 = ForecastQuery { period: "2026-Q1".into(), team: None, today: day("2026-04-15") };
    let q1 = ok(rollup(test, &admin, &q1));
    let r1_q1 = q1.lines.iter().find(|l| l.external_id == "R1").unwrap_or_else(|| panic!("R1"));
    assert_eq!((r1_q1.rolled.deals.closed, r1_q1.rolled.quota_cents), (1_200_000, Some(1_000_000)));
    assert_eq!((r1_q1.rolled.gap_cents, r1_q1.rolled.coverage), (Some(0), None));
    // Seven days without an update: stale.
    let later = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
    let stale = ok(rollup(test, &admin, &q2(&later, None)));
    assert!(stale.lines.iter().find(|l| l.external_id == "R1").is_some_and(|l| l.stale));
}

fn a_week_is_snapshotted_once_and_its_changes_classified(test: &mut TestDb) {
    let (org, admin) = setup(test);
    let o3 = id_of(test, &org, "opportunities", "O3");
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    // The first read of week 15 takes its snapshot; the next read and the operator find it taken.
    let first = ok(rollup(test, &r1, &q2("2026-04-06", None)));
    assert_eq!(first.snapshot_taken.as_deref(), Some("2026-W15"));
    assert_eq!(ok(rollup(test, &r1, &q2("2026-04-07", None))).snapshot_taken, None);
    assert_eq!(ok(forecast::take_snapshot(&mut test.db, &admin, day("2026-04-08"))).deals, None);
    assert_eq!(test.count("forecast_snapshot_deals", &org), 1);
    assert!(refused_permission(forecast::take_snapshot(&mut test.db, &r1, day("2026-04-08"))));

    // During week 16: O3 grows to 5,000.00, is committed, and slips from 30 June to 31 July.
    let move_o3 = |test: &mut TestDb, amount: i64, close: &str| {
        test.db
            .execute(
                "UPDATE opportunities SET amount_cents = ?, expected_close_on = ? WHERE org_id = ? AND id = ?",
                &[Value::Int(amount), Value::Date(day(close)), org.id.value(), Value::Int(o3)],
            )
            .unwrap_or_else(|e| panic!("{e}"));
    };
    move_o3(test, 500_000, "2026-07-31");
    ok(forecast::set_category(&mut test.db, &r1, &set(o3, "commit")));
    let week16 = ok(week_changes(test, &r1, &ChangesQuery { team: None, today: day("2026-04-13") }));
    assert_eq!(week16.since.as_deref(), Some("2026-W15"));
    let kinds: Vec<ChangeKind> = week16.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::AmountUp, ChangeKind::CategoryChanged, ChangeKind::Pushed]);
    assert_eq!(week16.total.get(&ChangeKind::Pushed), Some(&1));
    assert_eq!(week16.by_rep.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), ["R1"]);

    // Week 16's snapshot holds 31 July; in week 17 it slips again, to 31 August: pushed twice.
    ok(forecast::take_snapshot(&mut test.db, &admin, day("2026-04-13")));
    move_o3(test, 500_000, "2026-08-31");
    let week17 = ok(week_changes(test, &admin, &ChangesQuery { team: Some("M1".into()), today: day("2026-04-20") }));
    let kinds: Vec<ChangeKind> = week17.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::Pushed, ChangeKind::PushedRepeatedly]);
    assert_eq!(week17.changes[1].pushes, 2);

    // Won in week 18: gone from the open pipeline, and counted as won.
    ok(forecast::take_snapshot(&mut test.db, &admin, day("2026-04-20")));
    test.db
        .execute(
            "UPDATE opportunities SET status = 'won', stage = 'won', closed_at = ? WHERE org_id = ? AND id = ?",
            &[Value::Timestamp(chrono::Utc::now()), org.id.value(), Value::Int(o3)],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let week18 = ok(week_changes(test, &admin, &ChangesQuery { team: None, today: day("2026-04-27") }));
    assert_eq!(week18.changes.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::Won]);
}

/// An open or won deal of `owner` copied from O3 (its account and stage), closing or closed on `on`.
fn add_deal(test: &mut TestDb, org: &Organisation, (id, owner): (i64, &str), amount: i64, on: &str, won: bool) {
    let owner = id_of(test, org, "reps", owner);
    let (status, closed_at) = if won { ("won", Some(day(on))) } else { ("open", None) };
    let closed_at =
        closed_at.map_or(Value::Null, |d| Value::Timestamp(d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()));
    test.db
        .execute(
            "INSERT INTO opportunities (org_id, id, external_id, account_id, owner_id, amount_cents, created_at,
                 expected_close_on, closed_at, status, stage)
             SELECT org_id, ?, ?, account_id, ?, ?, created_at, ?, ?, ?, CASE WHEN ? = 'won' THEN 'won' ELSE stage END
             FROM opportunities WHERE org_id = ? AND external_id = 'O3'",
            &[
                Value::Int(id),
                Value::owned(format!("O{id}")),
                Value::Int(owner),
                Value::Int(amount),
                Value::Date(day(on)),
                closed_at,
                Value::text(status),
                Value::text(status),
                org.id.value(),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A manager's roll-up reads only their subtree's rows and a rep's only their own, and each line is
/// the organisation's line of the same person: deals, calls, adjustments, quota and plan share.
/// A rep's reads never show another's deal.
fn a_subtree_reads_its_own_rows_and_equals_the_organisations_lines(test: &mut TestDb) {
    let (org, admin) = setup(test);
    add_q2_quota(test, &org);
    add_deal(test, &org, (901, "R2"), 250_000, "2026-05-15", false);
    add_deal(test, &org, (902, "R2"), 120_000, "2026-04-10", true);
    add_deal(test, &org, (903, "E1"), 700_000, "2026-06-01", false);
    let o901 = id_of(test, &org, "opportunities", "O901");
    let o3 = id_of(test, &org, "opportunities", "O3");
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let r2 = viewer_of(test, &org, "R2", UserRole::Rep);
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    ok(forecast::set_category(&mut test.db, &r2, &set(o901, "best_case")));
    let call = |commit_cents, best_case_cents| SubmitCall { period: "2026-Q2".into(), commit_cents, best_case_cents };
    ok(forecast::submit_call(&mut test.db, &r1, &call(100_000, 400_000)));
    ok(forecast::submit_call(&mut test.db, &r2, &call(120_000, 370_000)));
    ok(forecast::submit_call(&mut test.db, &m1, &call(200_000, 800_000)));
    let adjust = AdjustCall {
        period: "2026-Q2".into(),
        rep: RepId(r2.rep_id.unwrap_or_default()),
        commit_cents: 120_000,
        best_case_cents: 300_000,
        note: "Globex waits for budget".into(),
    };
    ok(forecast::adjust_call(&mut test.db, &m1, &adjust));
    let query = q2("2026-04-15", None);
    let whole = ok(rollup(test, &admin, &query));
    let lines_of = |people: &[&str]| -> Vec<forecast::ForecastLine> {
        whole.lines.iter().filter(|l| people.contains(&l.external_id.as_str())).cloned().collect()
    };
    // R2: the 2,500.00 best case and the 1,200.00 won; M1 sums both reps; the organisation adds E1's
    // own 7,000.00, which no one beneath E1 sees.
    let r2_line = &lines_of(&["R2"])[0];
    assert_eq!((r2_line.rolled.deals.best_case, r2_line.rolled.deals.closed), (250_000, 120_000));
    let m1_line = &lines_of(&["M1"])[0];
    assert_eq!(
        (m1_line.rolled.deals.pipeline, m1_line.rolled.deals.best_case, m1_line.rolled.deals.closed),
        (450_000, 250_000, 120_000)
    );
    assert_eq!(whole.organisation.as_ref().map(|o| o.deals.pipeline), Some(1_150_000));

    let team = ok(rollup(test, &m1, &query));
    assert_eq!(team.lines, lines_of(&["M1", "R1", "R2"]));
    assert!(team.organisation.is_none());
    let asked = ok(rollup(test, &admin, &q2("2026-04-15", Some("M1"))));
    assert_eq!(asked.lines, lines_of(&["M1", "R1", "R2"]));
    let own = ok(rollup(test, &r2, &query));
    assert_eq!(own.lines, lines_of(&["R2"]));
    assert_eq!(own.lines[0].adjustment_note.as_deref(), Some("Globex waits for budget"));

    // A rep's deal list and changes hold only their own deals.
    let asked = [OpportunityId(o3), OpportunityId(o901)];
    let categories = ok(forecast::deal_categories(&mut test.db, &r1, &asked));
    assert_eq!(categories.keys().copied().collect::<Vec<_>>(), [o3]);
    let both = ok(forecast::deal_categories(&mut test.db, &m1, &asked));
    assert_eq!(
        both.get(&o901).map(|c| (c.category, c.overridden)),
        Some((Category::BestCase, Some(Category::BestCase)))
    );
    assert_eq!(both.get(&o3).map(|c| c.category), Some(Category::Pipeline));
    ok(forecast::take_snapshot(&mut test.db, &admin, day("2026-04-06")));
    test.db
        .execute(
            "UPDATE opportunities SET amount_cents = amount_cents + 100 WHERE org_id = ? AND status = 'open'",
            &[org.id.value()],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let changes = ok(week_changes(test, &r1, &ChangesQuery { team: None, today: day("2026-04-13") }));
    assert_eq!(changes.changes.iter().map(|c| c.opportunity).collect::<Vec<_>>(), [o3]);
    let team_changes = ok(week_changes(test, &m1, &ChangesQuery { team: None, today: day("2026-04-13") }));
    let mut deals: Vec<i64> = team_changes.changes.iter().map(|c| c.opportunity).collect();
    deals.sort_unstable();
    assert_eq!(deals, [o3, o901]);
}

/// The organisation's category totals are kept by revision: a read after a planted row shows it
/// (so the kept row was read), an override or a write of the pipeline computes them again, and a
/// manager's roll-up reads its own rows, never the kept ones.
fn the_organisations_totals_are_kept_until_a_deal_or_an_override_is_written(test: &mut TestDb) {
    let (org, admin) = setup(test);
    let o3 = id_of(test, &org, "opportunities", "O3");
    let r1 = viewer_of(test, &org, "R1", UserRole::Rep);
    let m1 = viewer_of(test, &org, "M1", UserRole::Manager);
    let query = q2("2026-04-15", None);
    let totals = |test: &mut TestDb, viewer: &Viewer| {
        let read = ok(rollup(test, viewer, &query));
        let r1_line = read.lines.iter().find(|l| l.external_id == "R1").map(|l| l.rolled.deals);
        r1_line.map(|d| (d.pipeline, d.commit))
    };
    assert_eq!(totals(test, &admin), Some((450_000, 0)));
    assert_eq!(test.count("forecast_totals", &org), 1);
    let planted = Value::owned(format!("{}:1:0:0:0:0", id_of(test, &org, "reps", "R1")));
    let plant = |test: &mut TestDb| {
        let marked = test.db.execute("UPDATE forecast_totals SET by_rep = ?", std::slice::from_ref(&planted));
        assert_eq!(marked.unwrap_or_else(|e| panic!("{e}")), 1);
    };
    plant(test);
    assert_eq!(totals(test, &admin), Some((1, 0)));
    assert_eq!(totals(test, &m1), Some((450_000, 0)));
    // An override moves the categories revision: summed again.
    ok(forecast::set_category(&mut test.db, &r1, &set(o3, "commit")));
    assert_eq!(totals(test, &admin), Some((0, 450_000)));
    // A setting moves the pipeline revision: summed again.
    plant(test);
    assert_eq!(totals(test, &admin), Some((1, 0)));
    let write = settings::SaveSettings { values: vec![("method.forecast_stale_after_days".into(), "9".into())] };
    ok(settings::save_settings(&mut test.db, &admin, &write));
    assert_eq!(totals(test, &admin), Some((0, 450_000)));
    // Another day replaces the kept row.
    ok(rollup(test, &admin, &q2("2026-04-16", None)));
    assert_eq!(test.count("forecast_totals", &org), 1);
}

/// A manager who also carries a rep's login (a player-coach signed in as a rep) reaches only their
/// own line, even when naming their own team; the week's changes likewise.
fn a_player_coach_signed_in_as_a_rep_sees_only_their_own_line(test: &mut TestDb) {
    let (org, admin) = setup(test);
    add_q2_quota(test, &org);
    add_deal(test, &org, (901, "R2"), 250_000, "2026-05-15", false);
    let o901 = id_of(test, &org, "opportunities", "O901");
    let coach = viewer_of(test, &org, "M1", UserRole::Rep);
    let own = ok(rollup(test, &coach, &q2("2026-04-15", None)));
    assert_eq!(own.lines.iter().map(|l| l.external_id.as_str()).collect::<Vec<_>>(), ["M1"]);
    let named = ok(rollup(test, &coach, &q2("2026-04-15", Some("M1"))));
    assert_eq!(named.lines, own.lines);
    assert!(named.organisation.is_none());
    assert_eq!(refused(rollup(test, &coach, &q2("2026-04-15", Some("E1")))), [("team", Code::SubjectOutOfReach)]);
    // R2's deal changes after the snapshot: the organisation sees it, the coach does not.
    ok(forecast::take_snapshot(&mut test.db, &admin, day("2026-04-06")));
    test.db
        .execute("UPDATE opportunities SET amount_cents = amount_cents + 100 WHERE id = ?", &[Value::Int(o901)])
        .unwrap_or_else(|e| panic!("{e}"));
    let asked = |team: Option<&str>| ChangesQuery { team: team.map(Into::into), today: day("2026-04-13") };
    let seen = |changes: forecast::WeekChanges| changes.changes.iter().any(|c| c.opportunity == o901);
    assert!(seen(ok(week_changes(test, &admin, &asked(Some("M1"))))));
    assert!(!seen(ok(week_changes(test, &coach, &asked(Some("M1"))))));
}

fn refused_permission<T: std::fmt::Debug>(result: quotient_store::Result<T>) -> bool {
    matches!(result, Err(quotient_store::StoreError::NotPermitted))
}

on_both_backends!(
    a_player_coach_signed_in_as_a_rep_sees_only_their_own_line,
    an_override_is_the_owners_or_their_managers_and_audited,
    calls_and_adjustments_roll_up_with_quota,
    a_week_is_snapshotted_once_and_its_changes_classified,
    a_subtree_reads_its_own_rows_and_equals_the_organisations_lines,
    the_organisations_totals_are_kept_until_a_deal_or_an_override_is_written,
);

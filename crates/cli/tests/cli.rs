//! The command line as a user runs it: the demo, import and export, on SQLite and PostgreSQL.

mod common;

use common::*;
use quotient_store::testing::TestSchema;
use std::path::Path;

/// `quotient import` of a bundle, then `quotient incentives --apply` of each year's plans file
/// beside it: the import reads only the CSV files (docs/BUNDLE.md).
fn import_with_plans(url: &str, dir: &Path) -> String {
    let imported = succeed(url, &["import", &dir.to_string_lossy()]);
    let mut plans: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    plans.sort();
    for path in plans {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let year = name.strip_prefix("plans-").unwrap_or_else(|| panic!("{name}"));
        succeed(url, &["incentives", "--year", year, "--file", &path.to_string_lossy(), "--apply"]);
    }
    imported
}

/// demo --out → import (with its plans file) → export gives back the demo's files byte for byte,
/// and export → import → export gives the same files again.
fn demo_bundle_round_trips(first: &str, second: &str) {
    let work = temp();
    let (demo, once, twice) = (work.path().join("demo"), work.path().join("once"), work.path().join("twice"));
    let as_path = |p: &Path| p.to_string_lossy().into_owned();
    succeed(
        first,
        &["demo", "--reps", "12", "--years", "1", "--as-of", "2026-06-30", "--seed", "3", "--out", &as_path(&demo)],
    );
    let imported = import_with_plans(first, &demo);
    assert!(imported.contains("opportunities.csv"), "{imported}");
    succeed(first, &["export", &as_path(&once)]);
    assert_eq!(files(&demo), files(&once));
    import_with_plans(second, &once);
    succeed(second, &["export", &as_path(&twice)]);
    assert_eq!(files(&once), files(&twice));
    let again = succeed(first, &["import", &as_path(&demo)]);
    assert!(again.contains(": 0 inserted, 0 updated"), "re-importing changes nothing:\n{again}");
}

#[test]
fn demo_bundle_round_trips_on_sqlite() {
    let dbs = temp();
    let url = |name: &str| format!("sqlite://{}", dbs.path().join(name).display());
    demo_bundle_round_trips(&url("first.db"), &url("second.db"));
}

#[test]
fn demo_bundle_round_trips_on_postgres_and_into_sqlite() {
    let Some(schema) = TestSchema::create("cli") else { return };
    let dbs = temp();
    demo_bundle_round_trips(&schema.url, &format!("sqlite://{}", dbs.path().join("second.db").display()));
    // The first import filled the tables and then set every opportunity's and score's derived
    // columns: their indexes are as compact as building them again makes them.
    let mut db = quotient_store::open(&schema.url).unwrap_or_else(|e| panic!("{e}"));
    let sizes = |db: &mut quotient_store::Db| {
        let sql = "SELECT CAST(indexrelid::regclass AS TEXT), pg_relation_size(indexrelid) FROM pg_index
                   WHERE indrelid IN ('opportunities'::regclass, 'feedback'::regclass) ORDER BY 1";
        let sizes = db.query_map(sql, &[], |row| Ok((row.text(0)?.unwrap_or_default().to_string(), row.int(1)?)));
        sizes.unwrap_or_else(|e| panic!("{e}"))
    };
    let imported = sizes(&mut db);
    assert!(imported.len() > 10, "{imported:?}");
    db.batch("REINDEX TABLE opportunities; REINDEX TABLE feedback").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported, sizes(&mut db));
}

#[test]
fn demo_imports_the_organisation_and_says_how_to_look_at_it() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("demo.db").display());
    let args = ["demo", "--reps", "8", "--years", "1", "--as-of", "2026-03-31", "--no-serve"];
    let stdout = succeed(&url, &args);
    assert!(stdout.contains(&format!("The demo organisation 'demo' is in {url}")), "{stdout}");
    assert!(stdout.contains("export demo-bundle"), "{stdout}");
    assert!(stdout.contains("report --period 2026-Q1 --team M1"), "{stdout}");
    assert!(stdout.contains("planned 2026: 192 monthly quotas from the company plan"), "{stdout}");
    // The suggested report works and shows team M1's reps and their total.
    let report = succeed(&url, &["report", "--period", "2026-Q1", "--team", "M1"]);
    assert!(report.starts_with("team M1"), "{report}");
    assert!(
        report.lines().any(|l| l.starts_with("R1 ")) && report.lines().any(|l| l.starts_with("total ")),
        "{report}"
    );
    let again = succeed(&url, &args);
    assert!(again.contains(": 0 inserted, 0 updated"), "the same seed and date give the same organisation:\n{again}");
    assert!(!again.contains("planned 2026"), "the year is planned once:\n{again}");
}

/// The demo's reps differ the way PRODUCT.md describes: win rates of roughly 15–45%, and most
/// cold calls do not turn into appointments.
#[test]
fn demo_reps_differ_in_skill_and_the_funnel_narrows() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("demo.db").display());
    succeed(&url, &["demo", "--reps", "30", "--years", "2", "--as-of", "2026-06-30", "--seed", "11", "--no-serve"]);
    let mut db = quotient_store::open(&url).unwrap_or_else(|e| panic!("{e}"));
    let win_rates = db
        .query_map(
            "SELECT SUM(CASE WHEN status = 'won' THEN 1 ELSE 0 END), COUNT(*) FROM opportunities WHERE status <> 'open' GROUP BY owner_id",
            &[],
            |row| Ok(row.int(0)?.unwrap_or(0) as f64 / row.int(1)?.unwrap_or(1) as f64),
        )
        .unwrap_or_default();
    assert_eq!(win_rates.len(), 30);
    let (low, high) = win_rates.iter().fold((1.0f64, 0.0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    assert!(low > 0.08 && low < 0.22, "the weakest rep's win rate {low:.3} is roughly 15%");
    assert!(high > 0.35 && high < 0.55, "the strongest rep's win rate {high:.3} is roughly 45%");
    let set = db
        .query_i64("SELECT COUNT(*) FROM activities WHERE type = 'cold_call' AND outcome = 'appointment_set'", &[])
        .unwrap_or(0);
    let calls = db.query_i64("SELECT COUNT(*) FROM activities WHERE type = 'cold_call'", &[]).unwrap_or(0);
    assert!(set * 5 < calls, "a minority of cold calls set appointments ({set} of {calls})");
    let never_touched = db
        .query_i64("SELECT COUNT(*) FROM leads WHERE source = 'company' AND first_touch_at IS NULL", &[])
        .unwrap_or(0);
    assert!(never_touched > 0, "some company leads are never followed up");
}

#[test]
fn an_invalid_bundle_exits_non_zero_and_says_where() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("bad.db").display());
    let bundle = temp();
    std::fs::write(bundle.path().join("reps.csv"), "rep_id,name,email,role\nR1,Ana,ana@example.com,boss\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let output = quotient(&url, &["import", &bundle.path().to_string_lossy()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("reps.csv:2:4: role: 'boss' is not one of: rep, manager, executive"), "{stderr}");
    assert!(stderr.contains("1 problem(s)") && stderr.contains("nothing was imported"), "{stderr}");
}

/// `quotient user add` with `password` in QUOTIENT_PASSWORD.
fn add_user(url: &str, password: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_quotient"))
        .args(["--database-url", url, "user", "add"])
        .args(args)
        .env("QUOTIENT_PASSWORD", password)
        .env_remove("QUOTIENT_ORG")
        .output()
        .unwrap_or_else(|e| panic!("running quotient: {e}"))
}

/// A user that cannot be added is refused in words, every bad field at once, and nothing is added.
#[test]
fn user_add_refuses_every_bad_field_in_words() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("users.db").display());
    let bundle = temp();
    std::fs::write(bundle.path().join("reps.csv"), "rep_id,name,email,role\nR1,Ana,ana@example.com,rep\n")
        .unwrap_or_else(|e| panic!("{e}"));
    succeed(&url, &["import", &bundle.path().to_string_lossy()]);
    let refused = |output: std::process::Output| {
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };

    let stderr =
        refused(add_user(&url, "short", &["ana@example.com", "--name", "Ana", "--role", "rep", "--rep", "R1"]));
    assert!(stderr.contains("password: Use a password of at least 8 characters."), "{stderr}");

    let stderr = refused(add_user(&url, "long enough", &["not-an-address", "--name", "Ana", "--role", "manager"]));
    assert!(stderr.contains("email: Enter an e-mail address: it has an @ and at most 254 characters."), "{stderr}");
    assert!(stderr.contains("rep: A manager or a rep needs the rep row they are"), "{stderr}");

    let stderr =
        refused(add_user(&url, "long enough", &["ana@example.com", "--name", "Ana", "--role", "rep", "--rep", "R9"]));
    assert!(stderr.contains("rep: There is no rep R9 in this organisation"), "{stderr}");
    assert!(!stderr.contains("email:"), "{stderr}");

    let added = add_user(&url, "long enough", &["Ana@Example.com", "--name", "Ana", "--role", "rep", "--rep", "R1"]);
    assert!(added.status.success(), "{added:?}");
    let stderr = refused(add_user(&url, "long enough", &["ana@example.com", "--name", "Ana", "--role", "admin"]));
    assert!(stderr.contains("email: There is already a user ana@example.com in this organisation"), "{stderr}");
    let listed = succeed(&url, &["user", "list"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
}

/// A yearly plan allocated from the demo's history sums to the plan exactly, to the cent and to the
/// deal, and its quotas import back as the reps' monthly quotas.
#[test]
fn a_plan_is_allocated_exactly_and_its_quotas_import() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("plan.db").display());
    succeed(&url, &["demo", "--reps", "8", "--years", "2", "--as-of", "2026-06-30", "--seed", "5", "--no-serve"]);
    let out = dbs.path().join("plan");
    let args = ["plan", "--year", "2027", "--revenue", "1000000.01", "--deals", "333", "--growth", "0.1"];
    let printed = succeed(&url, &[&args[..], &["--out", &out.to_string_lossy()]].concat());
    assert!(printed.contains("revenue plan") && printed.contains("deals plan"), "{printed}");
    assert!(printed.lines().any(|l| l.starts_with("total") && l.contains("1000000.01")), "{printed}");
    let mut reader = csv::Reader::from_path(out.join("quotas.csv")).unwrap_or_else(|e| panic!("{e}"));
    let (mut cents, mut deals, mut rows) = (0i64, 0i64, 0);
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{e}"));
        let target = &record[4];
        match &record[2] {
            "revenue" => cents += target.parse::<quotient_core::Money>().map_or(0, |m| m.cents()),
            _ => deals += target.parse::<i64>().unwrap_or(0),
        }
        rows += 1;
    }
    // Eight reps, twelve months, two metrics.
    assert_eq!((cents, deals, rows), (100_000_001, 333, 8 * 12 * 2));
    let imported = succeed(&url, &["import", &out.to_string_lossy()]);
    assert!(imported.contains("quotas.csv"), "{imported}");
    let report = succeed(&url, &["report", "--period", "2027", "--team", "M1", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["total"]["quotas"]["revenue_cents"], 100_000_001, "the team's quotas are the plan");
}

/// Activity goals set from the command line show in the report; a quota lowered by hand needs a
/// reason; bad input is refused by code.
#[test]
fn activity_goals_and_hand_quotas_go_through_the_operations() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("goals.db").display());
    succeed(&url, &["demo", "--reps", "8", "--years", "1", "--as-of", "2026-06-30", "--seed", "5", "--no-serve"]);
    let set = succeed(&url, &["goals", "--set", "R1:cold_calls:2026-W20=5", "--set", "R1:conversations:2026-05=4"]);
    assert!(set.contains("set 2 activity goal(s)"), "{set}");
    let listed = succeed(&url, &["goals", "--period", "2026-05"]);
    assert!(listed.contains("cold_calls") && listed.contains("2026-W20") && listed.contains("2026-05"), "{listed}");
    let bad = quotient(&url, &["goals", "--set", "R1:revenue:2026-Q1=5"]);
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success() && said.contains("goal_metric") && said.contains("goal_period"), "{said}");
    // The week's goal counts whole in its week: 5 cold calls.
    let report = succeed(&url, &["report", "--period", "2026-W20", "--rep", "R1", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}"));
    let goals = &report["reps"][0]["activity_goals"];
    assert_eq!((goals[0]["metric"].as_str(), goals[0]["goal"].as_f64()), (Some("cold_calls"), Some(5.0)), "{goals}");

    let plan = ["plan", "--year", "2027", "--revenue", "100", "--apply", "--beyond-history", "allocate"];
    succeed(&url, &[&plan[..], &["--as-of", "2026-12-05"]].concat());
    let lower = ["plan-adjust", "--year", "2027", "--quota", "R1=0", "--as-of", "2026-12-05"];
    let refused = quotient(&url, &lower);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("reason_for_lowering"), "{refused:?}");
    let lowered = succeed(&url, &[&lower[..], &["--reason", "Moved to key accounts"]].concat());
    assert!(lowered.contains("quotas of revenue for 2027"), "{lowered}");
}

/// The report's CSV is opened in spreadsheets: a rep's name typed as a formula is not run as one.
#[test]
fn the_report_csv_neutralises_names_that_start_like_a_formula() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("formula.db").display());
    let bundle = temp();
    std::fs::write(
        bundle.path().join("reps.csv"),
        "rep_id,name,email,role\nR1,\"=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\",ana@example.com,rep\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    succeed(&url, &["import", &bundle.path().to_string_lossy()]);
    let csv = succeed(&url, &["report", "--period", "2026-03", "--rep", "R1", "--format", "csv"]);
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
}

/// `quotient report --by`: the fixture's Q1 broken down by gateway type, lead source and lost
/// reason, as a table and as JSON.
#[test]
fn the_report_breaks_opportunities_down() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("breakdowns.db").display());
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid");
    succeed(&url, &["import", &fixture.to_string_lossy()]);
    // O2 lost for "price": 8,000.25.
    let lost = succeed(&url, &["report", "--period", "2026-Q1", "--by", "lost-reason"]);
    let row = lost.lines().find(|line| line.starts_with("price")).unwrap_or_else(|| panic!("{lost}"));
    assert_eq!(row.split_whitespace().collect::<Vec<_>>(), ["price", "1", "8000.25"], "{lost}");
    // O1, a demo, was won from a company lead: 1 first appointment, at the gateway and the
    // proposal, won for 12,000.
    let gateways = succeed(&url, &["report", "--period", "2026-Q1", "--by", "gateway", "--format", "json"]);
    let gateways: serde_json::Value = serde_json::from_str(&gateways).unwrap_or_else(|e| panic!("{e}: {gateways}"));
    let demo = gateways.as_array().and_then(|rows| rows.iter().find(|r| r["key"] == "demo")).cloned();
    let demo = demo.unwrap_or_else(|| panic!("{gateways}"));
    assert_eq!((demo["reached_proposal"].as_i64(), demo["revenue_cents"].as_i64()), (Some(1), Some(1_200_000)));
    let sources = succeed(&url, &["report", "--period", "2026-Q1", "--by", "source", "--format", "csv"]);
    assert!(sources.lines().any(|line| line.starts_with("company,1,1,1,1,0,")), "{sources}");
}

/// R1 and R2 under M1; R1 wins 6,000.00 twice in January 2025 and half of R2's 10,000.00 (split),
/// then 5,000.00 in February, against quotas of 10,000.00 a month.
fn incentives_bundle(dir: &Path) {
    let files = [
        (
            "reps.csv",
            "rep_id,name,email,manager_id,role\nM1,Max Manager,m1@example.com,,manager\nR1,Ana Rep,r1@example.com,M1,rep\nR2,Bo Rep,r2@example.com,M1,rep\n",
        ),
        (
            "opportunities.csv",
            "opportunity_id,owner_id,amount,created_at,closed_at,status\n\
             O1,R1,6000,2025-01-02T09:00:00Z,2025-01-10T12:00:00Z,won\n\
             O2,R1,6000,2025-01-02T09:00:00Z,2025-01-20T12:00:00Z,won\n\
             O3,R2,10000,2025-01-02T09:00:00Z,2025-01-15T12:00:00Z,won\n\
             O4,R1,5000,2025-01-02T09:00:00Z,2025-02-10T12:00:00Z,won\n",
        ),
        (
            "quotas.csv",
            "rep_id,period,metric,target\nR1,2025-01,revenue,10000\nR1,2025-02,revenue,10000\nR2,2025-01,revenue,20000\n",
        ),
        ("opportunity_splits.csv", "opportunity_id,rep_id,share_pct\nO3,R2,50\nO3,R1,50\n"),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn incentives_plans(year: i32, rate: &str) -> String {
    format!(
        r#"{{ "fiscal_year": {year}, "plans": [ {{ "name": "AE", "assignments": [ {{ "rep_id": "R1", "from": "{year}-01-01" }}, {{ "rep_id": "R2", "from": "{year}-01-01" }} ],
          "components": [ {{ "key": "bookings", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
            "tier_mode": "retroactive", "tiers": [ {{ "from": 0, "rate": "0.05" }}, {{ "from": 1, "rate": {rate} }} ] }} ] }} ] }}"#
    )
}

/// `quotient incentives` checks a plans file (the JSON path of a problem), replays it on the year
/// before and saves it only with --apply; `quotient statements` prints, approves and locks the
/// month's statements, and writes the payroll CSV.
#[test]
fn plans_are_tried_then_applied_and_statements_go_to_payroll() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("incentives.db").display());
    let bundle = temp();
    incentives_bundle(bundle.path());
    succeed(&url, &["import", &bundle.path().to_string_lossy()]);
    let files = temp();
    let write = |name: &str, text: &str| {
        let path = files.path().join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path.to_string_lossy().into_owned()
    };
    let bad = write("bad.json", &incentives_plans(2025, r#""0.08""#).replace(r#""rep_id": "R2""#, r#""rep_id": "R9""#));
    let refused = quotient(&url, &["incentives", "--year", "2025", "--file", &bad, "--apply"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && said.contains("plans[0].assignments[1].rep_id") && said.contains("R9"),
        "{said}"
    );
    // A 2026 draft replayed on 2025: R1 1,360.00 + 250.00 on 22,000.00; R2 250.00 on 5,000.00;
    // 1,860.00 of 27,000.00 is 6.89%.
    let draft = write("2026.json", &incentives_plans(2026, r#""0.08""#));
    let tried = succeed(&url, &["incentives", "--year", "2026", "--file", &draft]);
    assert!(tried.contains("1610.00") && tried.contains("6.89%") && tried.contains("nothing saved"), "{tried}");
    let listed = succeed(&url, &["statements", "--period", "2026-01", "--as-of", "2026-02-15", "--format", "json"]);
    assert_eq!(listed.trim(), "[]", "nothing was saved");

    let plans = write("2025.json", &incentives_plans(2025, "0.08"));
    succeed(&url, &["incentives", "--year", "2025", "--file", &plans, "--apply"]);
    let json = succeed(
        &url,
        &["statements", "--period", "2025-01", "--rep", "R1", "--as-of", "2025-02-15", "--format", "json"],
    );
    let sheets: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let bookings = &sheets[0]["components"][0];
    assert_eq!(bookings["attainment"], "1.7", "{json}");
    assert_eq!(bookings["earnings_cents"], 136_000, "{json}");
    assert_eq!(bookings["lines"].as_array().map(Vec::len), Some(3), "{json}");
    assert_eq!(sheets[0]["payable_cents"], 136_000, "{json}");
    let csv = succeed(&url, &["statements", "--period", "2025-01", "--as-of", "2025-02-15", "--format", "csv"]);
    assert_eq!(csv, "rep_id,name,period,payable\nR1,Ana Rep,2025-01,1360.00\nR2,Bo Rep,2025-01,250.00\n");
    let early = quotient(&url, &["statements", "--period", "2025-02", "--as-of", "2025-02-15", "--approve"]);
    assert!(String::from_utf8_lossy(&early.stderr).contains("statement_month_open"), "{early:?}");
    succeed(&url, &["statements", "--period", "2025-01", "--as-of", "2025-02-15", "--approve"]);
    let locked = succeed(&url, &["statements", "--period", "2025-01", "--as-of", "2025-02-15", "--lock"]);
    assert!(locked.contains("locked") && locked.contains("1360.00"), "{locked}");
    let again = quotient(&url, &["statements", "--period", "2025-01", "--as-of", "2025-02-15", "--approve"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("statement_locked"), "{again:?}");
}

/// `quotient forecast` and `quotient snapshot` on the fixture: R1 won 12,000.00 in Q1 against a
/// March quota of 10,000.00; the week's snapshot is taken once; a week is no forecast period.
#[test]
fn the_forecast_rolls_up_and_the_snapshot_is_taken_once_a_week() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("forecast.db").display());
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid");
    succeed(&url, &["import", &fixture.to_string_lossy()]);
    let csv = succeed(&url, &["forecast", "--period", "2026-Q1", "--as-of", "2026-04-06", "--format", "csv"]);
    let r1 = csv.lines().find(|line| line.starts_with("R1,")).unwrap_or_else(|| panic!("{csv}"));
    // Closed 12,000.00; the effective commit is the pre-fill (closed + commit); quota 10,000.00, gap 0.
    assert!(r1.starts_with("R1,Ana Ruiz,12000.00,0.00,0.00,0.00,–,–,–,12000.00,10000.00,–,0.00,–"), "{csv}");
    assert!(csv.lines().any(|line| line.starts_with("organisation,,12000.00,")), "{csv}");
    // The forecast's read took week 15's snapshot: the command finds it taken.
    let again = succeed(&url, &["snapshot", "--as-of", "2026-04-08"]);
    assert!(again.contains("2026-W15 was taken already"), "{again}");
    let next = succeed(&url, &["snapshot", "--as-of", "2026-04-13"]);
    assert!(next.contains("snapshot of 2026-W16") && next.contains(": 1 open deals"), "{next}");
    let changes = succeed(&url, &["forecast", "--period", "2026-Q2", "--changes", "--as-of", "2026-04-20"]);
    assert!(changes.contains("changes since the snapshot of 2026-W16"), "{changes}");
    let week = quotient(&url, &["forecast", "--period", "2026-W05"]);
    let said = String::from_utf8_lossy(&week.stderr);
    assert!(!week.status.success() && said.contains("--period (forecast_period)"), "{said}");
    let won = quotient(&url, &["setting", "stage.won.forecast_category", "commit"]);
    assert!(String::from_utf8_lossy(&won.stderr).contains("stage_not_open"), "{won:?}");
}

//! A large organisation's views a page at a time: the leaderboard's top and the caller's own place,
//! the executive's teams on the dashboard and the goal-setting view, the plan's reps — each list cut
//! into pages that `?page=` reaches, whatever the organisation's size.

use super::{TestApp, TestSchema, block_on, fixture};
use axum::http::StatusCode;

/// Teams added under E1 beside M1, each of one rep.
const TEAMS: usize = 60;

/// The fixture with [`TEAMS`] more managers under E1 (M2 …), each with a rep of their own (R3 …).
fn large_bundle(dir: &std::path::Path) {
    for entry in std::fs::read_dir(fixture()).expect("fixture") {
        let path = entry.expect("file").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
    }
    let mut reps = std::fs::read_to_string(dir.join("reps.csv")).expect("reps");
    for i in 0..TEAMS {
        let (m, r) = (i + 2, i + 3);
        reps.push_str(&format!("M{m},Manager {m:02},m{m}@example.com,E1,,manager,2020-01-01\n"));
        reps.push_str(&format!("R{r},Rep {r:02},r{r}@example.com,M{m},T1,rep,2024-01-01\n"));
    }
    std::fs::write(dir.join("reps.csv"), reps).expect("reps");
}

fn count(body: &str, needle: &str) -> usize {
    body.matches(needle).count()
}

async fn a_large_organisation_is_shown_a_page_at_a_time(app: &TestApp) {
    let (executive, csrf) = app.sign_in("exec@acme.test").await;
    let (rep, _) = app.sign_in("r1@acme.test").await;
    let reps = TEAMS + 2;

    // The leaderboard: the first 50, then the rest; a rep finds their own place on any page.
    let first = app.get("/leaderboard?period=2026-Q1", &executive).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(count(&first.body, "data-rank="), 50, "{}", first.body);
    assert!(first.body.contains(r#"id="leaderboard-pages""#));
    let second = app.get("/leaderboard?period=2026-Q1&page=2", &executive).await;
    assert_eq!(count(&second.body, "data-rank="), reps - 50);
    assert!(second.body.contains(r#"data-rank="51""#));
    for page in 1..=2 {
        let mine = app.get(&format!("/leaderboard?period=2026-Q1&page={page}"), &rep).await;
        assert!(mine.body.contains(r#"id="own-position""#), "{}", mine.body);
        assert_eq!(count(&mine.body, r#"<tr class="total""#), 1, "the rep's own row, once: {}", mine.body);
    }

    // The dashboard: E1's teams, 50 to a page.
    let top = app.get("/dashboard?period=2026-Q1", &executive).await;
    let e1: String =
        top.body.split(r#"data-team=""#).nth(1).expect("E1's team").chars().take_while(char::is_ascii_digit).collect();
    let teams = app.get(&format!("/dashboard?period=2026-Q1&team={e1}"), &executive).await;
    assert_eq!(count(&teams.body, "<tr data-team="), 50, "{}", teams.body);
    assert!(teams.body.contains(r#"id="teams-pages""#));
    let rest = app.get(&format!("/dashboard?period=2026-Q1&team={e1}&page=2"), &executive).await;
    assert_eq!(count(&rest.body, "<tr data-team="), TEAMS + 1 - 50);

    // The goal-setting view opens on E1's teams summed; M1's team lists its reps.
    let goals = app.get("/goals", &executive).await;
    assert_eq!(goals.status, StatusCode::OK);
    assert_eq!(count(&goals.body, "<tr data-team="), 50, "{}", goals.body);
    assert!(!goals.body.contains(r#"id="set-goals""#), "E1 has no rep of their own");
    let (manager, _) = app.sign_in("manager@acme.test").await;
    let own = app.get("/goals?metric=cold_calls", &manager).await;
    assert!(own.body.contains(r#"id="set-goals""#) && !own.body.contains(r#"id="goal-teams""#), "{}", own.body);

    // The plan: its reps 50 to a page, the quotas of the others kept for the live difference.
    let executive_csrf = (executive.clone(), csrf);
    let plan = r#"{"revenue_cents": 12000000}"#;
    assert_eq!(app.send_json("PUT", "/api/v1/plans/2027", &executive_csrf, plan).await.status, StatusCode::OK);
    let path = "/api/v1/plans/2027/allocate?write=true&beyond_history=allocate";
    assert_eq!(app.send_json("POST", path, &executive_csrf, "").await.status, StatusCode::OK);
    let page = app.get("/plan?year=2027", &executive).await;
    assert_eq!(count(&page.body, "<tr data-rep="), 50, "{}", page.body);
    assert!(page.body.contains("data-others="));
    let last = app.get("/plan?year=2027&page=9", &executive).await;
    assert_eq!(count(&last.body, "<tr data-rep="), reps - 50, "a page past the end is the last");
}

#[test]
fn sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    large_bundle(dir.path());
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    block_on(a_large_organisation_is_shown_a_page_at_a_time(&TestApp::on_bundle(&url, dir.path())));
}

#[test]
fn postgres() {
    let dir = tempfile::tempdir().expect("temp dir");
    large_bundle(dir.path());
    if let Some(schema) = TestSchema::create("web") {
        let mut app = TestApp::on_bundle(&schema.url, dir.path());
        app.schema = Some(schema);
        block_on(a_large_organisation_is_shown_a_page_at_a_time(&app));
    }
}

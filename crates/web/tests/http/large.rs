//! A large organisation's views a page at a time: the leaderboard's top and the caller's own place,
//! the executive's teams on the dashboard and the goal-setting view, the plan's reps — each list cut
//! into pages that `?page=` reaches, whatever the organisation's size — and the plan's territory
//! weights, of which the form lists those set and takes others by name.

use super::{TestApp, TestSchema, block_on, fixture};
use axum::http::StatusCode;

/// Teams added under E1 beside M1, each of one rep.
const TEAMS: usize = 60;

/// The fixture with [`TEAMS`] more managers under E1 (M2 …), each with a rep of their own (R3 …)
/// in a territory of their own (T3 "East 03" …, in the region T-E).
fn large_bundle(dir: &std::path::Path) {
    for entry in std::fs::read_dir(fixture()).expect("fixture") {
        let path = entry.expect("file").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
    }
    let mut reps = std::fs::read_to_string(dir.join("reps.csv")).expect("reps");
    let mut territories = std::fs::read_to_string(dir.join("territories.csv")).expect("territories");
    territories.push_str("T-E,East region,East,\n");
    for i in 0..TEAMS {
        let (m, r) = (i + 2, i + 3);
        reps.push_str(&format!("M{m},Manager {m:02},m{m}@example.com,E1,,manager,2020-01-01\n"));
        reps.push_str(&format!("R{r},Rep {r:02},r{r}@example.com,M{m},T{r},rep,2024-01-01\n"));
        territories.push_str(&format!("T{r},East {r:02},East,T-E\n"));
    }
    // Two territories of one name: a name that is not enough to tell which.
    territories.push_str("T-X1,Twin,East,T-E\nT-X2,Twin,East,T-E\n");
    std::fs::write(dir.join("reps.csv"), reps).expect("reps");
    std::fs::write(dir.join("territories.csv"), territories).expect("territories");
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

    // The territory weights: none set, none listed, and rows to set some by name or id.
    assert!(page.body.contains(r#"id="weights-many""#), "{}", page.body);
    assert_eq!(count(&page.body, r#"name="w_"#), 0, "no weight set, none listed");
    assert_eq!(count(&page.body, r#"name="wn_"#), 3);
    let (cookie, csrf) = &executive_csrf;
    let plan_form = |weights: &str| format!("year=2027&revenue=120000&split=territories{weights}&_csrf={csrf}");
    let saved = app.post("/plan", cookie, &plan_form("&wn_1=east+05&wv_1=3&wn_2=T7&wv_2=1")).await;
    assert_eq!(saved.location.as_deref(), Some("/plan?year=2027&done=saved"), "{}", saved.body);
    let plan = super::json(&app.get("/api/v1/plans/2027", cookie).await);
    assert_eq!(plan["territory_weights"].as_array().map(Vec::len), Some(2), "{plan}");
    let page = app.get("/plan?year=2027", &executive).await;
    assert_eq!(count(&page.body, r#"name="w_"#), 2, "the weights set are listed");
    let weight_of = |name: &str| {
        let input = page.body.split(&format!("{name}<input")).nth(1).unwrap_or_default();
        input.split('>').next().unwrap_or_default().to_string()
    };
    assert!(weight_of("East 05").contains(r#"value="3""#), "by name, in any case: {}", page.body);
    assert!(weight_of("East 07").contains(r#"value="1""#), "by id: {}", page.body);

    // The listed weights are sent back with the form: kept, one more added by name, one emptied.
    let listed: Vec<String> = page
        .body
        .split(r#"name="w_"#)
        .skip(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .collect();
    let [first, second] = &listed[..] else { panic!("two weights listed: {listed:?}") };
    let kept = app.post("/plan", cookie, &plan_form(&format!("&w_{first}=3&w_{second}=1&wn_1=East+08&wv_1=2"))).await;
    assert_eq!(kept.location.as_deref(), Some("/plan?year=2027&done=saved"), "{}", kept.body);
    let weights = |plan: &serde_json::Value| plan["territory_weights"].as_array().map(Vec::len);
    assert_eq!(weights(&super::json(&app.get("/api/v1/plans/2027", cookie).await)), Some(3));
    let emptied = app.post("/plan", cookie, &plan_form(&format!("&w_{first}=&w_{second}=1&wn_1=East+08&wv_1=2"))).await;
    assert_eq!(emptied.location.as_deref(), Some("/plan?year=2027&done=saved"), "{}", emptied.body);
    let plan = super::json(&app.get("/api/v1/plans/2027", cookie).await);
    assert_eq!(weights(&plan), Some(2), "an emptied weight is removed: {plan}");

    // A manager sees their own reps' share: two reps, in the North region only.
    let (manager, _) = app.sign_in("manager@acme.test").await;
    let share = app.get("/plan?year=2027", &manager).await;
    assert_eq!(share.status, StatusCode::OK);
    assert_eq!(count(&share.body, "<tr data-rep="), 2, "{}", share.body);
    assert!(share.body.contains("North region") && !share.body.contains("East region"), "{}", share.body);

    // A name that is no territory's, or several territories', is refused; nothing is saved.
    for (weights, message) in [
        ("&wn_1=Nowhere&wv_1=2", "no territory 'Nowhere'"),
        ("&wn_1=Twin&wv_1=2", "Several territories are named 'Twin'"),
        ("&wn_1=&wv_1=2", "Fill in this field."),
        ("&wn_1=East+06&wv_1=many", "Enter a whole number of 0 or more."),
    ] {
        let refused = app.post("/plan", cookie, &plan_form(weights)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{weights}: {}", refused.body);
        assert!(refused.body.contains(message), "{weights}: {}", refused.body);
    }
    let unchanged = super::json(&app.get("/api/v1/plans/2027", cookie).await);
    assert_eq!(unchanged["territory_weights"], plan["territory_weights"], "nothing saved");
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

//! The web application in a real headless Chromium, driven through ChromeDriver, against
//! `quotient serve` on a demo organisation, as a user would use it: the manager's dashboard shows
//! `quotient report`'s figures, logging an activity and moving a deal change the KPIs at once, the
//! German interface writes German labels and numbers, and a rep cannot reach the team dashboard.
//! Each main page is saved as a screenshot (the paths are printed).
//!
//! Needs `chromedriver` and `chromium` (Debian: `chromium-driver`, `chromium`); without them the
//! tests say so and pass, except in CI (`CI=true`), where that is a failure.

mod common;

use common::{succeed, temp};
use fantoccini::{Client, ClientBuilder, Locator};
use quotient_store::testing::TestSchema;
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "quotient-demo";
/// The demo's history ends here; its third quarter is over, so its figures are fixed.
const DEMO_AS_OF: &str = "2026-11-20";
const PAST_PERIOD: &str = "2026-Q3";
const PAST_PERIOD_END: &str = "2026-09-30";

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or_else(|e| panic!("{e}"))
}

fn wait_for(addr: SocketAddr, what: &str, child: &mut Child) {
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status} before listening on {addr}");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{what} did not listen on {addr} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// ChromeDriver's path, or `None` (skipped with a message; a failure in CI).
fn chromedriver() -> Option<PathBuf> {
    let found = std::env::var_os("QUOTIENT_CHROMEDRIVER").map(PathBuf::from).or_else(|| {
        std::env::var_os("PATH")?
            .to_str()?
            .split(':')
            .map(|dir| Path::new(dir).join("chromedriver"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but chromedriver is not installed: .ci/run must install chromium and chromium-driver"
        );
        eprintln!(
            "SKIPPED: chromedriver is not on PATH (install Debian's chromium and chromium-driver, or set QUOTIENT_CHROMEDRIVER)"
        );
    }
    found
}

/// A demo organisation served by `quotient serve`, and a headless Chromium to look at it.
struct Session {
    base: String,
    database_url: String,
    browser: Client,
    shots: PathBuf,
    _server: Running,
    _driver: Running,
}

impl Session {
    async fn start(driver: &Path, database_url: &str, name: &str) -> Session {
        let demo = ["demo", "--reps", "16", "--years", "1", "--seed", "7", "--as-of", DEMO_AS_OF, "--no-serve"];
        succeed(database_url, &demo);
        let port = free_port();
        let mut server = Command::new(env!("CARGO_BIN_EXE_quotient"))
            .args(["--database-url", database_url, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .env_remove("QUOTIENT_ORG")
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting quotient serve: {e}"));
        wait_for(SocketAddr::from(([127, 0, 0, 1], port)), "quotient serve", &mut server);
        let server = Running(server);
        let driver_port = free_port();
        let mut chromedriver = Command::new(driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", driver.display()));
        wait_for(SocketAddr::from(([127, 0, 0, 1], driver_port)), "chromedriver", &mut chromedriver);
        let driver = Running(chromedriver);
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                             "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=en-US"] }),
        );
        let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .unwrap_or_else(|e| panic!("opening a Chromium session: {e}"));
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots").join(name);
        std::fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("{e}"));
        Session {
            base: format!("http://127.0.0.1:{port}"),
            database_url: database_url.to_string(),
            browser,
            shots,
            _server: server,
            _driver: driver,
        }
    }

    async fn open(&self, path: &str) {
        self.browser.goto(&format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("opening {path}: {e}"));
    }

    async fn text(&self, css: &str) -> String {
        let element =
            self.browser.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no element {css} on the page: {e}"));
        element.text().await.unwrap_or_else(|e| panic!("{css}: {e}")).trim().to_string()
    }

    async fn fill(&self, css: &str, value: &str) {
        let element = self.browser.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no field {css}: {e}"));
        element.clear().await.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.send_keys(value).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    async fn click(&self, css: &str) {
        let element =
            self.browser.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    async fn select(&self, css: &str, value: &str) {
        let element = self.browser.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no select {css}: {e}"));
        element.select_by_value(value).await.unwrap_or_else(|e| panic!("choosing {value} in {css}: {e}"));
    }

    /// Waits (up to 10 s) for the browser to arrive at a path starting with `prefix`; returns it.
    async fn arrive(&self, prefix: &str) -> String {
        let start = Instant::now();
        loop {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "expected to arrive at {prefix}…, still at {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 10 s) for the browser to leave `path`.
    async fn arrive_elsewhere(&self, path: &str) {
        let start = Instant::now();
        while self.path().await == path {
            assert!(start.elapsed() < Duration::from_secs(10), "still at {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 10 s) for an element to be on the page.
    async fn wait_for(&self, css: &str) {
        let start = Instant::now();
        while self.browser.find(Locator::Css(css)).await.is_err() {
            assert!(start.elapsed() < Duration::from_secs(10), "{css} did not appear");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn path(&self) -> String {
        let url = self.browser.current_url().await.unwrap_or_else(|e| panic!("{e}"));
        url.path().to_string() + url.query().map(|q| format!("?{q}")).as_deref().unwrap_or("")
    }

    async fn screenshot(&self, name: &str) {
        let png = self.browser.screenshot().await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let file = self.shots.join(format!("{name}.png"));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        println!("screenshot: {}", file.display());
    }

    async fn sign_in(&self, email: &str) {
        self.open("/sign-in").await;
        self.fill("input[name=email]", email).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.click("form button[type=submit]").await;
        self.arrive_elsewhere("/sign-in").await;
    }

    /// Signs out and waits for the sign-in page, so that the next navigation does not overtake the
    /// sign-out.
    async fn sign_out(&self) {
        self.click("form[action='/sign-out'] button").await;
        self.arrive("/sign-in").await;
    }

    /// The figure of a `data-kpi` cell in `scope`.
    async fn figure(&self, scope: &str, kpi: &str) -> String {
        self.text(&format!("{scope} [data-kpi='{kpi}']")).await
    }

    /// The open deals in the proposal stage, as the board's column says.
    async fn proposals_count(&self) -> f64 {
        let header = self.browser.find(Locator::Css("section[data-stage='proposal'] h3 [data-count]")).await;
        let count = header.unwrap_or_else(|e| panic!("the proposal column: {e}")).attr("data-count").await;
        count.ok().flatten().and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("a count"))
    }

    async fn close(self) {
        let _ = self.browser.close().await;
    }
}

/// `1,234` → 1234.0; `45%` → 45.0; `$12,345.67` → 12345.67; `–` → `None`.
fn number(text: &str, decimal: char) -> Option<f64> {
    let kept: String = text.chars().filter(|c| c.is_ascii_digit() || *c == decimal || *c == '-').collect();
    if kept.is_empty() || kept == "-" {
        return None;
    }
    kept.replace(decimal, ".").parse().ok()
}

/// The dashboard's rows against `quotient report --format json` for the same team, period and day.
async fn dashboard_matches_the_report(session: &Session) {
    session.sign_in("manager@northwind.example").await;
    session.arrive("/dashboard").await;
    session.open(&format!("/dashboard?period={PAST_PERIOD}")).await;
    session.screenshot("dashboard").await;
    let report = succeed(
        &session.database_url,
        &["report", "--team", "M1", "--period", PAST_PERIOD, "--as-of", PAST_PERIOD_END, "--format", "json"],
    );
    let report: Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("report JSON: {e}"));
    let cards = report["reps"].as_array().unwrap_or_else(|| panic!("no reps in {report}"));
    let rows = session.browser.find_all(Locator::Css("#dashboard tbody tr")).await.unwrap_or_default();
    assert_eq!(rows.len(), cards.len(), "one row per rep of team M1");
    let mut compared = 0;
    for card in cards {
        let rep = card["rep_id"].as_str().unwrap_or_default();
        let scope = format!("#dashboard tr[data-rep='{rep}']");
        for (kpi, expected) in [
            ("cold_calls", &card["activity"]["cold_calls"]),
            ("conversations", &card["activity"]["conversations"]),
            ("appointments_set", &card["activity"]["appointments_set"]),
        ] {
            let shown = number(&session.figure(&scope, kpi).await, '.');
            assert_eq!(shown, expected.as_f64(), "{rep} {kpi}");
            compared += 1;
        }
        for (kpi, share) in [
            ("first_appointment_to_next_step", &card["funnel"]["first_appointment_to_next_step"]),
            ("first_appointment_to_proposal", &card["funnel"]["first_appointment_to_proposal"]),
            ("closing_ratio", &card["funnel"]["closing_ratio"]),
            ("attainment", &card["attainment"]["revenue"]),
        ] {
            let shown = number(&session.figure(&scope, kpi).await, '.');
            match (shown, share.as_f64()) {
                // Shown as whole percents.
                (Some(shown), Some(share)) => {
                    assert!((shown - share * 100.0).abs() <= 0.5 + 1e-9, "{rep} {kpi}: {shown} vs {share}")
                }
                (shown, share) => assert_eq!(shown, share, "{rep} {kpi}: undefined on both or neither"),
            }
            compared += 1;
        }
        let revenue = number(&session.figure(&scope, "revenue").await, '.').unwrap_or(-1.0);
        let cents = card["outcome"]["revenue_cents"].as_i64().unwrap_or_default();
        assert_eq!((revenue * 100.0).round() as i64, cents, "{rep} revenue to the cent");
        compared += 1;
    }
    let total_revenue = report["total"]["outcome"]["revenue_cents"].as_i64().unwrap_or_default();
    assert!(total_revenue > 0, "the demo team won something in {PAST_PERIOD}");
    println!("dashboard = quotient report: {compared} figures of {} reps", cards.len());
}

/// A cold call logged from the header's form counts on the rep's scorecard at once.
async fn logging_an_activity_changes_the_counts(session: &Session) {
    session.click("a[href='/log']").await;
    session.screenshot("log-activity").await;
    let rep = session
        .browser
        .find(Locator::Css("select#rep option"))
        .await
        .unwrap_or_else(|e| panic!("a manager picks the rep: {e}"))
        .attr("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    session.open(&format!("/reps/{rep}")).await;
    let before = number(&session.figure("#activity-counts", "cold_calls").await, '.').unwrap_or_default();
    session.click("a[href='/log']").await;
    session.select("select#rep", &rep).await;
    session.select("select#kind", "cold_call").await;
    session.select("select#outcome", "connected").await;
    session.click("form.card button[type=submit]").await;
    session.arrive(&format!("/reps/{rep}?logged")).await;
    let after = number(&session.figure("#activity-counts", "cold_calls").await, '.').unwrap_or_default();
    assert_eq!(after, before + 1.0, "one more cold call");
    session.screenshot("scorecard").await;
    // The scorecard opens on the current week; its goal is the magic number `quotient report`
    // gives for the rep's week today.
    let shown = session.figure("#goals", "weekly_first_appointments").await;
    let external = external_id(session, &rep).await;
    let report = succeed(
        &session.database_url,
        &["report", "--rep", &external, "--period", &current_week(), "--format", "json"],
    );
    let report: Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("report JSON: {e}"));
    let expected = report["reps"][0]["magic_number"]["per_week"].as_f64();
    match (number(&shown, '.'), expected) {
        (Some(shown), Some(expected)) => assert!((shown - expected).abs() <= 0.05 + 1e-9, "{shown} vs {expected}"),
        (shown, expected) => assert_eq!(shown, expected, "a weekly goal on both or neither"),
    }
}

/// The ISO week today is in, as `quotient report` writes periods (2026-W49): what a rep's
/// scorecard and a 1:1 open on.
fn current_week() -> String {
    chrono::Utc::now().date_naive().format("%G-W%V").to_string()
}

/// The quarter today is in (2026-Q4): long enough for the demo's flags to be steady.
fn current_quarter() -> String {
    let today = chrono::Utc::now().date_naive();
    format!("{}-Q{}", chrono::Datelike::year(&today), chrono::Datelike::month0(&today) / 3 + 1)
}

/// A rep's id in the bundle, from their row on the team dashboard.
async fn external_id(session: &Session, rep: &str) -> String {
    session.open("/dashboard").await;
    let rows = session.browser.find_all(Locator::Css("#dashboard tbody tr")).await.unwrap_or_default();
    for row in rows {
        let link = row.find(Locator::Css("a")).await.ok();
        let href = match link {
            Some(link) => link.attr("href").await.ok().flatten().unwrap_or_default(),
            None => continue,
        };
        if href.starts_with(&format!("/reps/{rep}?")) {
            return row.attr("data-rep").await.ok().flatten().unwrap_or_default();
        }
    }
    panic!("rep {rep} is not on the team dashboard")
}

/// Moving a deal from the gateway to the proposal counts as a deal moved into the proposal this
/// period, on the board and on the dashboard.
async fn moving_a_deal_to_proposal_changes_the_funnel(session: &Session) {
    session.open("/pipeline").await;
    session.screenshot("pipeline").await;
    let proposals = session.proposals_count().await;
    let deal = session
        .browser
        .find(Locator::Css("section[data-stage='gateway'] .deal"))
        .await
        .unwrap_or_else(|e| panic!("a deal at the gateway: {e}"));
    let id = deal.attr("data-opportunity").await.ok().flatten().unwrap_or_default();
    session.open("/dashboard").await;
    let moved_before = dashboard_moved_to_proposal(session).await;
    session.open("/pipeline").await;
    session.select(&format!("#stage-{id}"), "proposal").await;
    session.click(&format!(".deal[data-opportunity='{id}'] button[type=submit]")).await;
    session.arrive("/pipeline?moved=").await;
    let proposals_after = session.proposals_count().await;
    assert_eq!(proposals_after, proposals + 1.0, "the proposal column has the deal");
    assert!(
        session
            .browser
            .find(Locator::Css(&format!("section[data-stage='proposal'] .deal[data-opportunity='{id}']")))
            .await
            .is_ok()
    );
    session.open("/dashboard").await;
    assert_eq!(dashboard_moved_to_proposal(session).await, moved_before + 1.0, "moved into proposal this period");
    session.open(&format!("/records/opportunities/{id}")).await;
    session.screenshot("opportunity").await;
}

/// The team's deals moved into the proposal stage this period (the dashboard's total row).
async fn dashboard_moved_to_proposal(session: &Session) -> f64 {
    let cells = session
        .browser
        .find_all(Locator::Css("#dashboard tbody [data-kpi='moved_proposal']"))
        .await
        .unwrap_or_default();
    let mut sum = 0.0;
    for cell in cells {
        sum += number(&cell.text().await.unwrap_or_default(), '.').unwrap_or_default();
    }
    sum
}

/// The other main pages, for the screenshots, then German: labels and number formats.
async fn german_labels_and_numbers(session: &Session) {
    for (path, name) in [
        ("/leaderboard", "leaderboard"),
        ("/records/opportunities", "opportunities"),
        ("/records/accounts", "accounts"),
        ("/records/leads/new", "new-lead"),
    ] {
        session.open(path).await;
        session.screenshot(name).await;
    }
    session.open(&format!("/dashboard?period={PAST_PERIOD}")).await;
    let english_revenue = session.text("#dashboard tfoot [data-kpi='revenue']").await;
    session.open("/me").await;
    session.select("select[name=lang]", "de").await;
    session.click("form[action='/me/language'] button[type=submit]").await;
    session.wait_for("html[lang='de']").await;
    session.open(&format!("/dashboard?period={PAST_PERIOD}")).await;
    let heading = session.text("#dashboard thead tr:nth-child(2)").await;
    assert!(heading.contains("Kaltakquise"), "German column labels: {heading}");
    // German groups thousands with points and puts the currency and the percent sign after a space.
    let revenue = session.text("#dashboard tfoot [data-kpi='revenue']").await;
    let digits = |text: &str| text.chars().filter(char::is_ascii_digit).collect::<String>();
    assert_eq!(digits(&revenue), digits(&english_revenue), "the same total: {revenue} / {english_revenue}");
    assert!(revenue.ends_with(" $") && revenue.contains('.') && !revenue.contains(','), "German money: {revenue}");
    let ratio = session.text("#dashboard tfoot [data-kpi='closing_ratio']").await;
    assert!(ratio.ends_with(" %"), "German percent: {ratio}");
    let magic =
        session.browser.find_all(Locator::Css("#dashboard tbody [data-kpi='magic_number']")).await.unwrap_or_default();
    let mut decimals = vec![];
    for cell in magic {
        decimals.push(cell.text().await.unwrap_or_default());
    }
    assert!(
        decimals.iter().any(|d| d.contains(',')) && !decimals.iter().any(|d| d.contains('.')),
        "a decimal comma: {decimals:?}"
    );
    session.screenshot("dashboard-de").await;
    session.open("/me").await;
    session.select("select[name=lang]", "").await;
    session.click("form[action='/me/language'] button[type=submit]").await;
    session.wait_for("html[lang='en']").await;
    session.sign_out().await;
}

/// A rep's home is their scorecard, the dashboard is not in their menu, and asking for it by
/// address answers "not found".
async fn a_rep_cannot_reach_the_team_dashboard(session: &Session) {
    session.sign_in("rep@northwind.example").await;
    session.arrive("/reps/").await;
    assert!(session.browser.find(Locator::Css("nav a[href='/dashboard']")).await.is_err(), "no dashboard in the menu");
    session.open("/dashboard").await;
    let title = session.browser.title().await.unwrap_or_default();
    let heading = session.text("h1").await;
    assert!(session.browser.find(Locator::Css("#dashboard")).await.is_err(), "no team table");
    assert!(heading.starts_with("404"), "answered as not found: {title} / {heading}");
    session.open("/").await;
    session.sign_out().await;
}

/// An executive enters a plan, allocates it, sees the plan risk, changes one rep's quota and sees
/// the difference to the plan move as it is typed; the rep writes and submits their territory
/// plan; their manager approves it and opens a 1:1, which shows the rep's scorecard frozen.
async fn planning_from_the_company_plan_to_a_one_on_one(session: &Session) {
    session.sign_in("executive@northwind.example").await;
    session.open("/plan?year=2027").await;
    session.fill("input[name=revenue]", "4800000").await;
    session.fill("input[name=deals]", "300").await;
    session.click("#save-plan").await;
    session.arrive("/plan?year=2027&done=saved").await;
    let risk = session.text("#plan-risk").await;
    assert!(risk.contains("$4,800,000"), "the risk names the plan: {risk}");
    // A plan beyond what history supports asks for a choice before it is written.
    if session.browser.find(Locator::Css("#beyond-history")).await.is_ok() {
        session.click("input[name=beyond_history][value=allocate]").await;
    }
    session.click("#allocate").await;
    session.arrive("/plan?year=2027&done=allocated").await;
    // Allocated exactly: the quotas add up to the plan.
    assert_eq!(number(&session.text("#difference").await, '.'), Some(0.0));
    let first = session.browser.find(Locator::Css("input.quota")).await.unwrap_or_else(|e| panic!("a quota: {e}"));
    let name = first.attr("name").await.ok().flatten().unwrap_or_default();
    let quota = number(&first.prop("value").await.ok().flatten().unwrap_or_default(), '.').unwrap_or(-1.0);
    assert!(quota > 0.0, "the first rep has a quota");
    session.fill(&format!("input[name='{name}']"), &format!("{:.2}", quota + 1000.0)).await;
    // Live, before saving.
    let live = session.text("#difference").await;
    assert!(live.starts_with('+') && number(&live, '.') == Some(1000.0), "live difference: {live}");
    session.screenshot("plan").await;
    session.click("#save-quotas").await;
    session.arrive("/plan?year=2027&done=adjusted").await;
    assert_eq!(number(&session.text("#difference").await, '.'), Some(1000.0), "saved difference");
    session.sign_out().await;

    session.sign_in("rep@northwind.example").await;
    let home = session.arrive("/reps/").await;
    let rep: String = home.trim_start_matches("/reps/").chars().take_while(char::is_ascii_digit).collect();
    session.open(&format!("/territory-plans/{rep}?year=2027")).await;
    session.fill("textarea[name=objectives]", "Grow revenue in the territory by 10%").await;
    session.fill("textarea[name=channel_strategy]", "Co-sell with the two regional partners").await;
    session.click("select[name=account_0] option:nth-child(2)").await;
    session.fill("input[name=strategy_0]", "Meet the CFO before the budget round").await;
    session.fill("input[name=target_0]", "50000").await;
    session.click("#save-territory-plan").await;
    session.arrive(&format!("/territory-plans/{rep}?year=2027&done=saved")).await;
    session.click("#plan-submit").await;
    session.arrive(&format!("/territory-plans/{rep}?year=2027&done=submit")).await;
    assert_eq!(session.text("#plan-status").await, "Submitted");
    assert!(session.browser.find(Locator::Css("#plan-approve")).await.is_err(), "a rep does not approve");
    session.sign_out().await;

    session.sign_in("manager@northwind.example").await;
    session.open(&format!("/territory-plans/{rep}?year=2027")).await;
    session.click("#plan-approve").await;
    session.arrive(&format!("/territory-plans/{rep}?year=2027&done=approve")).await;
    assert_eq!(session.text("#plan-status").await, "Approved");
    assert!(session.text("#key-accounts").await.contains("Meet the CFO"));
    session.screenshot("territory-plan").await;

    let external = external_id(session, &rep).await;
    session.open(&format!("/reps/{rep}/one-on-ones")).await;
    session.click("#open-one-on-one").await;
    session.arrive("/one-on-ones/").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let report = succeed(
        &session.database_url,
        &["report", "--rep", &external, "--period", &current_week(), "--as-of", &today, "--format", "json"],
    );
    let report: Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("report JSON: {e}"));
    let cents = report["reps"][0]["outcome"]["revenue_cents"].as_i64().unwrap_or(-1);
    // A 1:1 freezes the week by default.
    let frozen = number(&session.text("#frozen-scorecard [data-kpi='revenue'] td:nth-child(2)").await, '.');
    assert_eq!(frozen.map(|r| (r * 100.0).round() as i64), Some(cents), "the 1:1 froze the scorecard's revenue");
    session.fill("#add-action input[name=description]", "Book two first appointments a week").await;
    session.click("#add-action button[type=submit]").await;
    session.wait_for("#actions li").await;
    session.screenshot("one-on-one").await;
    session.sign_out().await;
}

/// An administrator sets two thresholds and a gateway type's definition on the settings page; the
/// rep's manager then sees the flags come and go on the rep's scorecard, and reads the definition
/// on the pipeline.
async fn settings_change_what_a_manager_sees(session: &Session) {
    session.sign_in("rep@northwind.example").await;
    let home = session.arrive("/reps/").await;
    let rep: String = home.trim_start_matches("/reps/").chars().take_while(char::is_ascii_digit).collect();
    session.sign_out().await;
    let scorecard = format!("/reps/{rep}?period={}", current_quarter());
    let flags = ["top_level_contact_share_low", "conversation_to_appointment_low"];
    let set_thresholds = |value: &'static str| async move {
        session.sign_in("admin@northwind.example").await;
        session.open("/settings").await;
        session.fill("input[name='threshold.top_level_contact_share']", value).await;
        session.fill("input[name='threshold.conversation_to_appointment']", value).await;
        session.click("#save-settings").await;
        session.arrive("/settings?saved=settings").await;
    };
    let shown = |flag: &'static str| async move {
        session.browser.find(Locator::Css(&format!("[data-flag='{flag}']"))).await.is_ok()
    };
    // At 0 nothing is below: neither flag.
    set_thresholds("0").await;
    session
        .fill("form[data-gateway-type='demo'] textarea[name=definition]", "The customer sees it run on their own data")
        .await;
    session.click("form[data-gateway-type='demo'] button[type=submit]").await;
    session.arrive("/settings?saved=gateway_types").await;
    session.screenshot("settings").await;
    session.sign_out().await;
    session.sign_in("manager@northwind.example").await;
    session.open(&scorecard).await;
    for flag in flags {
        assert!(!shown(flag).await, "{flag} at a threshold of 0");
    }
    session.wait_for("#funnel [data-kpi='top_level_contact_share']").await;
    session.open("/pipeline").await;
    let source = session.browser.source().await.unwrap_or_default();
    assert!(source.contains("The customer sees it run on their own data"), "the definition where reps choose");
    session.sign_out().await;
    // At 1 (100%) any share short of all of them is below: the rep, who sets appointments in some
    // conversations and not others, is flagged.
    set_thresholds("1").await;
    session.sign_out().await;
    session.sign_in("manager@northwind.example").await;
    session.open(&scorecard).await;
    assert!(shown(flags[1]).await, "conversation → appointment is flagged at 100%");
    session.screenshot("scorecard-flags").await;
    session.sign_out().await;
}

/// A manager turns a suggested goal into a target on the goal-setting page: the rep's scorecard of
/// that week then holds the rep to it.
async fn an_activity_goal_set_by_the_manager_is_on_the_scorecard(session: &Session) {
    session.sign_in("rep@northwind.example").await;
    let home = session.arrive("/reps/").await;
    let rep: String = home.trim_start_matches("/reps/").chars().take_while(char::is_ascii_digit).collect();
    session.sign_out().await;
    session.sign_in("manager@northwind.example").await;
    session.open("/goals?metric=cold_calls").await;
    session.wait_for("#set-goals").await;
    let week = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).format("%G-W%V").to_string();
    session.select("#set-goals select[name=period]", &week).await;
    session.fill(&format!("#set-goals input[name='g_{rep}']"), "40").await;
    session.click(&format!("#set-goals button[name=only][value='{rep}']")).await;
    session.arrive_elsewhere("/goals?metric=cold_calls").await;
    session.open(&format!("/reps/{rep}?period={week}")).await;
    // A weekly goal read over its own week counts whole: 40 cold calls.
    let goal = session.text("#activity-goals tr[data-goal='cold_calls'] td:nth-child(2)").await;
    assert_eq!(number(&goal, '.'), Some(40.0), "the week's goal on the scorecard: {goal}");
    session.screenshot("scorecard-activity-goals").await;
    session.sign_out().await;
}

/// The demo rep's earnings (this month so far, the statement line by line) and the manager's team
/// statements of the last ended month, which the demo approved.
async fn earnings_and_team_statements(session: &Session) {
    session.sign_in("rep@northwind.example").await;
    session.open("/earnings").await;
    session.wait_for("#earnings-summary").await;
    session.wait_for("#statement").await;
    assert!(session.browser.find(Locator::Css("#what-ifs")).await.is_ok(), "the open deals' what-ifs");
    session.screenshot("earnings").await;
    session.sign_out().await;
    session.sign_in("manager@northwind.example").await;
    session.open("/statements?period=2026-10").await;
    session.wait_for("#statements").await;
    let states = session.text("#statements tbody").await;
    assert!(states.contains("approved"), "the demo approved October: {states}");
    session.wait_for("#cost-of-sales").await;
    session.screenshot("statements").await;
    session.sign_out().await;
}

/// The manager's forecast grid: each rep's categories, call and data forecast, with the data
/// forecast's range above and the accuracy of past calls below.
async fn the_manager_reads_the_forecast_grid(session: &Session) {
    session.sign_in("manager@northwind.example").await;
    session.open("/forecast").await;
    session.wait_for("#forecast-grid").await;
    let expected = session.text("#data-forecast .tiles").await;
    assert!(!expected.trim().is_empty(), "the data forecast's tiles");
    let rows = session.text("#forecast-grid tbody").await;
    assert!(!rows.trim().is_empty(), "a row per person of the team");
    session.wait_for("#accuracy").await;
    session.screenshot("forecast-grid").await;
    session.sign_out().await;
}

async fn walkthrough(database_url: &str, name: &str) {
    let Some(driver) = chromedriver() else { return };
    let session = Session::start(&driver, database_url, name).await;
    session.open("/sign-in").await;
    session.screenshot("sign-in").await;
    dashboard_matches_the_report(&session).await;
    logging_an_activity_changes_the_counts(&session).await;
    moving_a_deal_to_proposal_changes_the_funnel(&session).await;
    german_labels_and_numbers(&session).await;
    a_rep_cannot_reach_the_team_dashboard(&session).await;
    planning_from_the_company_plan_to_a_one_on_one(&session).await;
    settings_change_what_a_manager_sees(&session).await;
    an_activity_goal_set_by_the_manager_is_on_the_scorecard(&session).await;
    earnings_and_team_statements(&session).await;
    the_manager_reads_the_forecast_grid(&session).await;
    session.close().await;
}

fn run(walk: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}")).block_on(walk);
}

#[test]
fn the_web_application_in_chromium_on_sqlite() {
    let dir = temp();
    run(walkthrough(&format!("sqlite://{}", dir.path().join("browser.db").display()), "sqlite"));
}

#[test]
fn the_web_application_in_chromium_on_postgres() {
    let Some(schema) = TestSchema::create("cli") else { return };
    run(walkthrough(&schema.url, "postgres"));
}

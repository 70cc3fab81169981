//! The same bad plan refused alike by every interface: the plan page, the JSON API and `quotient
//! plan` name the same refusal codes for it, on SQLite and PostgreSQL.

mod common;

use common::http::Served;
use common::*;
use quotient_store::testing::TestSchema;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

/// One request; the answer's status, head and body.
fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    stream.write_all(request.as_bytes()).expect("sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("answered");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// The executive's session cookie and CSRF token, signed in through the page.
fn sign_in(addr: SocketAddr) -> (String, String) {
    let form = format!("email=exec%40acme.test&password={}", PASSWORD.replace(' ', "+"));
    let (status, head, _) =
        call(addr, "POST", "/sign-in", &[("Content-Type", "application/x-www-form-urlencoded")], &form);
    assert_eq!(status, 303, "signed in: {head}");
    let cookie = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().starts_with("set-cookie:").then(|| line[11..].trim().to_string()))
        .and_then(|cookie| cookie.split(';').next().map(str::to_string))
        .expect("a session cookie");
    let (_, _, me) = call(addr, "GET", "/me", &[("Cookie", &cookie)], "");
    let start = me.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    (cookie, me[start..start + 64].to_string())
}

/// The codes a page shows its refusals with, sorted.
fn page_codes(page: &str) -> Vec<String> {
    let mut codes: Vec<String> =
        page.split("data-code=\"").skip(1).filter_map(|rest| rest.split('"').next().map(str::to_string)).collect();
    codes.sort();
    codes
}

/// The codes of an API error, sorted.
fn api_codes(body: &str) -> Vec<String> {
    let body: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON ({e}): {body}"));
    let fields = body["error"]["fields"].as_array().cloned().unwrap_or_default();
    let mut codes: Vec<String> = fields.iter().filter_map(|f| f["code"].as_str().map(str::to_string)).collect();
    codes.sort();
    codes
}

/// The codes `quotient plan` prints its refusals with (`  OPTION (CODE): why`), sorted.
fn cli_codes(stderr: &str) -> Vec<String> {
    let mut codes: Vec<String> = stderr
        .lines()
        .filter(|line| line.starts_with("  "))
        .filter_map(|line| line.split_once(" (")?.1.split_once("):").map(|(code, _)| code.to_string()))
        .collect();
    codes.sort();
    codes
}

/// A bad plan as each interface takes it, and the codes all three must refuse it with.
struct Case {
    /// The page's form.
    form: &'static str,
    /// The API's year and body.
    year: &'static str,
    body: &'static str,
    /// The options of `quotient plan`.
    args: &'static [&'static str],
    codes: &'static [&'static str],
}

const fn case(
    form: &'static str,
    year: &'static str,
    body: &'static str,
    args: &'static [&'static str],
    codes: &'static [&'static str],
) -> Case {
    Case { form, year, body, args, codes }
}

const CASES: &[Case] = &[
    case(
        "year=2027&revenue=-5",
        "2027",
        r#"{"revenue_cents": -500}"#,
        &["--year", "2027", "--revenue=-5"],
        &["amount"],
    ),
    case(
        "year=1999&revenue=100",
        "1999",
        r#"{"revenue_cents": 10000}"#,
        &["--year", "1999", "--revenue", "100"],
        &["number_out_of_range"],
    ),
    case(
        "year=2027&revenue=100&margin=200",
        "2027",
        r#"{"revenue_cents": 10000, "margin_cents": 20000}"#,
        &["--year", "2027", "--revenue", "100", "--margin", "200"],
        &["margin_above_revenue"],
    ),
    case(
        "year=2027&revenue=100&growth=-150&deals=-2",
        "2027",
        r#"{"revenue_cents": 10000, "growth_pct": -150, "deals": -2}"#,
        &["--year", "2027", "--revenue", "100", "--growth=-150", "--deals=-2"],
        &["count", "growth_out_of_range"],
    ),
];

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/valid")
}

fn the_page_the_api_and_the_cli_refuse_a_bad_plan_alike(url: &str) {
    succeed(url, &["--org", "acme", "import", &fixture().to_string_lossy()]);
    {
        use quotient_store::access::{self, NewUser};
        let mut db = quotient_store::open(url).expect("open");
        let org = quotient_store::orgs::list(&mut db).expect("organisations")[0].id;
        let hash = quotient_web::password::hash(PASSWORD).expect("hash");
        let role = quotient_core::model::UserRole::Executive;
        let new = NewUser { email: "exec@acme.test", name: "Eva", role, rep: Some("E1"), password_hash: &hash };
        access::add_user(&mut db, org, &new).expect("a user");
    }
    let server = Served::start(url);
    let (cookie, csrf) = sign_in(server.addr);
    for Case { form, year, body, args, codes } in CASES {
        let expected: Vec<String> = codes.iter().map(|code| code.to_string()).collect();
        let form = format!("{form}&_csrf={csrf}");
        let page_headers = [("Cookie", cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
        let (status, _, page) = call(server.addr, "POST", "/plan", &page_headers, &form);
        assert_eq!(status, 422, "{form}: {page}");
        assert_eq!(page_codes(&page), expected, "the page, {form}");

        let api_headers = [("Cookie", cookie.as_str()), ("X-CSRF-Token", &csrf), ("Content-Type", "application/json")];
        let (status, _, answer) = call(server.addr, "PUT", &format!("/api/v1/plans/{year}"), &api_headers, body);
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(api_codes(&answer), expected, "the API, {body}");

        let mut plan = vec!["plan", "--apply"];
        plan.extend(args.iter());
        let output = quotient(url, &plan);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} is refused");
        assert_eq!(cli_codes(&stderr), expected, "the command line, {args:?}:\n{stderr}");
    }
    // Nothing of any of them was saved.
    let (status, _, _) = call(server.addr, "GET", "/api/v1/plans/2027", &[("Cookie", cookie.as_str())], "");
    assert_eq!(status, 404);

    // A report on no one is refused with its code on the command line, and as missing in the API.
    let output = quotient(url, &["report", "--period", "2026-Q1", "--rep", "R9"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert_eq!(cli_codes(&stderr), ["subject_out_of_reach"], "{stderr}");
    let path = "/api/v1/scorecards?period=2026-Q1&subject=rep:R9";
    assert_eq!(call(server.addr, "GET", path, &[("Cookie", cookie.as_str())], "").0, 404);
}

#[test]
fn the_page_the_api_and_the_cli_refuse_a_bad_plan_alike_on_sqlite() {
    let dir = temp();
    the_page_the_api_and_the_cli_refuse_a_bad_plan_alike(&format!("sqlite://{}", dir.path().join("q.db").display()));
}

#[test]
fn the_page_the_api_and_the_cli_refuse_a_bad_plan_alike_on_postgres() {
    let Some(schema) = TestSchema::create("same_answer") else { return };
    the_page_the_api_and_the_cli_refuse_a_bad_plan_alike(&schema.url);
}

//! `quotient statements` against the plans' semantics written a second time: the demo organisation
//! is exported with its plans file, `tests/incentives-check/statements.py` (Python's `decimal`, no
//! engine) computes every rep's statement of every month of the year from the CSV files, and each
//! component's earnings and each payable must agree to the cent.

mod common;

use common::{succeed, temp};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const AS_OF: &str = "2026-11-20";
const YEAR: i32 = 2026;

/// (rep, YYYY-MM) → (component key → earnings in cents, payable in cents).
type Statements = BTreeMap<(String, String), (BTreeMap<String, i64>, i64)>;

fn python() -> Option<&'static str> {
    let found = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but python3 is not installed");
        eprintln!("SKIPPED: python3 is not installed, and the independent check of the statements needs it");
    }
    found.then_some("python3")
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/incentives-check/statements.py")
}

/// The plans file an export wrote beside the CSV files.
fn plans_file(bundle: &Path) -> PathBuf {
    std::fs::read_dir(bundle)
        .unwrap_or_else(|e| panic!("{}: {e}", bundle.display()))
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            path.extension().is_some_and(|e| e == "json")
                && std::fs::read_to_string(path).is_ok_and(|text| text.contains("\"fiscal_year\""))
        })
        .unwrap_or_else(|| panic!("{}: the export wrote no plans file", bundle.display()))
}

fn component_cents(component: &Json) -> i64 {
    component["due_cents"].as_i64().unwrap_or_else(|| panic!("no due_cents in {component}"))
}

/// The statements of `quotient statements --format json` for one month.
fn ours(url: &str, period: &str) -> Statements {
    let text = succeed(url, &["statements", "--period", period, "--format", "json"]);
    let json: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{period}: {e}\n{text}"));
    let list = json.get("statements").unwrap_or(&json).as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|statement| {
            let rep = statement["rep_external_id"].as_str().unwrap_or_default().to_string();
            let components = match &statement["components"] {
                Json::Array(items) => items
                    .iter()
                    .map(|c| (c["key"].as_str().unwrap_or_default().to_string(), component_cents(c)))
                    .collect(),
                Json::Object(map) => map.iter().map(|(key, c)| (key.clone(), component_cents(c))).collect(),
                _ => BTreeMap::new(),
            };
            let payable =
                statement["payable_cents"].as_i64().unwrap_or_else(|| panic!("no payable_cents in {statement}"));
            ((rep, period.to_string()), (components, payable))
        })
        .collect()
}

/// The script's statements of the year.
fn theirs(python: &str, bundle: &Path) -> Statements {
    let output = Command::new(python)
        .arg(script())
        .arg(bundle)
        .arg(plans_file(bundle))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script().display()));
    assert!(output.status.success(), "statements.py failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let json: Json =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("statements.py printed no JSON: {e}"));
    json["statements"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let components = s["components"]
                .as_object()
                .map(|map| map.iter().map(|(key, cents)| (key.clone(), cents.as_i64().unwrap_or(i64::MIN))).collect())
                .unwrap_or_default();
            let key = (
                s["rep_id"].as_str().unwrap_or_default().to_string(),
                s["period"].as_str().unwrap_or_default().to_string(),
            );
            (key, (components, s["payable_cents"].as_i64().unwrap_or(i64::MIN)))
        })
        .collect()
}

#[test]
fn the_demo_statements_agree_with_the_independent_script() {
    let Some(python) = python() else { return };
    let work = temp();
    let url = format!("sqlite://{}", work.path().join("demo.db").display());
    succeed(&url, &["demo", "--reps", "24", "--years", "2", "--seed", "11", "--as-of", AS_OF, "--no-serve"]);
    let bundle = work.path().join("export");
    succeed(&url, &["export", &bundle.to_string_lossy()]);
    let expected = theirs(python, &bundle);
    let mut actual = Statements::new();
    for month in 1..=12 {
        actual.extend(ours(&url, &format!("{YEAR}-{month:02}")));
    }
    let mut compared = 0;
    let mut paying = 0;
    for (key, (components, payable)) in &expected {
        // A statement that pays nothing may be left out.
        let (our_components, our_payable) = actual.remove(key).unwrap_or_default();
        for (component, cents) in components {
            assert_eq!(our_components.get(component).copied().unwrap_or(0), *cents, "{key:?} component {component}");
            compared += 1;
        }
        assert_eq!(our_payable, *payable, "{key:?} payable");
        paying += usize::from(*payable != 0);
    }
    let unexpected: Vec<_> = actual.into_iter().filter(|(_, (_, payable))| *payable != 0).collect();
    assert!(unexpected.is_empty(), "statements the script does not pay: {unexpected:?}");
    // 24 reps and 3 managers: a quarterly and a yearly component, a monthly overlay.
    assert!(compared > 100, "only {compared} component amounts were compared");
    assert!(paying > 50, "only {paying} statements pay anything");
}

//! The 40-rep demo shows the method working: in its last full quarter every diagnosis of KPIS.md
//! marks some reps and not others, the standards separate careful reps from sloppy ones, a
//! best-practice rep stands out, and the year has a company plan, quotas and territory plans.

mod common;

use common::*;
use std::collections::{BTreeMap, HashSet};

/// The demo as of 2026-11-15: its last full quarter is 2026-Q3.
const AS_OF: &str = "2026-11-15";
const LAST_FULL_QUARTER: &str = "2026-Q3";
const REPS: usize = 40;

/// Every flag of `KPIS.md`'s diagnostics.
const FLAGS: [&str; 9] = [
    "first_appointment_to_next_step_low",
    "first_appointment_to_proposal_low",
    "closing_ratio_low",
    "barometer_low",
    "revenue_per_sale_below_peers",
    "cycle_shorter_than_peers",
    "behind_plan",
    "top_level_contact_share_low",
    "conversation_to_appointment_low",
];

#[test]
fn the_demo_separates_reps_by_every_diagnosis_and_standard_and_is_planned() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("demo.db").display());
    let reps = REPS.to_string();
    let printed =
        succeed(&url, &["demo", "--reps", &reps, "--years", "2", "--as-of", AS_OF, "--seed", "42", "--no-serve"]);
    assert!(printed.contains("planned 2026:"), "{printed}");

    let report =
        succeed(&url, &["report", "--period", LAST_FULL_QUARTER, "--team", "E1", "--as-of", AS_OF, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}"));
    let cards = report["reps"].as_array().cloned().unwrap_or_default();
    let cards: Vec<_> = cards.iter().filter(|c| c["rep_id"].as_str().is_some_and(|id| id.starts_with('R'))).collect();
    assert_eq!(cards.len(), REPS);

    // Each flag for between 10% and 60% of the reps: 4 to 24 of 40.
    let mut flagged: BTreeMap<&str, usize> = FLAGS.iter().map(|f| (*f, 0)).collect();
    for card in &cards {
        for flag in card["flags"].as_array().into_iter().flatten() {
            if let Some(count) = flag["kind"].as_str().and_then(|kind| flagged.get_mut(kind)) {
                *count += 1;
            }
        }
    }
    for (flag, count) in &flagged {
        assert!((4..=24).contains(count), "{flag}: {count} of {REPS} reps flagged; all: {flagged:?}");
    }

    // Standards met: the most careful rep meets at least five more than the sloppiest.
    let met: Vec<usize> = cards
        .iter()
        .map(|c| c["standards"].as_array().into_iter().flatten().filter(|s| s["passed"] == true).count())
        .collect();
    let (fewest, most) = (met.iter().min().copied().unwrap_or(0), met.iter().max().copied().unwrap_or(0));
    assert!(most - fewest >= 5, "standards met range from {fewest} to {most}: {met:?}");

    let mut db = quotient_store::open(&url).unwrap_or_else(|e| panic!("{e}"));
    let names = db
        .query_map("SELECT name FROM reps WHERE deleted_at IS NULL", &[], |row| {
            Ok(row.text(0)?.unwrap_or_default().to_string())
        })
        .unwrap_or_default();
    assert_eq!(names.len(), REPS + 1 + REPS.div_ceil(8), "the reps, their managers and the executive");
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len(), "two people share a name: {names:?}");

    // The company plan of 2026, and every rep's twelve revenue and deal quotas from it.
    let plans = db.query_i64("SELECT COUNT(*) FROM company_plans WHERE fiscal_year = 2026", &[]).unwrap_or(0);
    assert_eq!(plans, 1);
    let quotas = db
        .query_map(
            "SELECT r.external_id, COUNT(*) FROM quotas q JOIN reps r ON r.org_id = q.org_id AND r.id = q.rep_id
             WHERE q.deleted_at IS NULL AND q.product_line_id IS NULL AND q.metric IN ('revenue', 'deals')
               AND q.period_start >= '2026-01-01' AND q.period_start < '2027-01-01'
             GROUP BY r.external_id",
            &[],
            |row| Ok(row.int(1)?.unwrap_or(0)),
        )
        .unwrap_or_default();
    assert_eq!(quotas, vec![24; REPS], "twelve months of revenue and deal quotas per rep");

    // Territory plans at every step of the workflow (a returned one is a draft with a comment).
    let statuses = db
        .query_map(
            "SELECT status || CASE WHEN review_comment IS NULL THEN '' ELSE ' (returned)' END FROM territory_plans",
            &[],
            |row| Ok(row.text(0)?.unwrap_or_default().to_string()),
        )
        .unwrap_or_default();
    let distinct: HashSet<_> = statuses.iter().collect();
    assert!(distinct.len() >= 3, "{statuses:?}");
    assert!(statuses.len() < REPS, "some reps have not started a plan: {}", statuses.len());
    let key_accounts = db.query_i64("SELECT COUNT(*) FROM territory_plan_accounts", &[]).unwrap_or(0);
    assert!(key_accounts >= 3 * statuses.len() as i64, "three key accounts or more per plan: {key_accounts}");
}

/// Every kind of change since last week shows on the demo's first start: the past weeks' snapshots
/// hold deals as they stood then, some pushed (some more than once), pulled in or re-priced.
#[test]
fn the_demo_shows_every_kind_of_change_since_last_week() {
    let dbs = temp();
    let url = format!("sqlite://{}", dbs.path().join("changes.db").display());
    succeed(&url, &["demo", "--reps", "10", "--years", "1", "--as-of", AS_OF, "--seed", "42", "--no-serve"]);
    let changes =
        succeed(&url, &["forecast", "--period", "2026-Q4", "--changes", "--as-of", AS_OF, "--format", "json"]);
    let changes: serde_json::Value = serde_json::from_str(&changes).unwrap_or_else(|e| panic!("{e}"));
    let kinds = [
        "new",
        "won",
        "lost",
        "amount_up",
        "amount_down",
        "category_changed",
        "pushed",
        "pulled_in",
        "pushed_repeatedly",
    ];
    for kind in kinds {
        let count = changes["total"][kind].as_u64().unwrap_or(0);
        assert!(count > 0, "no {kind} change in the demo: {}", changes["total"]);
    }
}

//! `quotient report` against an independent engine: the same bundle loaded by PostgreSQL's COPY
//! into plain tables, the KPIs written as plain SQL over them, per rep and quarter. They must agree
//! exactly: money to the cent, ratios to 1e-9. Run on the demo organisation and on the real data
//! set in ../shared/data (mapped by `quotient convert`).

mod common;

use common::{succeed, temp};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::Path;

/// The bundle's opportunities as typed columns, nothing else: the reference reads the CSV itself.
const OPPORTUNITIES: &str = "CREATE TABLE opportunities (opportunity_id text, account_id text, owner_id text,
    product_line_id text, name text, amount numeric, margin numeric, created_at timestamptz, expected_close_on date,
    first_appointment_at timestamptz, gateway_type text, gateway_at timestamptz, proposal_at timestamptz,
    closed_at timestamptz, status text, stage text, lost_reason text, lead_id text, original_amount numeric,
    original_currency text)";

/// Per rep in [start, end): revenue (cents), won, win rate, average revenue per sale (cents),
/// mean cycle days, first-appointment → proposal, closing ratio — in plain SQL.
const KPIS: &str = "
SELECT owner_id,
       COALESCE(SUM(round(amount * 100)) FILTER (WHERE won_in), 0)::bigint,
       COUNT(*) FILTER (WHERE won_in),
       COUNT(*) FILTER (WHERE won_in)::float8 / NULLIF(COUNT(*) FILTER (WHERE won_in OR lost_in), 0),
       SUM(round(amount * 100)) FILTER (WHERE won_in)::float8 / NULLIF(COUNT(*) FILTER (WHERE won_in), 0),
       AVG(((closed_at AT TIME ZONE 'UTC')::date - (created_at AT TIME ZONE 'UTC')::date)::float8) FILTER (WHERE won_in),
       COUNT(*) FILTER (WHERE fa_in AND proposal_at IS NOT NULL)::float8 / NULLIF(COUNT(*) FILTER (WHERE fa_in), 0),
       COUNT(*) FILTER (WHERE won_in AND proposal_at IS NOT NULL)::float8
           / NULLIF(COUNT(*) FILTER (WHERE (won_in OR lost_in) AND proposal_at IS NOT NULL), 0)
FROM (SELECT *,
             status = 'won' AND closed_at >= $1::text::timestamptz AND closed_at < $2::text::timestamptz AS won_in,
             status = 'lost' AND closed_at >= $1::text::timestamptz AND closed_at < $2::text::timestamptz AS lost_in,
             COALESCE(first_appointment_at >= $1::text::timestamptz AND first_appointment_at < $2::text::timestamptz, false) AS fa_in
      FROM opportunities) o
GROUP BY owner_id";

#[derive(Debug, Clone, PartialEq)]
struct Figures {
    revenue_cents: i64,
    deals: i64,
    win_rate: Option<f64>,
    average_revenue_per_sale: Option<f64>,
    mean_cycle_days: Option<f64>,
    first_appointment_to_proposal: Option<f64>,
    closing_ratio: Option<f64>,
}

impl Figures {
    const NOTHING: Figures = Figures {
        revenue_cents: 0,
        deals: 0,
        win_rate: None,
        average_revenue_per_sale: None,
        mean_cycle_days: None,
        first_appointment_to_proposal: None,
        closing_ratio: None,
    };
}

fn close(a: Option<f64>, b: Option<f64>, scale: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * scale.max(b.abs()),
        _ => false,
    }
}

fn agree(ours: &Figures, theirs: &Figures) -> bool {
    ours.revenue_cents == theirs.revenue_cents
        && ours.deals == theirs.deals
        && close(ours.win_rate, theirs.win_rate, 1.0)
        // Money to the cent.
        && close(ours.average_revenue_per_sale.map(f64::round), theirs.average_revenue_per_sale.map(f64::round), 1.0)
        && close(ours.mean_cycle_days, theirs.mean_cycle_days, 1.0)
        && close(ours.first_appointment_to_proposal, theirs.first_appointment_to_proposal, 1.0)
        && close(ours.closing_ratio, theirs.closing_ratio, 1.0)
}

fn reference_engine(bundle: &Path) -> Option<(postgres::Client, String)> {
    let base = quotient_store::testing::postgres_base();
    let mut client = match postgres::Client::connect(&base, postgres::NoTls) {
        Ok(client) => client,
        Err(error) => {
            quotient_store::testing::skip_without_postgres(&base, &error);
            return None;
        }
    };
    let schema = format!(
        "reference_{}_{}",
        std::process::id(),
        bundle.file_name().map(|n| n.to_string_lossy().replace('-', "_")).unwrap_or_default()
    );
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path = {schema}; SET TIME ZONE 'UTC'; {OPPORTUNITIES}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let file = bundle.join("opportunities.csv");
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let header = String::from_utf8_lossy(bytes.split(|&b| b == b'\n').next().unwrap_or_default()).trim().to_string();
    let mut writer = client
        .copy_in(&format!("COPY opportunities ({header}) FROM STDIN WITH (FORMAT csv, HEADER true)"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::io::Write::write_all(&mut writer, &bytes).unwrap_or_else(|e| panic!("{e}"));
    writer.finish().unwrap_or_else(|e| panic!("{e}"));
    Some((client, schema))
}

fn reference(client: &mut postgres::Client, start: &str, end: &str) -> HashMap<String, Figures> {
    client
        .query(KPIS, &[&start, &end])
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|row| {
            (
                row.get::<_, String>(0),
                Figures {
                    revenue_cents: row.get(1),
                    deals: row.get(2),
                    win_rate: row.get(3),
                    average_revenue_per_sale: row.get(4),
                    mean_cycle_days: row.get(5),
                    first_appointment_to_proposal: row.get(6),
                    closing_ratio: row.get(7),
                },
            )
        })
        .collect()
}

fn ours(card: &Json) -> Figures {
    let f = |section: &str, name: &str| card[section][name].as_f64();
    Figures {
        revenue_cents: card["outcome"]["revenue_cents"].as_i64().unwrap_or(-1),
        deals: card["outcome"]["deals"].as_i64().unwrap_or(-1),
        win_rate: f("outcome", "win_rate"),
        average_revenue_per_sale: f("outcome", "average_revenue_per_sale_cents"),
        mean_cycle_days: f("outcome", "mean_cycle_days"),
        first_appointment_to_proposal: f("funnel", "first_appointment_to_proposal"),
        closing_ratio: f("funnel", "closing_ratio"),
    }
}

/// Imports `bundle` into SQLite and compares every rep of every quarter with the reference.
/// Returns the number of (rep, quarter) pairs with a closed deal, so a vacuous run fails.
fn compare(bundle: &Path, quarters: &[(i32, u32)]) -> usize {
    let Some((mut client, schema)) = reference_engine(bundle) else { return usize::MAX };
    let work = temp();
    let url = format!("sqlite://{}", work.path().join("check.db").display());
    succeed(&url, &["import", &bundle.to_string_lossy()]);
    let mut compared = 0;
    for &(year, quarter) in quarters {
        let period = format!("{year}-Q{quarter}");
        let report: Json = serde_json::from_str(&succeed(&url, &["report", "--period", &period, "--format", "json"]))
            .unwrap_or_else(|e| panic!("{e}"));
        let start = format!("{year}-{:02}-01T00:00:00Z", 3 * quarter - 2);
        let end = if quarter == 4 {
            format!("{}-01-01T00:00:00Z", year + 1)
        } else {
            format!("{year}-{:02}-01T00:00:00Z", 3 * quarter + 1)
        };
        let mut expected = reference(&mut client, &start, &end);
        let cards = report["reps"].as_array().cloned().unwrap_or_default();
        assert!(!cards.is_empty(), "{period}: no reps in the report");
        for card in &cards {
            let rep = card["rep_id"].as_str().unwrap_or_default();
            let theirs = expected.remove(rep).unwrap_or(Figures::NOTHING);
            let ours = ours(card);
            assert!(
                agree(&ours, &theirs),
                "{} {period} {rep}:\n quotient  {ours:?}\n reference {theirs:?}",
                bundle.display()
            );
            compared += usize::from(theirs.win_rate.is_some());
        }
        let unreported: Vec<_> = expected
            .into_iter()
            .filter(|(_, f)| f.win_rate.is_some() || f.first_appointment_to_proposal.is_some())
            .collect();
        assert!(unreported.is_empty(), "{period}: owners with deals missing from the report: {unreported:?}");
    }
    let _ = client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
    compared
}

#[test]
fn the_demo_organisation_agrees_with_plain_sql() {
    let work = temp();
    let bundle = work.path().join("demo");
    succeed(
        "sqlite::memory:",
        &[
            "demo",
            "--reps",
            "24",
            "--years",
            "2",
            "--seed",
            "11",
            "--as-of",
            "2026-11-20",
            "--out",
            &bundle.to_string_lossy(),
        ],
    );
    let quarters: Vec<(i32, u32)> = [2024, 2025, 2026].iter().flat_map(|&y| (1..=4).map(move |q| (y, q))).collect();
    let compared = compare(&bundle, &quarters);
    assert!(compared > 100, "only {compared} rep-quarters with closed deals were compared");
}

#[test]
fn the_maven_crm_data_set_agrees_with_plain_sql() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/maven-crm");
    let work = temp();
    let bundle = work.path().join("maven-crm");
    succeed("sqlite::memory:", &["convert", "maven-crm", &source.to_string_lossy(), &bundle.to_string_lossy()]);
    let quarters = [(2016, 4), (2017, 1), (2017, 2), (2017, 3), (2017, 4)];
    let compared = compare(&bundle, &quarters);
    // 30 agents with deals over 5 quarters.
    assert!(compared > 60, "only {compared} rep-quarters with closed deals were compared");
}

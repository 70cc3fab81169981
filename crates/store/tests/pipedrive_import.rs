//! Importing Pipedrive's exports (tests/fixtures/pipedrive), on SQLite and on PostgreSQL.

mod common;

use common::{TestDb, crm_import_read, crm_imported, fixture};
use quotient_store::imports::{CrmImportError, CrmImportSummary, pipedrive};
use quotient_store::orgs::Organisation;
use std::path::Path;

fn import(
    test: &mut TestDb,
    org: &Organisation,
    export: &Path,
    rates: Option<&Path>,
    stages: &Path,
) -> Result<CrmImportSummary, CrmImportError> {
    crm_import_read(test, org, pipedrive::read(&[export.to_path_buf()], rates), stages)
}

fn imported(
    test: &mut TestDb,
    org: &Organisation,
    export: &Path,
    rates: Option<&Path>,
    stages: &Path,
) -> CrmImportSummary {
    crm_imported(import(test, org, export, rates, stages))
}

fn count_where(test: &mut TestDb, org: &Organisation, table: &str, condition: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE org_id = ? AND {condition}");
    test.db.query_i64(&sql, &[org.id.value()]).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A copy of the fixture with one more deal, in US dollars.
fn with_a_dollar_deal(dir: &Path) -> std::path::PathBuf {
    let export = dir.join("export");
    std::fs::create_dir(&export).expect("folder");
    for entry in std::fs::read_dir(fixture("pipedrive")).expect("fixture").flatten() {
        std::fs::copy(entry.path(), export.join(entry.file_name())).expect("copied");
    }
    let deals = export.join("deals-1234567-1.csv");
    let mut text = std::fs::read_to_string(&deals).expect("read");
    text.push_str("\"15\",\"Hotel Sol US\",\"Marta Ruiz\",\"Marta Ruiz\",\"1,100.00\",\"USD\",\"Hotel Sol\",\"\",\"Ventas\",\"Demo\",\"Open\",\"2024-04-01 09:00:00\",\"2024-04-02 09:00:00\",\"\",\"\",\"\",\"\",\"\",\"\"\n");
    std::fs::write(&deals, text).expect("written");
    export
}

fn imports_deals_organizations_people_and_activities(test: &mut TestDb) {
    let org = test.org("ventas");
    let scratch = tempfile::tempdir().expect("temp dir");
    let summary = imported(test, &org, &fixture("pipedrive"), None, &scratch.path().join("stages.toml"));
    // Marta and Jon; three organizations (the file is ISO-8859-1); persons 301 and 302 (303 has no
    // organization); four deals; activities 401 (call), 402 (meeting), 404 (e-mail) and 405 (lunch)
    // — 403 is not done, 406 is a deadline.
    for (table, rows) in [("reps", 2), ("accounts", 3), ("contacts", 2), ("opportunities", 4), ("activities", 4)] {
        assert_eq!(test.count(table, &org), rows, "{table}");
    }
    assert_eq!(count_where(test, &org, "accounts", "name = 'Clínica Norte'"), 1);
    // Deals 11, 12 and 13 link to their organization by name; 14 has none.
    assert_eq!(count_where(test, &org, "opportunities", "account_id IS NOT NULL"), 3);
    // Stage changes: 11 proposal then won, 12 demo then lost, 13 negotiation, 14 qualified = 6.
    assert_eq!(test.count("stage_changes", &org), 6);
    // 11 (at the proposal), 12 (at the demo) and 13 (negotiating) have had a first appointment;
    // 11 and 13 their proposal; only 12 sat at a demo stage.
    assert_eq!(count_where(test, &org, "opportunities", "first_appointment_at IS NOT NULL"), 3);
    assert_eq!(count_where(test, &org, "opportunities", "proposal_at IS NOT NULL"), 2);
    assert_eq!(count_where(test, &org, "opportunities", "gateway_type = 'demo'"), 1);
    assert_eq!(count_where(test, &org, "opportunities", "lost_reason = 'Precio'"), 1);
    assert_eq!(count_where(test, &org, "opportunities", "amount_cents = 450050"), 1);
    assert_eq!(count_where(test, &org, "activities", "opportunity_id IS NOT NULL"), 3);
    assert_eq!((summary.kpis.won, summary.kpis.lost, summary.kpis.open), (1, 1, 2));
    assert_eq!(summary.kpis.revenue_cents, 1_500_000);
    assert_eq!(summary.currency.as_deref(), Some("EUR"));
    assert_eq!(summary.skips.counts.values().sum::<u64>(), 3, "{:?}", summary.skips);
}

fn converts_other_currencies_with_a_rates_file(test: &mut TestDb) {
    let org = test.org("ventas");
    let scratch = tempfile::tempdir().expect("temp dir");
    let export = with_a_dollar_deal(scratch.path());
    let stages = scratch.path().join("stages.toml");
    let rates = scratch.path().join("rates.csv");
    std::fs::write(&rates, "IsoCode,ConversionRate,IsCorporate\nEUR,1,true\nUSD,1.1,false\n").expect("written");
    imported(test, &org, &export, Some(&rates), &stages);
    // 1,100.00 USD at 1.1 USD per EUR = 1,000.00 EUR; the original amount and currency are kept.
    let dollars = "amount_cents = 100000 AND original_amount_cents = 110000 AND original_currency = 'USD'";
    assert_eq!(count_where(test, &org, "opportunities", dollars), 1);
    assert_eq!(count_where(test, &org, "opportunities", "original_currency IS NULL"), 4);
}

fn a_currency_without_a_rate_is_a_located_problem(test: &mut TestDb) {
    let org = test.org("ventas");
    let scratch = tempfile::tempdir().expect("temp dir");
    let export = with_a_dollar_deal(scratch.path());
    let Err(CrmImportError::Invalid(problems)) = import(test, &org, &export, None, &scratch.path().join("stages.toml"))
    else {
        panic!("a deal in dollars without a rate is a problem")
    };
    let listed: Vec<String> = problems.list().iter().map(ToString::to_string).collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    // The header is line 1; deal 15 is on line 6, its currency in column 6.
    assert!(
        listed[0].starts_with("deals-1234567-1.csv:6:6: Deal - Currency: there is no conversion rate for USD"),
        "{}",
        listed[0]
    );
    assert_eq!(test.count("opportunities", &org), 0);
}

fn an_xlsx_deals_export_imports_as_its_csv_does(test: &mut TestDb) {
    let org = test.org("ventas");
    let scratch = tempfile::tempdir().expect("temp dir");
    let export = scratch.path().join("export");
    std::fs::create_dir(&export).expect("folder");
    for entry in std::fs::read_dir(fixture("pipedrive")).expect("fixture").flatten() {
        if entry.file_name() != "deals-1234567-1.csv" {
            std::fs::copy(entry.path(), export.join(entry.file_name())).expect("copied");
        }
    }
    // The same deals as a workbook: values as number and date cells, found by their headers.
    std::fs::copy(fixture("xlsx").join("deals-1234567-1.xlsx"), export.join("deals-1234567-1.xlsx")).expect("copied");
    let summary = imported(test, &org, &export, None, &scratch.path().join("stages.toml"));
    assert_eq!(test.count("opportunities", &org), 4);
    assert_eq!(test.count("stage_changes", &org), 6);
    assert_eq!(count_where(test, &org, "opportunities", "amount_cents = 450050"), 1);
    assert_eq!(count_where(test, &org, "opportunities", "lost_reason = 'Precio'"), 1);
    assert_eq!(count_where(test, &org, "activities", "opportunity_id IS NOT NULL"), 3);
    assert_eq!((summary.kpis.won, summary.kpis.lost, summary.kpis.open), (1, 1, 2));
    assert_eq!(summary.kpis.revenue_cents, 1_500_000);
}

on_both_backends!(
    an_xlsx_deals_export_imports_as_its_csv_does,
    imports_deals_organizations_people_and_activities,
    converts_other_currencies_with_a_rates_file,
    a_currency_without_a_rate_is_a_located_problem,
);

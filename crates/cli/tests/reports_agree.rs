//! One organisation reports the same on SQLite and PostgreSQL. The two read the same rollup cells
//! and base rows by different routes: PostgreSQL sums the pieces of a read that cover a key with
//! many cells itself, takes the organisation's rows in batches and weighs the open pipeline in a
//! subquery of its own; SQLite sums in the process and streams.

mod common;

use chrono::Datelike;
use common::*;
use quotient_store::testing::TestSchema;

#[test]
fn every_report_is_the_same_on_sqlite_and_postgres() {
    let Some(schema) = TestSchema::create("reports_agree") else { return };
    let work = temp();
    let bundle = work.path().join("demo").to_string_lossy().into_owned();
    // Generated up to today, so that a report as of today reads the present pipeline.
    let today = chrono::Utc::now().date_naive().to_string();
    let demo = ["demo", "--reps", "12", "--years", "2", "--seed", "9", "--as-of", &today, "--out", &bundle];
    succeed("sqlite::memory:", &demo);
    let sqlite = format!("sqlite://{}", work.path().join("demo.db").display());
    succeed(&sqlite, &["import", &bundle]);
    succeed(&schema.url, &["import", &bundle]);

    // Periods and days back from today, inside the two years generated: a quarter and a year
    // (pieces of several cells), a month, a week and a range cut at days; the evaluation day today
    // (the present pipeline) and a past day (the pipeline from its history).
    let day = |days_ago: i64| chrono::Utc::now().date_naive() - chrono::Duration::days(days_ago);
    let quarter = {
        let d = day(200);
        format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
    };
    let last_year = (day(0).year() - 1).to_string();
    let month = day(150).format("%Y-%m").to_string();
    let week = {
        let w = day(250).iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    };
    let range = format!("{}..{}", day(400), day(310));
    let past_day = day(90).to_string();
    let periods = [quarter.as_str(), last_year.as_str(), month.as_str(), week.as_str(), range.as_str()];
    let subjects: [&[&str]; 3] = [&[], &["--team", "M1"], &["--product-line", "PL2"]];
    for period in periods {
        for as_of in [today.as_str(), past_day.as_str()] {
            for subject in subjects {
                let mut args = vec!["report", "--period", period, "--as-of", as_of, "--format", "json"];
                args.extend_from_slice(subject);
                let on_sqlite = succeed(&sqlite, &args);
                let on_postgres = succeed(&schema.url, &args);
                let json: serde_json::Value =
                    serde_json::from_str(&on_sqlite).unwrap_or_else(|e| panic!("{args:?}: JSON ({e})"));
                let reps = json["reps"].as_array().map_or(0, Vec::len);
                assert!(reps > 0, "{args:?}: a report of no reps compares nothing");
                assert!(on_sqlite == on_postgres, "{args:?}: the two databases' reports differ");
            }
        }
    }
}
